"""user.select: options as strings or {value, label}, single or multiple answers."""

from __future__ import annotations

import pytest

from relay.runtime.modules import InvalidAnswerError, ModuleContext, ModuleInputError, get_module

CTX = ModuleContext(run_id="run_1", step_id="pick", module_index=0)


def request(**inputs):
    module = get_module("user.select")
    return module.request(module.parse_inputs(inputs), CTX)


def accept(request_, value):
    return get_module("user.select").accept(request_, value)


def test_plain_string_options_become_value_objects():
    assert request(prompt="Tone?", options=["calm", "loud"]) == {
        "prompt": "Tone?",
        "options": [{"value": "calm", "label": None}, {"value": "loud", "label": None}],
        "multiple": False,
    }


def test_value_label_options_and_mixed_forms():
    req = request(prompt="Tone?", options=[{"value": "c", "label": "Calm"}, "loud"], multiple=True)
    assert req["options"] == [{"value": "c", "label": "Calm"}, {"value": "loud", "label": None}]
    assert req["multiple"] is True


@pytest.mark.parametrize(
    "options",
    [[], ["a", "a"], ["a", {"value": "a", "label": "again"}], [""], [{"label": "no value"}], "abc", [5]],
)
def test_bad_options_are_refused(options):
    with pytest.raises(ModuleInputError):
        get_module("user.select").parse_inputs({"prompt": "p", "options": options})


def test_single_choice_accepts_an_offered_value():
    req = request(prompt="p", options=["a", {"value": "b", "label": "Bee"}])
    assert accept(req, "b") == {"value": "b"}


@pytest.mark.parametrize("value", ["Bee", "c", None, 1, ["a"]])
def test_single_choice_refuses_anything_else(value):
    req = request(prompt="p", options=["a", {"value": "b", "label": "Bee"}])
    with pytest.raises(InvalidAnswerError) as info:
        accept(req, value)
    assert info.value.code == "INVALID_INPUT_VALUE"


def test_multiple_accepts_a_list_of_offered_values():
    req = request(prompt="p", options=["a", "b", "c"], multiple=True)
    assert accept(req, ["c", "a"]) == {"value": ["c", "a"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a", "non-empty list"),
        ([], "non-empty list"),
        (["a", "a"], "more than once"),
        (["a", "z"], "not one of the offered"),
        (["a", 1], "not one of the offered"),
    ],
)
def test_multiple_refuses_bad_lists(value, message):
    req = request(prompt="p", options=["a", "b"], multiple=True)
    with pytest.raises(InvalidAnswerError, match=message):
        accept(req, value)
