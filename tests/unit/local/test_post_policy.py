"""The local S3's check of browser form POSTs against their policy (S3's rules and errors)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config

from relay_tools.local.post_policy import PolicyError, check_signature, evaluate

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = "uploads/usr_1/media_1/pic.png"


def policy(**overrides):
    base = {
        "expiration": (NOW + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": [
            {"bucket": "media"},
            {"key": KEY},
            {"Content-Type": "image/png"},
            ["starts-with", "$x-amz-meta-tag", "ok"],
            ["content-length-range", 1, 100],
        ],
    }
    return {**base, **overrides}


def form(**overrides):
    fields = {"key": KEY, "content-type": "image/png", "x-amz-meta-tag": "okay", "policy": "p"}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def refused(policy_, form_, size=10, bucket="media") -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        evaluate(policy_, form_, bucket, size, NOW)
    return caught.value


def test_a_form_that_fits_passes():
    evaluate(policy(), form(), "media", 10, NOW)


def test_expired():
    error = refused(policy(expiration=(NOW - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")), form())
    assert (error.status, error.code, error.message) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")


@pytest.mark.parametrize(
    ("changes", "bucket", "failed"),
    [
        ({"key": "uploads/usr_1/media_1/other.png"}, "media", '["eq", "$key", "uploads/usr_1/media_1/pic.png"]'),
        ({"content-type": "text/html"}, "media", '["eq", "$Content-Type", "image/png"]'),
        ({"content-type": None}, "media", '["eq", "$Content-Type", "image/png"]'),
        ({"x-amz-meta-tag": "bad"}, "media", '["starts-with", "$x-amz-meta-tag", "ok"]'),
        ({}, "other-bucket", '["eq", "$bucket", "media"]'),
    ],
)
def test_each_condition(changes, bucket, failed):
    error = refused(policy(), form(**changes), bucket=bucket)
    assert error.status == 403 and error.code == "AccessDenied"
    assert error.message == f"Invalid according to Policy: Policy Condition failed: {failed}"
    assert b"<Code>AccessDenied</Code>" in error.xml()


def test_sizes():
    big = refused(policy(), form(), size=101)
    assert (big.status, big.code) == (400, "EntityTooLarge")
    assert b"<MaxSizeAllowed>100</MaxSizeAllowed>" in big.xml()
    small = refused(policy(), form(), size=0)
    assert (small.status, small.code) == (400, "EntityTooSmall")


def test_fields_no_condition_names_are_refused():
    error = refused(policy(), form(acl="public-read", **{"x-ignore-me": "fine"}))
    assert error.message == "Invalid according to Policy: Extra input fields: acl"


def test_signatures_from_boto3_verify_and_forgeries_do_not():
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        endpoint_url="http://127.0.0.1:1",
        config=Config(signature_version="s3v4"),
    )
    post = client.generate_presigned_post(
        "media", KEY, Fields={"Content-Type": "image/png"}, Conditions=[{"Content-Type": "image/png"}], ExpiresIn=60
    )
    fields = {k.lower(): v for k, v in post["fields"].items()}
    check_signature(fields, {"local": "local"})
    assert json.loads(base64.b64decode(fields["policy"]))["conditions"][0] == {"Content-Type": "image/png"}

    with pytest.raises(PolicyError) as wrong_secret:
        check_signature(fields, {"local": "other"})
    assert wrong_secret.value.code == "SignatureDoesNotMatch"
    with pytest.raises(PolicyError) as unknown_key:
        check_signature(fields, {"someone": "local"})
    assert unknown_key.value.code == "InvalidAccessKeyId"
    tampered = {**fields, "policy": base64.b64encode(b'{"expiration": "2099-01-01T00:00:00Z", "conditions": []}').decode()}
    with pytest.raises(PolicyError):
        check_signature(tampered, {"local": "local"})
