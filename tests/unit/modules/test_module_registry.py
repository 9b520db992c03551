"""get_module and check_inputs: submit-time checks defer fields that hold references."""

from __future__ import annotations

import pytest

from relay.runtime.modules import UnknownModuleError, get_module, module_ids


def test_known_modules():
    assert {"user.text_input", "user.select", "transform.format"} <= set(module_ids())
    assert get_module("user.select").module_id == "user.select"


def test_unknown_module():
    with pytest.raises(UnknownModuleError) as info:
        get_module("user.nope")
    assert info.value.code == "UNKNOWN_MODULE"
    assert info.value.status == 400
    assert "user.text_input" in info.value.detail


def test_get_module_returns_fresh_instances():
    assert get_module("transform.format") is not get_module("transform.format")


def test_check_inputs_accepts_valid_inputs():
    assert get_module("user.select").check_inputs({"prompt": "p", "options": ["a"]}) == []


def test_check_inputs_reports_plain_problems():
    problems = get_module("user.text_input").check_inputs({"max_length": 0})
    assert any(p.startswith("prompt:") for p in problems)
    assert any(p.startswith("max_length:") for p in problems)


def test_check_inputs_needs_an_object():
    assert get_module("user.text_input").check_inputs(["prompt"]) == ["inputs must be an object"]


def test_a_reference_field_is_deferred():
    module = get_module("user.text_input")
    assert module.check_inputs({"prompt": "$state.question"}) == []
    assert module.check_inputs({"prompt": "$state.q", "max_length": "$run.inputs.n"}) == []


def test_a_nested_reference_defers_the_whole_field():
    module = get_module("user.select")
    assert module.check_inputs({"prompt": "p", "options": ["$state.a", 5]}) == []
    assert module.check_inputs({"prompt": "p", "options": "$state.choices"}) == []


def test_other_fields_are_still_checked_when_one_is_deferred():
    problems = get_module("user.text_input").check_inputs({"prompt": "$state.q", "max_length": 0})
    assert len(problems) == 1
    assert problems[0].startswith("max_length:")


def test_unknown_fields_are_reported():
    problems = get_module("transform.format").check_inputs({"template": "x", "tempalte": "y"})
    assert problems and problems[0].startswith("tempalte:")


def test_statement_is_not_deferred():
    """'$statement' is a plain string: the field is checked now."""
    problems = get_module("user.text_input").check_inputs({"prompt": "$statement", "max_length": "$statement"})
    assert any(p.startswith("max_length:") for p in problems)
