"""encode_cursor / decode_cursor: opaque page cursors; anything not ours is INVALID_CURSOR."""

from __future__ import annotations

import base64
import json

import pytest

from relay.adapters.dynamo import decode_cursor, encode_cursor
from relay.exceptions import InvalidRequestError

KEYS = {"user_id", "template_name"}
LAST = {"user_id": {"S": "usr_1"}, "template_name": {"S": "flow/ü+?"}}


def b64(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_round_trip():
    cursor = encode_cursor(LAST)
    assert decode_cursor(cursor, expected_keys=KEYS) == LAST


def test_cursor_is_url_safe_and_unpadded():
    cursor = encode_cursor({"a": {"S": "?" * 7}, "b": {"N": "12"}})
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_numeric_keys_round_trip():
    last = {"run_id": {"S": "run_1"}, "seq": {"N": "17"}}
    assert decode_cursor(encode_cursor(last), expected_keys={"run_id", "seq"}) == last


def test_no_last_key_is_no_cursor():
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None


def test_no_cursor_is_the_first_page():
    assert decode_cursor(None, expected_keys=KEYS) is None
    assert decode_cursor("", expected_keys=KEYS) is None


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "not-a-cursor",
        "é",
        b64(b"\xff\xfe\x00"),
        b64(b"{not json"),
        b64([1, 2]),
        b64("string"),
        b64({"user_id": {"S": "u"}}),  # a key missing
        b64({**LAST, "extra": {"S": "x"}}),  # a key too many
        b64({"other": {"S": "u"}, "template_name": {"S": "t"}}),
        b64({"user_id": "u", "template_name": {"S": "t"}}),  # not an attribute
        b64({"user_id": {"M": {}}, "template_name": {"S": "t"}}),  # not S or N
        b64({"user_id": {"S": "u", "N": "1"}, "template_name": {"S": "t"}}),
    ],
)
def test_garbage_is_invalid_cursor(cursor):
    with pytest.raises(InvalidRequestError) as info:
        decode_cursor(cursor, expected_keys=KEYS)
    assert info.value.code == "INVALID_CURSOR"
    assert info.value.status == 400


@pytest.mark.parametrize(
    "key",
    [
        {"user_id": {"S": "u"}, "template_name": {"S": 5}},
        {"user_id": {"S": "u"}, "template_name": {"S": ["x"]}},
        {"user_id": {"S": "u"}, "template_name": {"N": "not-a-number"}},
        {"user_id": {"S": "u"}, "template_name": {"N": 5}},
    ],
)
def test_attribute_values_of_the_wrong_type_are_invalid_cursor(key):
    """Such a cursor would reach DynamoDB as ExclusiveStartKey and fail there as a 500
    (botocore ParamValidationError / ValidationException) instead of a 400 here."""
    with pytest.raises(InvalidRequestError) as info:
        decode_cursor(b64(key), expected_keys=KEYS)
    assert info.value.code == "INVALID_CURSOR"
