"""to_item / from_item: plain dicts to DynamoDB attribute maps and back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from relay.adapters.dynamo import from_item, to_attr, to_item


def test_round_trip_of_plain_values():
    record = {
        "s": "text",
        "i": 42,
        "big": 2**62 + 1,
        "neg": -7,
        "f": 1.5,
        "tiny": 0.1,
        "t": True,
        "fl": False,
        "nested": {"list": [1, 2.25, "x", {"deep": [0.3, None]}], "empty": {}},
        "empty_list": [],
    }
    assert from_item(to_item(record)) == record


def test_round_trip_keeps_types():
    back = from_item(to_item({"i": 3, "f": 0.25, "b": True, "l": [1, 0.5]}))
    assert type(back["i"]) is int
    assert type(back["f"]) is float
    assert type(back["b"]) is bool
    assert [type(v) for v in back["l"]] == [int, float]


def test_floats_are_sent_as_exact_decimal_strings():
    assert to_item({"f": 0.1}) == {"f": {"N": "0.1"}}
    assert to_attr(1.5) == {"N": "1.5"}


def test_integral_floats_come_back_equal():
    assert from_item(to_item({"f": 2.0})) == {"f": 2}


def test_top_level_none_is_dropped():
    item = to_item({"keep": "x", "gone": None})
    assert item == {"keep": {"S": "x"}}
    assert from_item(item) == {"keep": "x"}


def test_nested_none_is_kept():
    assert from_item(to_item({"m": {"a": None}})) == {"m": {"a": None}}


def test_tuples_become_lists():
    assert from_item(to_item({"t": (1, "a")})) == {"t": [1, "a"]}


def test_from_item_turns_decimals_into_numbers():
    assert from_item({"n": {"N": "10"}, "d": {"N": "2.5"}}) == {"n": 10, "d": 2.5}


def test_nan_is_refused():
    with pytest.raises(TypeError, match="Infinity and NaN not supported"):
        to_item({"x": Decimal("NaN")})
