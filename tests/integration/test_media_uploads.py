"""Media uploads through the local cloud: real multipart form POSTs to the presigned URL,
the local S3 enforcing the policy as S3 does, verification on complete and on S3's
ObjectCreated notification (MediaUploaded), presigned downloads, expiry and tenancy."""

from __future__ import annotations

import hashlib

import boto3
import httpx
from botocore.config import Config

from media_helpers import JPEG, PNG, TEXT, create, upload, wait_for_media
from problems import assert_problem


def s3_client():
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def test_upload_complete_and_download(client, relay):
    created = create(client)
    assert created["status"] == "pending" and created["media_id"].startswith("media_")
    assert created["upload"]["fields"]["key"].startswith(f"uploads/{client.user.user_id}/{created['media_id']}/")
    assert created["expires_at"]

    response = upload(created, PNG)
    assert response.status_code == 204, response.text

    done = client.post(f"/v1/media/{created['media_id']}/complete")
    assert done.status_code == 200, done.text
    media = done.json()
    assert media["status"] == "ready"
    assert media["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert media["size_bytes"] == len(PNG)

    again = client.post(f"/v1/media/{created['media_id']}/complete")
    assert again.status_code == 200 and again.json()["sha256"] == media["sha256"]  # idempotent

    detail = client.get(f"/v1/media/{created['media_id']}").json()
    download = httpx.get(detail["download_url"])
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"

    tags = s3_client().get_object_tagging(Bucket=relay.settings.media_bucket, Key=created["upload"]["fields"]["key"])
    assert tags["TagSet"] == [{"Key": "relay:retention", "Value": "1d"}]


def test_the_notification_verifies_without_complete(client):
    created = create(client, JPEG, content_type="image/jpeg", filename="photo of me.jpg")
    assert upload(created, JPEG, filename="photo of me.jpg").status_code == 204
    media = wait_for_media(client, created["media_id"], "ready", "rejected")
    assert media["status"] == "ready", media
    assert media["sha256"] == hashlib.sha256(JPEG).hexdigest()


def test_magic_bytes_that_are_not_the_type_reject_and_delete(client, relay):
    created = create(client, TEXT)
    assert upload(created, TEXT).status_code == 204
    key = created["upload"]["fields"]["key"]
    # Whether the notification or complete decides first, complete answers the decision.
    body = assert_problem(client.post(f"/v1/media/{created['media_id']}/complete"), 422, "MEDIA_REJECTED")
    assert "not image/png" in body["reason"]
    media = client.get(f"/v1/media/{created['media_id']}").json()
    assert media["status"] == "rejected" and media["download_url"] is None
    objects = s3_client().list_objects_v2(Bucket=relay.settings.media_bucket, Prefix=key)
    assert objects.get("KeyCount", 0) == 0


def test_a_smaller_file_than_declared_is_rejected(client):
    created = create(client, PNG + b"padding")
    assert upload(created, PNG).status_code == 204  # within the form's 1..size_bytes
    media = wait_for_media(client, created["media_id"], "ready", "rejected")
    assert media["status"] == "rejected" and "declared" in media["reason"]


def test_complete_before_upload_is_409(client):
    created = create(client)
    assert_problem(client.post(f"/v1/media/{created['media_id']}/complete"), 409, "MEDIA_NOT_UPLOADED")


def _s3_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert f"<Code>{code}</Code>" in response.text, response.text
    return response.text


def _nothing_stored(relay, created) -> None:
    objects = s3_client().list_objects_v2(Bucket=relay.settings.media_bucket, Prefix=created["upload"]["fields"]["key"])
    assert objects.get("KeyCount", 0) == 0


def test_oversize_upload_is_refused_by_s3(client, relay):
    created = create(client)
    text = _s3_error(upload(created, PNG + b"x"), 400, "EntityTooLarge")
    assert "<MaxSizeAllowed>" in text
    _nothing_stored(relay, created)


def test_wrong_content_type_in_the_form_is_refused(client, relay):
    created = create(client)
    text = _s3_error(upload(created, PNG, **{"Content-Type": "text/html"}), 403, "AccessDenied")
    assert 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]' in text
    _nothing_stored(relay, created)


def test_another_key_is_refused(client, relay):
    created = create(client)
    other = created["upload"]["fields"]["key"].rsplit("/", 1)[0] + "/evil.png"
    _s3_error(upload(created, PNG, key=other), 403, "AccessDenied")
    assert s3_client().list_objects_v2(Bucket=relay.settings.media_bucket, Prefix=other).get("KeyCount", 0) == 0


def test_extra_fields_and_a_forged_signature_are_refused(client, relay):
    created = create(client)
    text = _s3_error(upload(created, PNG, acl="public-read"), 403, "AccessDenied")
    assert "Extra input fields: acl" in text
    signature = created["upload"]["fields"]["x-amz-signature"]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]
    _s3_error(upload(created, PNG, **{"x-amz-signature": forged}), 403, "SignatureDoesNotMatch")
    _nothing_stored(relay, created)


def test_an_expired_policy_is_refused(client, relay):
    created = create(client)
    fields = created["upload"]["fields"]
    expired = s3_client().generate_presigned_post(
        relay.settings.media_bucket,
        fields["key"],
        Fields={"Content-Type": "image/png", "tagging": fields["tagging"]},
        Conditions=[{"Content-Type": "image/png"}, {"tagging": fields["tagging"]}, ["content-length-range", 1, len(PNG)]],
        ExpiresIn=-60,
    )
    response = httpx.post(expired["url"], data=expired["fields"], files={"file": ("pic.png", PNG, "image/png")})
    text = _s3_error(response, 403, "AccessDenied")
    assert "Policy expired" in text
    _nothing_stored(relay, created)


def test_bad_requests_sign_nothing(client):
    assert_problem(
        client.post("/v1/media", json={"filename": "a.exe", "content_type": "application/x-msdownload", "size_bytes": 10}),
        400,
        "UNSUPPORTED_CONTENT_TYPE",
    )
    assert_problem(
        client.post("/v1/media", json={"filename": "a.png", "content_type": "image/png", "size_bytes": 26 * 1024 * 1024}),
        400,
        "MEDIA_TOO_LARGE",
    )
    assert_problem(
        client.post("/v1/media", json={"filename": "a.png", "content_type": "image/png", "size_bytes": 0}),
        400,
        "INVALID_REQUEST",
    )
    assert_problem(
        client.post("/v1/media", json={"filename": "a.png", "content_type": "image/png", "size_bytes": 9, "run_id": "run_nope"}),
        404,
        "NOT_FOUND",
    )


def test_forged_ids_and_other_tenants_are_404(client, make_client):
    created = create(client)
    assert upload(created, PNG).status_code == 204
    wait_for_media(client, created["media_id"], "ready")
    other = make_client()
    for path in (
        f"/v1/media/{created['media_id']}",
        "/v1/media/media_doesnotexist",
        "/v1/media/not-an-id",
        "/v1/media/" + "x" * 3000,
    ):
        assert_problem(other.get(path), 404, "NOT_FOUND")
    assert_problem(other.post(f"/v1/media/{created['media_id']}/complete"), 404, "NOT_FOUND")


def test_expired_media_is_gone(client, relay):
    created = create(client)
    media = relay.media_repository.get(created["media_id"])
    past = media.model_copy(update={"expires_at": "2020-01-01T00:00:00.000000Z"})
    relay.media_repository.decide(media, from_status=media.status, expires_at=past.expires_at)
    assert_problem(client.get(f"/v1/media/{created['media_id']}"), 404, "NOT_FOUND")
