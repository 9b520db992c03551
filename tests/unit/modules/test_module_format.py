"""transform.format: str.format over named values only, failing with FORMAT_ERROR."""

from __future__ import annotations

import pytest

from relay.runtime.modules import ModuleContext, ModuleError, get_module

CTX = ModuleContext(run_id="run_1", step_id="s", module_index=0)


def render(template, **values):
    module = get_module("transform.format")
    return module.execute(module.parse_inputs({"template": template, "values": values}), CTX)


def test_does_not_pause():
    assert get_module("transform.format").pauses is False


def test_formats_named_values():
    assert render("{greeting}, {name}!", greeting="Hi", name="Ada") == {"value": "Hi, Ada!"}


def test_format_specs_and_conversions_still_work():
    assert render("{n:>4}|{s!r}", n=7, s="x") == {"value": "   7|'x'"}


def test_literal_braces():
    assert render("{{not a field}} {x}", x=1) == {"value": "{not a field} 1"}


def test_values_default_to_empty():
    module = get_module("transform.format")
    assert module.execute(module.parse_inputs({"template": "plain"}), CTX) == {"value": "plain"}


@pytest.mark.parametrize(
    "template",
    [
        "{x.__class__}",
        "{x.__class__.__mro__}",
        "{x[0]}",
        "{x.real}",
        "{0}",
        "{}",
        "{x:{x.__class__}}",  # nested spec fields are checked too
    ],
)
def test_attribute_index_and_positional_fields_are_refused(template):
    with pytest.raises(ModuleError) as info:
        render(template, x="abc")
    assert info.value.code == "FORMAT_ERROR"


def test_missing_value_is_a_format_error():
    with pytest.raises(ModuleError, match="missing") as info:
        render("{absent}")
    assert info.value.code == "FORMAT_ERROR"


@pytest.mark.parametrize("template", ["{unclosed", "closed}", "{x:zz}"])
def test_malformed_templates_are_format_errors(template):
    with pytest.raises(ModuleError) as info:
        render(template, x=1)
    assert info.value.code == "FORMAT_ERROR"


def test_empty_template_is_an_input_error():
    with pytest.raises(ModuleError) as info:
        get_module("transform.format").parse_inputs({"template": ""})
    assert info.value.code == "INVALID_MODULE_INPUT"
