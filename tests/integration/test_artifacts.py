"""Artifacts through the local cloud: a run stores a deliverable, pauses on user.approve, an
edited version is made and approved (the run continues with it); rejection ends the run
with REJECTED or follows on_reject; content inline and in S3 with retention tags; lineage;
and every refusal (another tenant's artifact, a malformed id, a non-latest edit, a decision
of an artifact not pending, oversize content) changes nothing."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import zipfile

import boto3
from botocore.config import Config

from documents import module, step, workflow
from media_helpers import PNG, create, upload, wait_for_media
from polling import wait_for_status
from problems import assert_problem


def approval_workflow(workflow_id: str, *, data=None, fmt: str = "json", on_reject: str | None = None):
    approve_inputs = {"artifact_name": "draft", "prompt": "Publish this?"}
    if on_reject:
        approve_inputs["on_reject"] = on_reject
    steps = [
        step(
            "write",
            module(
                "artifact.store",
                {
                    "data": data if data is not None else {"title": "First draft"},
                    "artifact_name": "draft",
                    "artifact_type": "deliverable",
                    "format": fmt,
                },
                artifact_id="stored_id",
                version="stored_version",
            ),
        ),
        step(
            "review",
            module(
                "user.approve", approve_inputs, artifact_id="approved_id", version="approved_version", status="approved_status"
            ),
        ),
        step("publish", module("artifact.load", {"artifact_id": "$state.approved_id"}, content="published")),
    ]
    if on_reject:
        steps.append(step("rework", module("transform.format", {"template": "rework"}, value="rework")))
    return workflow(workflow_id, *steps)


def start_paused(client, wf) -> tuple[str, dict]:
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": wf["workflow_id"]}).json()
    paused = wait_for_status(client, run["run_id"], "awaiting_input", "error")
    assert paused["status"] == "awaiting_input", paused
    return run["run_id"], paused


def test_stored_deliverable_edited_then_approved_continues_with_the_edit(client):
    run_id, paused = start_paused(client, approval_workflow("art-edit"))
    stored_id = paused["state"]["stored_id"]
    assert paused["state"]["stored_version"] == 1
    assert paused["pending_input"]["module_id"] == "user.approve"
    assert paused["pending_input"]["request"]["artifact_id"] == stored_id

    original = client.get(f"/v1/artifacts/{stored_id}").json()
    assert original["status"] == "pending" and original["is_latest"] and original["inline"]
    assert original["artifact_type"] == "deliverable" and original["retention"] == "keep"
    assert client.get(f"/v1/artifacts/{stored_id}/content").json() == {"title": "First draft"}

    # The inbox shows the artifact to judge.
    inbox = client.get("/v1/approvals").json()["items"]
    mine = [p for p in inbox if p["run_id"] == run_id]
    assert mine and mine[0]["artifact"]["artifact_id"] == stored_id
    assert mine[0]["artifact"]["preview_url"] == f"/v1/artifacts/{stored_id}/content"

    edited = client.post(f"/v1/artifacts/{stored_id}/versions", json={"content": {"title": "Better draft"}})
    assert edited.status_code == 201, edited.text
    edited = edited.json()
    assert edited["version"] == 2 and edited["parent_artifact_id"] == stored_id
    assert edited["status"] == "edited" and edited["is_latest"]
    assert edited["step_id"] is None
    assert client.get(edited["artifact_id"].join(["/v1/artifacts/", ""])).status_code == 200
    assert client.get(f"/v1/artifacts/{stored_id}").json()["is_latest"] is False

    # Editing or approving the old version is refused and changes nothing.
    assert_problem(client.post(f"/v1/artifacts/{stored_id}/versions", json={"content": {"x": 1}}), 409, "NOT_LATEST_VERSION")
    assert_problem(client.post(f"/v1/artifacts/{stored_id}/approve"), 409, "NOT_LATEST_VERSION")
    inbox = client.get("/v1/approvals").json()["items"]
    assert next(p for p in inbox if p["run_id"] == run_id)["artifact"]["artifact_id"] == edited["artifact_id"]

    decided = client.post(f"/v1/artifacts/{edited['artifact_id']}/approve", json={"reason": "ship it"})
    assert decided.status_code == 200, decided.text
    decided = decided.json()
    assert decided["input_id"] == paused["pending_input"]["input_id"]
    assert decided["artifact"]["status"] == "approved" and decided["artifact"]["decided_by"] == client.user.username
    assert decided["artifact"]["reason"] == "ship it" and decided["artifact"]["decided_at"]

    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed", done
    assert done["state"]["approved_id"] == edited["artifact_id"]
    assert done["state"]["approved_version"] == 2 and done["state"]["approved_status"] == "approved"
    assert done["state"]["published"] == {"title": "Better draft"}

    # The other door now finds the pause answered; deciding again is a 409.
    body = assert_problem(
        client.post(f"/v1/runs/{run_id}/input", json={"step_id": "review", "value": {"decision": "reject"}}),
        409,
        "INPUT_ALREADY_ANSWERED",
    )
    assert body["input_id"] == decided["input_id"]
    assert_problem(client.post(f"/v1/artifacts/{edited['artifact_id']}/approve"), 409, "ARTIFACT_NOT_PENDING")

    lineage = client.get(f"/v1/artifacts/{stored_id}/versions").json()["items"]
    assert [(a["artifact_id"], a["version"], a["is_latest"]) for a in lineage] == [
        (stored_id, 1, False),
        (edited["artifact_id"], 2, True),
    ]
    listed = client.get(f"/v1/runs/{run_id}/artifacts", params={"type": "deliverable"}).json()
    assert {a["artifact_id"] for a in listed["items"]} == {stored_id, edited["artifact_id"]}
    assert client.get(f"/v1/runs/{run_id}/artifacts", params={"type": "debug"}).json()["items"] == []

    # The run as one zip: metadata, inputs and the latest version of each artifact.
    exported = client.get(f"/v1/runs/{run_id}/export")
    assert exported.status_code == 200, exported.text
    exported = exported.json()
    assert exported["artifacts"] == 1 and exported["events"] == len(
        client.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]
    )
    data = client.get(exported["download_url"]).content
    assert hashlib.sha256(data).hexdigest() == exported["sha256"] and len(data) == exported["size_bytes"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["artifacts/draft/v2.json", "inputs.json", "metadata.json"]
        assert json.loads(archive.read("artifacts/draft/v2.json")) == {"title": "Better draft"}
        metadata = json.loads(archive.read("metadata.json"))
        assert metadata["run"]["run_id"] == run_id and metadata["run"]["status"] == "completed"
        assert [a["version"] for a in metadata["artifacts"]] == [1, 2]
        assert metadata["artifacts"][1]["file"] == "artifacts/draft/v2.json" and metadata["artifacts"][0]["file"] is None
        assert metadata["version"]["workflow"]["workflow_id"] == "art-edit"
        answers = json.loads(archive.read("inputs.json"))["answers"]
        assert [(a["step_id"], a["value"]["decision"]) for a in answers] == [("review", "approve")]


def test_reject_through_the_input_door_ends_the_run_rejected(client):
    run_id, paused = start_paused(client, approval_workflow("art-reject"))
    stored_id = paused["state"]["stored_id"]
    assert_problem(
        client.post(f"/v1/runs/{run_id}/input", json={"step_id": "review", "value": {"decision": "maybe"}}),
        400,
        "INVALID_INPUT_VALUE",
    )
    accepted = client.post(
        f"/v1/runs/{run_id}/input", json={"step_id": "review", "value": {"decision": "reject", "reason": "off brand"}}
    )
    assert accepted.status_code == 202, accepted.text
    done = wait_for_status(client, run_id, "error", "completed")
    assert done["status"] == "error" and done["error"]["code"] == "REJECTED", done
    assert "off brand" in done["error"]["message"]
    artifact = client.get(f"/v1/artifacts/{stored_id}").json()
    assert artifact["status"] == "rejected" and artifact["reason"] == "off brand"
    assert artifact["decided_by"] == client.user.username
    body = assert_problem(client.post(f"/v1/artifacts/{stored_id}/reject", json={"reason": "again"}), 409, "ARTIFACT_NOT_PENDING")
    assert body["status_now"] == "rejected"


def test_reject_through_the_artifact_door_follows_on_reject(client):
    run_id, paused = start_paused(client, approval_workflow("art-on-reject", on_reject="rework"))
    stored_id = paused["state"]["stored_id"]
    assert_problem(client.post(f"/v1/artifacts/{stored_id}/reject", json={}), 400, "INVALID_REQUEST")
    decided = client.post(f"/v1/artifacts/{stored_id}/reject", json={"reason": "needs work"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["input_id"] == paused["pending_input"]["input_id"]
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed", done
    assert done["state"]["rework"] == "rework" and "published" not in done["state"]
    assert done["state"]["approved_status"] == "rejected"
    events = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]
    jumps = [e for e in events if e["event_type"] == "step_jumped"]
    assert [(e["step_id"], e["data"]["to_step"]) for e in jumps] == [("review", "rework")]


def test_content_in_s3_with_retention_tags_and_binary_from_media(client, relay):
    big = "x" * 40_000  # over the inline limit: kept in S3
    wf = workflow(
        "art-s3",
        step(
            "keep",
            module(
                "artifact.store",
                {"data": big, "artifact_name": "log", "artifact_type": "debug", "format": "text"},
                artifact_id="log_id",
            ),
            module(
                "artifact.store",
                {
                    "data": base64.b64encode(b"\x00\x01binary").decode(),
                    "artifact_name": "blob",
                    "artifact_type": "state",
                    "format": "binary",
                },
                artifact_id="blob_id",
            ),
            module(
                "artifact.store",
                {"data": "$state.picture", "artifact_name": "picture", "artifact_type": "deliverable", "format": "binary"},
                artifact_id="pic_id",
                content_type="pic_type",
                sha256="pic_sha",
            ),
        ),
        step("reload", module("artifact.load", {"artifact_name": "log"}, size_bytes="log_size")),
    )
    media = create(client)
    assert upload(media, PNG).status_code == 204
    wait_for_media(client, media["media_id"], "ready")
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": "art-s3", "inputs": {"picture": {"media_id": media["media_id"]}}}).json()
    done = wait_for_status(client, run["run_id"], "completed", "error")
    assert done["status"] == "completed", done
    state = done["state"]
    assert state["log_size"] == 40_000 and state["pic_type"] == "image/png"
    assert state["pic_sha"] == hashlib.sha256(PNG).hexdigest()

    s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
    bucket = relay.settings.artifacts_bucket
    expected = {"log_id": "7d", "blob_id": "run", "pic_id": "keep"}
    for name, tag in expected.items():
        record = relay.artifact_repository.get(state[name])
        assert record.key.startswith(f"runs/{run['run_id']}/artifacts/{record.artifact_id}/")
        assert s3.get_object_tagging(Bucket=bucket, Key=record.key)["TagSet"] == [{"Key": "relay:retention", "Value": tag}]
        assert (record.ttl is not None) == (tag == "7d")
    log = client.get(f"/v1/artifacts/{state['log_id']}/content", follow_redirects=False)
    assert log.status_code == 307
    fetched = client.get(log.headers["location"])
    assert fetched.status_code == 200 and fetched.text == big
    # Serving by run: the latest image deliverable; no audio one.
    served = client.get(f"/v1/runs/{run['run_id']}/media/image", follow_redirects=False)
    assert served.status_code == 307 and client.get(served.headers["location"]).content == PNG
    assert_problem(client.get(f"/v1/runs/{run['run_id']}/media/audio"), 404, "NOT_FOUND")
    assert_problem(client.get(f"/v1/runs/{run['run_id']}/media/text"), 404, "NOT_FOUND")
    pic = client.get(f"/v1/artifacts/{state['pic_id']}").json()
    assert pic["status"] == "pending" and client.get(pic["download_url"]).content == PNG
    assert client.get(f"/v1/artifacts/{state['blob_id']}").json()["status"] == "auto_approved"
    # A debug or state artifact is not awaiting a decision.
    assert_problem(client.post(f"/v1/artifacts/{state['blob_id']}/approve"), 409, "ARTIFACT_NOT_PENDING")
    # Binary artifacts are not edited inline, text ones take a string.
    assert_problem(
        client.post(f"/v1/artifacts/{state['pic_id']}/versions", json={"content": "x"}), 400, "INVALID_ARTIFACT_CONTENT"
    )
    assert_problem(
        client.post(f"/v1/artifacts/{state['log_id']}/versions", json={"content": {"not": "text"}}),
        400,
        "INVALID_ARTIFACT_CONTENT",
    )
    exported = client.get(f"/v1/runs/{run['run_id']}/export").json()
    with zipfile.ZipFile(io.BytesIO(client.get(exported["download_url"]).content)) as archive:
        assert sorted(archive.namelist()) == [
            "artifacts/blob/v1.bin",
            "artifacts/log/v1.txt",
            "artifacts/picture/v1.png",
            "inputs.json",
            "metadata.json",
        ]
        assert archive.read("artifacts/picture/v1.png") == PNG and archive.read("artifacts/blob/v1.bin") == b"\x00\x01binary"
        assert archive.read("artifacts/log/v1.txt").decode() == big
    export_key = f"runs/{run['run_id']}/exports/{exported['export_id']}.zip"
    assert s3.get_object_tagging(Bucket=bucket, Key=export_key)["TagSet"] == [{"Key": "relay:retention", "Value": "7d"}]
    listed = client.get(f"/v1/runs/{run['run_id']}/artifacts", params={"limit": 1}).json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]
    rest = client.get(f"/v1/runs/{run['run_id']}/artifacts", params={"limit": 5, "cursor": listed["next_cursor"]}).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None


def test_refusals_change_nothing(client, make_client):
    run_id, paused = start_paused(client, approval_workflow("art-refusals"))
    stored_id = paused["state"]["stored_id"]
    other = make_client()
    for path in ("", "/content", "/versions"):
        assert_problem(other.get(f"/v1/artifacts/{stored_id}{path}"), 404, "NOT_FOUND")
        assert_problem(client.get(f"/v1/artifacts/not-an-id{path}"), 404, "NOT_FOUND")
        assert_problem(client.get(f"/v1/artifacts/art_doesnotexist{path}"), 404, "NOT_FOUND")
    assert_problem(other.post(f"/v1/artifacts/{stored_id}/approve"), 404, "NOT_FOUND")
    assert_problem(other.post(f"/v1/artifacts/{stored_id}/versions", json={"content": 1}), 404, "NOT_FOUND")
    assert_problem(other.get(f"/v1/runs/{run_id}/artifacts"), 404, "NOT_FOUND")
    assert_problem(other.get(f"/v1/runs/{run_id}/media/image"), 404, "NOT_FOUND")
    assert_problem(other.get(f"/v1/runs/{run_id}/export"), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/runs/run_nope/artifacts"), 404, "NOT_FOUND")
    huge = {"text": "y" * (5 * 1024 * 1024)}
    assert_problem(client.post(f"/v1/artifacts/{stored_id}/versions", json={"content": huge}), 413, "ARTIFACT_TOO_LARGE")

    after = client.get(f"/v1/artifacts/{stored_id}").json()
    assert after["status"] == "pending" and after["is_latest"] and after["version"] == 1
    assert len(client.get(f"/v1/artifacts/{stored_id}/versions").json()["items"]) == 1
    assert client.get(f"/v1/runs/{run_id}").json()["status"] == "awaiting_input"


def test_approved_outside_any_pause_just_records_the_decision(client):
    wf = workflow(
        "art-no-pause",
        step(
            "write",
            module(
                "artifact.store",
                {"data": "hello", "artifact_name": "note", "artifact_type": "deliverable", "format": "text"},
                artifact_id="note_id",
            ),
            module(
                "artifact.store",
                {"data": {"x": 1.0, "n": None}, "artifact_name": "numbers", "artifact_type": "state", "format": "json"},
                artifact_id="numbers_id",
            ),
        ),
    )
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": "art-no-pause"}).json()
    done = wait_for_status(client, run["run_id"], "completed", "error")
    note_id = done["state"]["note_id"]
    content = client.get(f"/v1/artifacts/{note_id}/content")
    assert content.text == "hello" and content.headers["content-type"].startswith("text/plain")
    numbers = client.get(f"/v1/artifacts/{done['state']['numbers_id']}/content")
    assert numbers.content == b'{"x":1.0,"n":null}'  # inline JSON served as it was hashed
    assert (
        hashlib.sha256(numbers.content).hexdigest() == client.get(f"/v1/artifacts/{done['state']['numbers_id']}").json()["sha256"]
    )
    decided = client.post(f"/v1/artifacts/{note_id}/approve").json()
    assert decided["input_id"] is None and decided["artifact"]["status"] == "approved"
    assert_problem(client.post(f"/v1/artifacts/{note_id}/reject", json={"reason": "late"}), 409, "ARTIFACT_NOT_PENDING")


def test_a_binary_version_is_a_presigned_upload_then_complete(client):
    media = create(client)
    assert upload(media, PNG).status_code == 204
    wait_for_media(client, media["media_id"], "ready")
    wf = approval_workflow("art-binary", data="$state.picture", fmt="binary")
    wf["steps"][2]["modules"][0]["outputs_to_state"] = {"sha256": "published_sha"}
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    run = client.post(
        "/v1/runs", json={"template_name": "art-binary", "inputs": {"picture": {"media_id": media["media_id"]}}}
    ).json()
    paused = wait_for_status(client, run["run_id"], "awaiting_input", "error")
    assert paused["status"] == "awaiting_input", paused
    art = paused["state"]["stored_id"]

    assert_problem(client.post(f"/v1/artifacts/{art}/versions", json={"content": "eA=="}), 400, "INVALID_ARTIFACT_CONTENT")
    assert_problem(
        client.post(f"/v1/artifacts/{art}/versions", json={"content_type": "image/png", "size_bytes": 10**9}),
        413,
        "ARTIFACT_TOO_LARGE",
    )
    edited = PNG + b"edited"
    started = client.post(f"/v1/artifacts/{art}/versions", json={"content_type": "image/png", "size_bytes": len(edited)})
    assert started.status_code == 202, started.text
    started = started.json()
    new_id = started["artifact_id"]
    assert started["version"] == 2 and started["parent_artifact_id"] == art
    complete = started["complete_url"]
    assert_problem(client.get(f"/v1/artifacts/{new_id}"), 404, "NOT_FOUND")  # not a version until complete
    assert_problem(client.post(complete), 409, "ARTIFACT_NOT_UPLOADED")
    assert len(client.get(f"/v1/artifacts/{art}/versions").json()["items"]) == 1

    form = {"upload": started["upload"]}
    assert upload(form, edited).status_code == 204
    done = client.post(complete)
    assert done.status_code == 201, done.text
    version = done.json()
    assert version["artifact_id"] == new_id and version["is_latest"] and version["status"] == "edited"
    assert version["sha256"] == hashlib.sha256(edited).hexdigest() and version["size_bytes"] == len(edited)
    assert client.get(version["download_url"]).content == edited
    assert client.post(complete).json()["artifact_id"] == new_id  # idempotent
    assert client.get(f"/v1/artifacts/{art}").json()["is_latest"] is False

    # A second upload on top of the old version is refused at complete, and changes nothing.
    stale = client.post(f"/v1/artifacts/{art}/versions", json={"content_type": "image/png", "size_bytes": len(PNG)})
    assert_problem(stale, 409, "NOT_LATEST_VERSION")
    # Bytes that are not what was declared are rejected and deleted.
    bad = client.post(f"/v1/artifacts/{new_id}/versions", json={"content_type": "image/png", "size_bytes": 20}).json()
    assert upload({"upload": bad["upload"]}, b"not a png at all....").status_code == 204
    assert_problem(client.post(bad["complete_url"]), 422, "ARTIFACT_UPLOAD_REJECTED")
    assert len(client.get(f"/v1/artifacts/{art}/versions").json()["items"]) == 2

    decided = client.post(f"/v1/runs/{run['run_id']}/input", json={"step_id": "review", "value": {"decision": "approve"}})
    assert decided.status_code == 202, decided.text
    finished = wait_for_status(client, run["run_id"], "completed", "error")
    assert finished["state"]["approved_id"] == new_id
    assert finished["state"]["published_sha"] == hashlib.sha256(edited).hexdigest()


def test_a_decision_recorded_outside_the_pause_can_still_release_it(client, relay):
    """The narrow window: the artifact is decided with no pause stored yet (the run is between
    RunStep pausing and AwaitInput storing the pause), then the pause appears. The input door
    may deliver that same decision (nothing else), so the run is never stuck."""
    from relay.domain.artifacts import ArtifactStatus
    from relay.ids import now_iso

    run_id, paused = start_paused(client, approval_workflow("art-window"))
    stored_id = paused["state"]["stored_id"]
    assert relay.artifact_repository.decide(stored_id, ArtifactStatus.approved, "someone", now_iso(), None) is not None
    assert_problem(client.post(f"/v1/artifacts/{stored_id}/approve"), 409, "ARTIFACT_NOT_PENDING")
    assert_problem(
        client.post(f"/v1/runs/{run_id}/input", json={"step_id": "review", "value": {"decision": "reject"}}),
        409,
        "ARTIFACT_NOT_PENDING",
    )
    accepted = client.post(f"/v1/runs/{run_id}/input", json={"step_id": "review", "value": {"decision": "approve"}})
    assert accepted.status_code == 202, accepted.text
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed" and done["state"]["approved_id"] == stored_id
    artifact = client.get(f"/v1/artifacts/{stored_id}").json()
    assert artifact["decided_by"] == "someone" and artifact["status"] == "approved"


def test_on_reject_back_to_an_earlier_step_makes_a_new_version_and_asks_again(client):
    wf = approval_workflow("art-loop")
    wf["steps"][1]["modules"][0]["inputs"]["on_reject"] = "write"
    run_id, paused = start_paused(client, wf)
    first = paused["state"]["stored_id"]
    rejected = client.post(f"/v1/artifacts/{first}/reject", json={"reason": "again"})
    assert rejected.status_code == 200, rejected.text
    deadline = time.monotonic() + 20
    while True:
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["status"] == "awaiting_input" and run["pending_input"]["input_id"] != paused["pending_input"]["input_id"]:
            break
        assert time.monotonic() < deadline, run
        time.sleep(0.05)
    second = run["state"]["stored_id"]
    assert second != first and run["state"]["stored_version"] == 2
    assert run["pending_input"]["request"]["artifact_id"] == second
    lineage = client.get(f"/v1/artifacts/{first}/versions").json()["items"]
    assert [(a["version"], a["status"], a["is_latest"]) for a in lineage] == [(1, "rejected", False), (2, "pending", True)]
    assert client.post(f"/v1/artifacts/{second}/approve").status_code == 200
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed" and done["state"]["approved_id"] == second
