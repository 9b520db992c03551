"""A run pausing on user.media_upload: answered with someone else's, a pending, a rejected,
a wrong-type or a forged media it refuses (nothing changes); a ready one continues the run
and attaches the media (ByRun, no expiry, the `run` retention tag)."""

from __future__ import annotations

import hashlib

import boto3
from botocore.config import Config

from documents import module, step, workflow
from media_helpers import JPEG, PNG, TEXT, create, upload, wait_for_media
from polling import wait_for_status
from problems import assert_problem

WORKFLOW = workflow(
    "media-pause",
    step(
        "upload",
        module(
            "user.media_upload",
            {"prompt": "A picture?", "accepted_types": ["image/png"], "max_size_mb": 1},
            media_id="picture",
            sha256="picture_sha256",
            content_type="picture_type",
        ),
    ),
    step("after", module("transform.format", {"template": "got {t}", "values": {"t": "$state.picture_type"}}, value="note")),
)


def _paused_run(client):
    assert client.post("/v1/templates", json={"workflow": WORKFLOW}).status_code in (200, 201)
    run = client.post("/v1/runs", json={"template_name": "media-pause"}).json()
    paused = wait_for_status(client, run["run_id"], "awaiting_input")
    assert paused["pending_input"]["request"] == {"prompt": "A picture?", "accepted_types": ["image/png"], "max_size_mb": 1}
    return run["run_id"]


def _ready(client, data=PNG, **kwargs):
    created = create(client, data, **kwargs)
    assert upload(created, data, filename=kwargs.get("filename", "pic.png")).status_code == 204
    return wait_for_media(client, created["media_id"], "ready", "rejected")


def _answer(client, run_id, value):
    return client.post(f"/v1/runs/{run_id}/input", json={"step_id": "upload", "value": value})


def test_bad_media_answers_change_nothing_and_a_ready_one_continues_the_run(client, make_client, relay):
    run_id = _paused_run(client)
    before = client.get(f"/v1/runs/{run_id}").json()

    other = make_client()
    theirs = _ready(other)
    assert_problem(_answer(client, run_id, {"media_id": theirs["media_id"]}), 404, "NOT_FOUND")
    assert_problem(_answer(client, run_id, {"media_id": "media_forged0000"}), 404, "NOT_FOUND")
    assert_problem(_answer(client, run_id, {"media_id": "not an id"}), 404, "NOT_FOUND")
    assert_problem(_answer(client, run_id, "media_x"), 400, "INVALID_INPUT_VALUE")

    pending = create(client)
    body = assert_problem(_answer(client, run_id, {"media_id": pending["media_id"]}), 400, "INVALID_INPUT_VALUE")
    assert "pending" in body["detail"]
    rejected = _ready(client, TEXT)
    assert rejected["status"] == "rejected"
    assert_problem(_answer(client, run_id, {"media_id": rejected["media_id"]}), 400, "INVALID_INPUT_VALUE")
    jpeg = _ready(client, JPEG, content_type="image/jpeg", filename="p.jpg")
    body = assert_problem(_answer(client, run_id, {"media_id": jpeg["media_id"]}), 400, "INVALID_INPUT_VALUE")
    assert "image/jpeg" in body["detail"]

    after = client.get(f"/v1/runs/{run_id}").json()
    assert after["status"] == "awaiting_input" and after["pending_input"] == before["pending_input"]
    assert client.get(f"/v1/media/{jpeg['media_id']}").json()["run_id"] is None  # not attached

    good = _ready(client)
    accepted = _answer(client, run_id, {"media_id": good["media_id"]})
    assert accepted.status_code == 202, accepted.text
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed", done
    assert done["state"] == {
        "picture": good["media_id"],
        "picture_sha256": hashlib.sha256(PNG).hexdigest(),
        "picture_type": "image/png",
        "note": "got image/png",
    }

    attached = client.get(f"/v1/media/{good['media_id']}").json()
    assert attached["run_id"] == run_id and attached["expires_at"] is None
    record = relay.media_repository.get(good["media_id"])
    assert record.ttl is None and record.retention == "run"
    tags = boto3.client("s3", config=Config(signature_version="s3v4")).get_object_tagging(
        Bucket=relay.settings.media_bucket, Key=record.key
    )["TagSet"]
    assert tags == [{"Key": "relay:retention", "Value": "run"}]
    by_run = relay.dynamodb.query(
        TableName=relay.settings.media_table,
        IndexName="ByRun",
        KeyConditionExpression="run_id = :r",
        ExpressionAttributeValues={":r": {"S": run_id}},
    )["Items"]
    assert [item["media_id"]["S"] for item in by_run] == [good["media_id"]]


def test_media_attached_to_another_run_is_refused(client):
    first, second = _paused_run(client), _paused_run(client)
    media = _ready(client, run_id=first)
    assert media["run_id"] == first and media["expires_at"] is None
    assert_problem(_answer(client, second, {"media_id": media["media_id"]}), 400, "INVALID_INPUT_VALUE")
    assert _answer(client, first, {"media_id": media["media_id"]}).status_code == 202
    assert wait_for_status(client, first, "completed")["state"]["picture"] == media["media_id"]
