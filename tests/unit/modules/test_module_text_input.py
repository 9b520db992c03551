"""user.text_input: what it asks (`request`) and which answers it takes (`accept`)."""

from __future__ import annotations

import pytest

from relay.runtime.modules import InvalidAnswerError, ModuleContext, ModuleInputError, get_module

CTX = ModuleContext(run_id="run_1", step_id="ask", module_index=0)


def request(**inputs):
    module = get_module("user.text_input")
    return module.request(module.parse_inputs(inputs), CTX)


def accept(request_, value):
    return get_module("user.text_input").accept(request_, value)


def test_pauses():
    assert get_module("user.text_input").pauses is True


def test_request_carries_prompt_default_and_max_length():
    assert request(prompt="Topic?") == {"prompt": "Topic?", "default": None, "max_length": None}
    assert request(prompt="Topic?", default="cats", max_length=10) == {
        "prompt": "Topic?",
        "default": "cats",
        "max_length": 10,
    }


@pytest.mark.parametrize(
    "inputs",
    [{}, {"prompt": ""}, {"prompt": "p", "max_length": 0}, {"prompt": "p", "extra": 1}, {"prompt": 5}],
)
def test_bad_inputs_are_module_input_errors(inputs):
    with pytest.raises(ModuleInputError) as info:
        get_module("user.text_input").parse_inputs(inputs)
    assert info.value.code == "INVALID_MODULE_INPUT"


def test_accepts_a_string():
    assert accept(request(prompt="p"), "hello") == {"value": "hello"}


def test_accepts_the_empty_string():
    assert accept(request(prompt="p"), "") == {"value": ""}


def test_none_takes_the_default():
    assert accept(request(prompt="p", default="dflt"), None) == {"value": "dflt"}


def test_none_without_a_default_is_refused():
    with pytest.raises(InvalidAnswerError) as info:
        accept(request(prompt="p"), None)
    assert info.value.code == "INVALID_INPUT_VALUE"
    assert info.value.status == 400


@pytest.mark.parametrize("value", [5, 1.5, True, ["a"], {"v": "a"}])
def test_non_strings_are_refused(value):
    with pytest.raises(InvalidAnswerError):
        accept(request(prompt="p", default="d"), value)


def test_max_length_is_inclusive():
    req = request(prompt="p", max_length=3)
    assert accept(req, "abc") == {"value": "abc"}
    with pytest.raises(InvalidAnswerError, match="at most 3"):
        accept(req, "abcd")
