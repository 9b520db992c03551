"""canonical_json / content_hash: the one hash the server and the CLI share."""

from __future__ import annotations

import hashlib
import json

import pytest

from relay.workflows import canonical_json, content_hash
from relay.workflows.exceptions import InvalidJsonValueError


def test_known_vector_computed_by_hand():
    document = {"b": [1, 2.5, None, True], "a": "x"}
    expected_bytes = b'{"a":"x","b":[1,2.5,null,true]}'
    assert canonical_json(document) == expected_bytes
    assert content_hash(document) == "sha256:" + hashlib.sha256(expected_bytes).hexdigest()


def test_fixed_digest_never_changes():
    # Pinned: changing the canonical form would split every stored version in two.
    assert content_hash({"workflow_id": "w", "steps": []}) == (
        "sha256:" + hashlib.sha256(b'{"steps":[],"workflow_id":"w"}').hexdigest()
    )
    assert content_hash({}) == ("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")


def test_key_order_does_not_matter():
    one = {"a": 1, "b": {"y": [1, {"q": 1, "p": 2}], "x": 2}}
    two = {"b": {"x": 2, "y": [1, {"p": 2, "q": 1}]}, "a": 1}
    assert canonical_json(one) == canonical_json(two)
    assert content_hash(one) == content_hash(two)


def test_list_order_matters():
    assert content_hash({"a": [1, 2]}) != content_hash({"a": [2, 1]})


def test_whitespace_in_source_json_does_not_matter():
    pretty = json.loads('{\n  "a" : [ 1 ,\n 2 ]\n}')
    compact = json.loads('{"a":[1,2]}')
    assert content_hash(pretty) == content_hash(compact)


def test_unicode_is_raw_utf8_not_escaped():
    document = {"t": "héllo ✓ 😀", "ü": 1}
    encoded = canonical_json(document)
    assert encoded == '{"t":"héllo ✓ 😀","ü":1}'.encode()
    assert b"\\u" not in encoded


def test_keys_sorted_by_code_point():
    assert canonical_json({"é": 1, "z": 2, "B": 3, "a": 4}) == '{"B":3,"a":4,"z":2,"é":1}'.encode()


def test_control_characters_and_quotes_are_escaped():
    assert canonical_json({"s": 'a"b\\c\nd\x01'}) == b'{"s":"a\\"b\\\\c\\nd\\u0001"}'


def test_numbers_as_python_json_writes_them():
    assert canonical_json([1, 1.0, 1.5, 1e-07, 1e20, -0.0, 10**30]) == (
        b"[1,1.0,1.5,1e-07,1e+20,-0.0,1000000000000000000000000000000]"
    )
    assert content_hash({"n": 1}) != content_hash({"n": 1.0})


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_rejected(bad):
    with pytest.raises(InvalidJsonValueError) as caught:
        canonical_json({"x": [bad]})
    assert caught.value.code == "INVALID_JSON_VALUE"
    assert caught.value.status == 400


@pytest.mark.parametrize("bad", [{1: "a"}, {"a": {None: 1}}, {"s": {1, 2}}, {"b": b"x"}, {"s": "\ud800"}])
def test_values_without_a_json_form_are_rejected(bad):
    with pytest.raises(InvalidJsonValueError):
        canonical_json(bad)
