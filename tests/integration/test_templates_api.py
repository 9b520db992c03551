"""Templates and versions: content-hash identity, zip submissions, validation at submit."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from documents import greeting, module, step, workflow
from problems import assert_problem


def _zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _canonical_hash(document) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def test_same_content_is_the_same_version_new_content_a_new_one(client):
    wf = greeting("versioned")
    first = client.post("/v1/templates", json={"workflow": wf, "display_name": "Versioned"})
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True
    assert body["template"]["template_name"] == "versioned"  # defaults to workflow_id
    assert body["version"]["content_hash"] == _canonical_hash(wf)

    again = client.post("/v1/templates", json={"workflow": json.loads(json.dumps(wf, sort_keys=True))})
    assert again.status_code == 200
    assert again.json()["version"]["version_id"] == body["version"]["version_id"]
    assert again.json()["created"] is False

    changed = greeting("versioned")
    changed["steps"][0]["modules"][0]["inputs"]["prompt"] = "Name, please?"
    third = client.post("/v1/templates", json={"workflow": changed})
    assert third.status_code == 201
    assert third.json()["template"]["template_id"] == body["template"]["template_id"]
    assert third.json()["version"]["version_id"] != body["version"]["version_id"]

    template_id = body["template"]["template_id"]
    template = client.get(f"/v1/templates/{template_id}").json()
    assert template["version_count"] == 2
    assert template["latest_version_id"] == third.json()["version"]["version_id"]
    versions = client.get(f"/v1/templates/{template_id}/versions").json()["items"]
    assert [v["version_id"] for v in versions] == [
        third.json()["version"]["version_id"],
        body["version"]["version_id"],
    ]
    detail = client.get(f"/v1/versions/{body['version']['version_id']}").json()
    assert detail["workflow"] == wf
    names = [t["template_name"] for t in client.get("/v1/templates").json()["items"]]
    assert "versioned" in names


def test_client_hash_is_verified(client):
    wf = greeting("hashed")
    ok = client.post("/v1/templates", json={"workflow": wf, "content_hash": _canonical_hash(wf)})
    assert ok.status_code == 201
    bad = client.post("/v1/templates", json={"workflow": greeting("hashed2"), "content_hash": "sha256:" + "0" * 64})
    assert_problem(bad, 400, "HASH_MISMATCH")
    assert "hashed2" not in [t["template_name"] for t in client.get("/v1/templates").json()["items"]]


def test_template_name_overrides_workflow_id_and_two_users_share_a_name(make_client):
    alice, bob = make_client(), make_client()
    a = alice.post("/v1/templates", json={"workflow": greeting("shared"), "template_name": "oms_video_generation"})
    b = bob.post("/v1/templates", json={"workflow": greeting("other"), "template_name": "oms_video_generation"})
    assert a.status_code == b.status_code == 201
    assert a.json()["template"]["template_id"] != b.json()["template"]["template_id"]


def test_zip_with_refs_resolves_and_hashes_like_the_inline_json(client):
    wf = workflow(
        "zipped",
        step("ask", {"$ref": "steps/ask.json"}),
        step(
            "say", module("transform.format", {"template": {"$ref": "prompts/say.txt"}, "values": {"n": "$state.n"}}, value="out")
        ),
    )
    ask_module = module("user.text_input", {"prompt": {"$ref": "../prompts/ask.txt"}}, value="n")
    files = {
        "workflow.json": json.dumps(wf),
        "steps/ask.json": json.dumps(ask_module),
        "prompts/ask.txt": "Who?",
        "prompts/say.txt": "Hi {n}",
    }
    response = client.post("/v1/templates", files={"file": ("wf.zip", _zip(files), "application/zip")})
    assert response.status_code == 201, response.text
    version = response.json()["version"]
    assert version["source_type"] == "zip"
    resolved = client.get(f"/v1/versions/{version['version_id']}").json()["workflow"]
    assert resolved["steps"][0]["modules"][0]["inputs"]["prompt"] == "Who?"
    assert resolved["steps"][1]["modules"][0]["inputs"]["template"] == "Hi {n}"
    assert version["content_hash"] == _canonical_hash(resolved)

    # the same content as plain JSON is the same version
    inline = client.post("/v1/templates", json={"workflow": resolved})
    assert inline.status_code == 200
    assert inline.json()["version"]["version_id"] == version["version_id"]

    raw = client.post(
        "/v1/templates",
        content=_zip(files),
        headers={"content-type": "application/zip"},
        params={"template_name": "zipped_raw"},
    )
    assert raw.status_code == 201
    assert raw.json()["template"]["template_name"] == "zipped_raw"


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"workflow.json": json.dumps(greeting("z")), "../evil.txt": "x"}, "ZIP_UNSAFE_ENTRY"),
        (
            {
                "workflow.json": json.dumps(
                    workflow("z", step("s", module("transform.format", {"template": {"$ref": "../../etc/passwd"}})))
                )
            },
            "REF_OUTSIDE_ARCHIVE",
        ),
        (
            {"workflow.json": json.dumps(workflow("z", step("s", {"$ref": "a.json"}))), "a.json": json.dumps({"$ref": "a.json"})},
            "REF_CYCLE",
        ),
        ({"readme.txt": "no workflow"}, "ZIP_NO_WORKFLOW"),
        ({"workflow.json": "{not json"}, "INVALID_WORKFLOW_JSON"),
    ],
)
def test_unsafe_or_broken_zips_are_400_and_store_nothing(client, files, code):
    before = client.get("/v1/templates").json()["items"]
    response = client.post("/v1/templates", files={"file": ("wf.zip", _zip(files), "application/zip")})
    assert_problem(response, 400, code)
    assert client.get("/v1/templates").json()["items"] == before


def test_zip_bomb_and_non_zip(client):
    bomb = _zip({"workflow.json": json.dumps(greeting("bomb")), "big.txt": "0" * (40 * 1024 * 1024)})
    assert len(bomb) < 200_000
    assert_problem(client.post("/v1/templates", files={"file": ("b.zip", bomb, "application/zip")}), 400, "ZIP_BOMB")
    assert_problem(client.post("/v1/templates", files={"file": ("b.zip", b"not a zip", "application/zip")}), 400, "INVALID_ZIP")


@pytest.mark.parametrize(
    ("wf", "fragment"),
    [
        (workflow("w", step("s", module("no.such_module", {}))), "no.such_module"),
        (workflow("w", step("s", module("transform.format", {}))), "template"),
        (workflow("w", step("s", module("user.select", {"prompt": "?", "options": []}))), "step 's'"),
        (
            workflow(
                "w",
                step("s", module("transform.format", {"template": "x"})),
                step("s", module("transform.format", {"template": "y"})),
            ),
            "duplicate",
        ),
        (
            {"workflow_id": "w", "schema_version": "1", "steps": [{"modules": [module("transform.format", {"template": "x"})]}]},
            "step_id",
        ),
        ({"workflow_id": "w", "schema_version": "1", "steps": []}, "steps"),
    ],
)
def test_invalid_workflows_are_400_naming_step_and_module(client, wf, fragment):
    body = assert_problem(client.post("/v1/templates", json={"workflow": wf}), 400, "INVALID_WORKFLOW")
    assert fragment in body["detail"]
    assert body["problems"]


def test_plain_json_cannot_carry_file_refs(client):
    wf = workflow("w", step("s", module("transform.format", {"template": {"$ref": "p.txt"}})))
    assert_problem(client.post("/v1/templates", json={"workflow": wf}), 400, "UNRESOLVED_REF")


def test_malformed_requests(client):
    assert_problem(
        client.post("/v1/templates", content=b"{nope", headers={"content-type": "application/json"}), 400, "INVALID_REQUEST"
    )
    assert_problem(client.post("/v1/templates", json={"workflow": greeting(), "surprise": 1}), 400, "INVALID_REQUEST")
    assert_problem(client.post("/v1/templates", json={"template_name": "x"}), 400, "INVALID_REQUEST")
    assert_problem(
        client.post("/v1/templates", content=b"x", headers={"content-type": "text/plain"}), 415, "UNSUPPORTED_MEDIA_TYPE"
    )
    assert_problem(
        client.post("/v1/templates", json={"workflow": greeting(), "template_name": "bad name!"}), 400, "INVALID_TEMPLATE_NAME"
    )
    assert_problem(client.get("/v1/templates", params={"cursor": "garbage!!"}), 400, "INVALID_CURSOR")
    assert_problem(client.get("/v1/templates", params={"limit": 0}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/templates/tpl_doesnotexist"), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/versions/ver_doesnotexist"), 404, "NOT_FOUND")
