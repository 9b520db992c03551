"""Media uploads and template submissions through the SDK: types and sizes checked before
anything is sent, the presigned POST without the API key, the hash computed here."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import pytest

from relay_client import ClientInputError, Relay
from relay_workflow.canonical import content_hash

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def recording_relay(responses: dict[tuple[str, str], httpx.Response]):
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return responses[(request.method, request.url.path)]

    return Relay("http://api.test", "rk_secret", transport=httpx.MockTransport(handler)), sent


def test_upload_checks_the_file_then_posts_the_form_to_s3_without_the_key_then_completes(tmp_path):
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    created = {
        "media_id": "media_1",
        "upload": {"url": "http://s3.test/bucket", "fields": {"key": "uploads/u/media_1/cat.png", "Content-Type": "image/png"}},
    }
    relay, sent = recording_relay(
        {
            ("POST", "/v1/media"): httpx.Response(201, json=created),
            ("POST", "/bucket"): httpx.Response(204),
            ("POST", "/v1/media/media_1/complete"): httpx.Response(200, json={"media_id": "media_1", "status": "ready"}),
        }
    )
    progress: list[tuple[int, int]] = []
    media = relay.media.upload(picture, progress=lambda sent_, total: progress.append((sent_, total)))
    assert media["status"] == "ready"
    assert json.loads(sent[0].content) == {"filename": "cat.png", "content_type": "image/png", "size_bytes": len(PNG)}
    form = sent[1]
    assert "authorization" not in form.headers and form.url.host == "s3.test"
    body = form.read()
    assert body.index(b'name="key"') < body.index(b'name="file"') and PNG in body
    assert progress[-1] == (len(PNG), len(PNG))


@pytest.mark.parametrize(
    ("name", "data", "limits", "code"),
    [
        ("notes.txt", b"hello", {}, "UNSUPPORTED_CONTENT_TYPE"),
        ("cat.png", PNG, {"accepted_types": ["audio/*"]}, "UNSUPPORTED_CONTENT_TYPE"),
        ("cat.png", PNG * 20000, {"max_size_mb": 1}, "MEDIA_TOO_LARGE"),
        ("empty.png", b"", {}, "EMPTY_FILE"),
        ("missing.png", None, {}, "FILE_NOT_FOUND"),
    ],
)
def test_a_refused_file_sends_nothing(tmp_path, name, data, limits, code):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    relay, sent = recording_relay({})
    with pytest.raises(ClientInputError) as caught:
        relay.media.upload(path, **limits)
    assert caught.value.code == code and sent == []


SUBMITTED = {"template": {"template_name": "greeting"}, "version": {"version_id": "ver_1", "content_hash": "x"}, "created": False}


def test_a_folder_is_resolved_and_hashed_here_and_sent_with_its_hash(tmp_path):
    (tmp_path / "prompt.txt").write_text("Your name?")
    (tmp_path / "workflow.json").write_text(
        json.dumps(
            {
                "workflow_id": "greeting",
                "schema_version": "1.0",
                "steps": [
                    {
                        "step_id": "ask",
                        "modules": [
                            {
                                "module_id": "user.text_input",
                                "inputs": {"prompt": {"$ref": "prompt.txt"}},
                                "outputs_to_state": {"value": "name"},
                            }
                        ],
                    }
                ],
            }
        )
    )
    relay, sent = recording_relay({("POST", "/v1/templates"): httpx.Response(200, json=SUBMITTED)})
    done = relay.templates.submit(tmp_path)
    body = json.loads(sent[0].content)
    assert body["workflow"]["steps"][0]["modules"][0]["inputs"]["prompt"] == "Your name?"
    assert body["content_hash"] == content_hash(body["workflow"]) == done.content_hash
    assert done.created is False and done.version["version_id"] == "ver_1"


def test_a_zip_is_sent_as_it_is_with_the_hash_of_its_resolved_workflow(tmp_path):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(
            "flow/workflow.json", json.dumps({"workflow_id": "z", "schema_version": "1.0", "steps": [], "x": {"$ref": "x.json"}})
        )
        archive.writestr("flow/x.json", "[1, 2]")
    path = tmp_path / "flow.zip"
    path.write_bytes(data.getvalue())
    relay, sent = recording_relay({("POST", "/v1/templates"): httpx.Response(201, json={**SUBMITTED, "created": True})})
    done = relay.templates.submit(path)
    assert sent[0].headers["content-type"] == "application/zip" and sent[0].content == data.getvalue()
    expected = content_hash({"workflow_id": "z", "schema_version": "1.0", "steps": [], "x": [1, 2]})
    assert sent[0].url.params["content_hash"] == expected == done.content_hash and done.created


def test_a_ref_leaving_the_folder_sends_nothing(tmp_path):
    folder = tmp_path / "flow"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (folder / "workflow.json").write_text(json.dumps({"workflow_id": "w", "steps": [], "p": {"$ref": "../secret.txt"}}))
    relay, sent = recording_relay({})
    with pytest.raises(ClientInputError) as caught:
        relay.templates.submit(folder)
    assert caught.value.code == "REF_OUTSIDE_ARCHIVE" and sent == []
