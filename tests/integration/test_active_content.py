"""No stored XSS (issue 15, item 1): content that a browser would run (HTML, SVG, XHTML,
unknown types, a PNG whose bytes are HTML) is stored and served as application/octet-stream
with Content-Disposition: attachment — checked on what the local S3 really answers to the
presigned GETs, and on the objects' own metadata — for artifact.store, binary edits, media
uploads, the run's media redirects, the export zip and the approvals inbox previews."""

from __future__ import annotations

import base64
import io
import zipfile

import boto3
import httpx
from botocore.config import Config

from documents import module, step, workflow
from media_helpers import PNG, create, upload, wait_for_media
from polling import wait_for_status
from problems import assert_problem

HTML = b"<!doctype html><html><script>alert(document.domain)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><rect/></svg>'
XHTML = b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'
GLB = b"glTF\x02\x00\x00\x00" + bytes(40)
OCTET = "application/octet-stream"

# name → (format, declared content type, data, served content type, inline)
STORED = {
    "real_png": ("binary", "image/png", PNG, "image/png", True),
    "html": ("binary", "text/html", HTML, OCTET, False),
    "svg": ("binary", "image/svg+xml", SVG, OCTET, False),
    "xhtml": ("binary", "application/xhtml+xml", XHTML, OCTET, False),
    "png_of_html": ("binary", "image/png", HTML, OCTET, False),
    "plain_of_html": ("binary", "text/plain", HTML, "text/plain; charset=utf-8", True),
    "big_html_text": ("text", "text/html; charset=utf-8", ("<script>alert(1)</script>" * 2000).encode(), OCTET, False),
}


def _store(name: str, fmt: str, content_type: str, data: bytes) -> dict:
    value = base64.b64encode(data).decode() if fmt == "binary" else data.decode()
    return module(
        "artifact.store",
        {"data": value, "artifact_name": name, "artifact_type": "deliverable", "format": fmt, "content_type": content_type},
    )


def _fetch(url: str) -> httpx.Response:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text[:300]
    return response


def _assert_served(response: httpx.Response, content_type: str, inline: bool) -> None:
    assert response.headers["content-type"] == content_type
    assert response.headers["content-disposition"].startswith("inline;" if inline else "attachment;")


def _object(relay, key: str) -> dict:
    s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
    return s3.head_object(Bucket=relay.settings.artifacts_bucket, Key=key)


def _paused_run(client, wf) -> tuple[str, dict]:
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": wf["workflow_id"]}).json()
    paused = wait_for_status(client, run["run_id"], "awaiting_input", "error")
    assert paused["status"] == "awaiting_input", paused
    return run["run_id"], paused


def test_artifact_store_serves_only_safe_types_inline(client, relay):
    wf = workflow(
        "active-store",
        step(
            "keep",
            *[_store(name, fmt, ct, data) for name, (fmt, ct, data, _, _) in STORED.items()],
            module(
                "artifact.store",
                {
                    "data": "<script>alert(1)</script>",
                    "artifact_name": "small_html_text",
                    "artifact_type": "deliverable",
                    "format": "text",
                    "content_type": "text/html",
                },
            ),
        ),
        step("review", module("user.approve", {"artifact_name": "svg", "prompt": "Publish?"})),
    )
    run_id, _ = _paused_run(client, wf)
    items = client.get(f"/v1/runs/{run_id}/artifacts", params={"limit": 100}).json()["items"]
    by_name = {a["artifact_name"]: a for a in items}

    for name, (_, declared, data, served, inline) in STORED.items():
        artifact = client.get(f"/v1/artifacts/{by_name[name]['artifact_id']}").json()
        assert artifact["content_type"] == served, name
        assert artifact["declared_content_type"] == (None if inline else declared), name
        redirect = client.get(f"/v1/artifacts/{artifact['artifact_id']}/content")
        assert redirect.status_code == 307, name
        fetched = _fetch(redirect.headers["location"])
        _assert_served(fetched, served, inline)
        assert fetched.content == data
        _assert_served(_fetch(artifact["download_url"]), served, inline)
        stored = _object(relay, relay.artifact_repository.get(artifact["artifact_id"]).key)
        assert stored["ContentType"] == served, name  # the object's own metadata too
        assert stored["ContentDisposition"].startswith("inline;" if inline else "attachment;"), name

    # Kept in the record (small): the API itself answers it as a download.
    small = by_name["small_html_text"]
    assert small["content_type"] == OCTET and small["declared_content_type"] == "text/html"
    answered = client.get(f"/v1/artifacts/{small['artifact_id']}/content")
    assert answered.status_code == 200 and answered.content == b"<script>alert(1)</script>"
    _assert_served(answered, OCTET, False)
    assert answered.headers["x-content-type-options"] == "nosniff"

    # The inbox previews the SVG it asks about as a download, never as an image.
    inbox = [p for p in client.get("/v1/approvals").json()["items"] if p["run_id"] == run_id]
    judged = inbox[0]["artifact"]
    assert judged["content_type"] == OCTET and judged["declared_content_type"] == "image/svg+xml"
    _assert_served(_fetch(judged["preview_url"]), OCTET, False)

    # The run's latest image is the real PNG, though the SVG and the HTML "PNG" came later.
    latest = client.get(f"/v1/runs/{run_id}/media/image")
    assert latest.status_code == 307
    image = _fetch(latest.headers["location"])
    _assert_served(image, "image/png", True)
    assert image.content == PNG


def test_a_run_whose_only_image_is_an_svg_has_no_image(client):
    wf = workflow(
        "active-svg-only",
        step("keep", _store("logo", "binary", "image/svg+xml", SVG)),
        step("wait", module("user.text_input", {"prompt": "ok?"}, value="ok")),
    )
    run_id, _ = _paused_run(client, wf)
    assert_problem(client.get(f"/v1/runs/{run_id}/media/image"), 404, "NOT_FOUND")


def test_the_export_zip_is_a_download_and_names_no_active_files(client):
    wf = workflow("active-export", step("keep", *[_store(name, fmt, ct, data) for name, (fmt, ct, data, _, _) in STORED.items()]))
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": "active-export"}).json()
    assert wait_for_status(client, run["run_id"], "completed", "error")["status"] == "completed"
    exported = client.get(f"/v1/runs/{run['run_id']}/export").json()
    fetched = _fetch(exported["download_url"])
    assert fetched.headers["content-type"] == "application/zip"
    assert fetched.headers["content-disposition"] == f'attachment; filename="{run["run_id"]}.zip"'
    with zipfile.ZipFile(io.BytesIO(fetched.content)) as archive:
        names = set(archive.namelist())
        assert archive.read("artifacts/svg/v1.bin") == SVG and archive.read("artifacts/png_of_html/v1.bin") == HTML
    assert "artifacts/real_png/v1.png" in names
    assert not [n for n in names if n.endswith((".html", ".htm", ".svg", ".xhtml", ".xml"))]


def _binary_artifact(client) -> str:
    wf = workflow(
        "active-edit",
        step("keep", _store("picture", "binary", "image/png", PNG)),
        step("wait", module("user.text_input", {"prompt": "ok?"}, value="ok")),
    )
    _, paused = _paused_run(client, wf)
    items = client.get(f"/v1/runs/{paused['run_id']}/artifacts").json()["items"]
    return items[0]["artifact_id"]


def _begin(client, artifact_id: str, content_type: str, size: int) -> dict:
    started = client.post(f"/v1/artifacts/{artifact_id}/versions", json={"content_type": content_type, "size_bytes": size})
    assert started.status_code == 202, started.text
    return started.json()


def test_a_binary_edit_to_html_or_svg_is_stored_and_served_as_a_download(client, relay):
    art = _binary_artifact(client)
    for declared, data in (("text/html", HTML), ("image/svg+xml", SVG), ("application/xhtml+xml", XHTML)):
        started = _begin(client, art, declared, len(data))
        fields = started["upload"]["fields"]
        assert fields["Content-Type"] == OCTET and fields["Content-Disposition"].startswith("attachment;")
        # The form's type and disposition are signed: an inline one is refused by S3.
        tampered = upload(started, data, **{"Content-Disposition": 'inline; filename="x.html"'})
        assert tampered.status_code == 403
        assert upload(started, data, Content_Type=declared).status_code == 403
        assert upload(started, data).status_code == 204
        done = client.post(started["complete_url"])
        assert done.status_code == 201, done.text
        version = done.json()
        assert version["content_type"] == OCTET and version["declared_content_type"] == declared
        fetched = _fetch(version["download_url"])
        _assert_served(fetched, OCTET, False)
        assert fetched.content == data
        assert _object(relay, relay.artifact_repository.get(version["artifact_id"]).key)["ContentDisposition"].startswith(
            "attachment;"
        )
        art = version["artifact_id"]

    # A PNG edit whose bytes are HTML is refused at complete; the latest stays what it was.
    started = _begin(client, art, "image/png", len(HTML))
    assert started["upload"]["fields"]["Content-Disposition"].startswith("inline;")
    assert upload(started, HTML).status_code == 204
    assert_problem(client.post(started["complete_url"]), 422, "ARTIFACT_UPLOAD_REJECTED")
    assert client.get(f"/v1/artifacts/{art}").json()["is_latest"] is True
    # A real PNG edit is an inline image again.
    started = _begin(client, art, "image/png", len(PNG))
    assert upload(started, PNG).status_code == 204
    version = client.post(started["complete_url"]).json()
    assert version["content_type"] == "image/png" and version["declared_content_type"] is None
    _assert_served(_fetch(version["download_url"]), "image/png", True)


def test_media_uploads_are_served_inline_only_as_checked_media(client):
    created = create(client, PNG)
    assert created["upload"]["fields"]["Content-Disposition"].startswith("inline;")
    assert upload(created, PNG, **{"Content-Disposition": "attachment"}).status_code == 403  # signed
    assert upload(created, PNG).status_code == 204
    media = wait_for_media(client, created["media_id"], "ready")
    _assert_served(_fetch(media["download_url"]), "image/png", True)

    # A 3D model is accepted but is no image, audio or video: stored and served as a download.
    created = create(client, GLB, content_type="model/gltf-binary", filename="thing.glb")
    fields = created["upload"]["fields"]
    assert fields["Content-Type"] == OCTET and fields["Content-Disposition"] == 'attachment; filename="thing.glb"'
    assert upload(created, GLB, Content_Type="model/gltf-binary").status_code == 403
    assert upload(created, GLB).status_code == 204
    media = wait_for_media(client, created["media_id"], "ready", "rejected")
    assert media["status"] == "ready" and media["content_type"] == "model/gltf-binary", media
    fetched = _fetch(media["download_url"])
    _assert_served(fetched, OCTET, False)
    assert fetched.content == GLB

    # HTML and SVG are no media at all; a PNG of HTML is rejected when verified.
    for declared in ("text/html", "image/svg+xml", "application/xhtml+xml"):
        response = client.post("/v1/media", json={"filename": "x", "content_type": declared, "size_bytes": 10})
        assert_problem(response, 400, "UNSUPPORTED_CONTENT_TYPE")
    created = create(client, HTML)
    assert upload(created, HTML).status_code == 204
    assert wait_for_media(client, created["media_id"], "ready", "rejected")["status"] == "rejected"
