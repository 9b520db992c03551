"""validate_workflow: the shape of a workflow (ids, lengths, types)."""

from __future__ import annotations

import pytest

from relay.workflows import Workflow, validate_workflow
from relay.workflows.exceptions import WorkflowValidationError


def problems_of(document) -> list[str]:
    with pytest.raises(WorkflowValidationError) as caught:
        validate_workflow(document)
    error = caught.value
    assert (error.code, error.status) == ("INVALID_WORKFLOW", 400)
    assert error.problems == error.extra["problems"]
    return [p["message"] for p in error.problems]


def test_valid_workflow(workflow):
    model = validate_workflow(workflow)
    assert isinstance(model, Workflow)
    assert [s.step_id for s in model.steps] == ["ask", "write"]
    assert model.step("write").timeout_seconds == 60
    assert model.steps[0].modules[1].outputs_to_state == {"value": "style.tone"}


def test_extra_workflow_fields_are_kept(workflow):
    workflow["metadata"] = {"owner": "me"}
    assert validate_workflow(workflow).model_extra == {"metadata": {"owner": "me"}}


@pytest.mark.parametrize("document", [[], "x", None, 3])
def test_not_an_object(document):
    assert problems_of(document) == ["the workflow must be a JSON object"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("workflow_id", "bad id!", "workflow_id: String should match pattern"),
        ("workflow_id", "", "workflow_id: String should have at least 1 character"),
        ("workflow_id", "a" * 129, "workflow_id: String should have at most 128 characters"),
        ("schema_version", "", "schema_version: String should have at least 1 character"),
        ("schema_version", 3.0, "schema_version: Input should be a valid string"),
        ("steps", [], "steps: List should have at least 1 item"),
    ],
)
def test_workflow_fields(workflow, field, value, expected):
    workflow[field] = value
    assert any(m.startswith(expected) for m in problems_of(workflow)), problems_of(workflow)


def test_required_workflow_fields(workflow):
    del workflow["schema_version"], workflow["workflow_id"]
    assert sorted(problems_of(workflow)) == [
        "schema_version: Field required",
        "workflow_id: Field required",
    ]


def test_too_many_steps(workflow):
    step = workflow["steps"][1]
    workflow["steps"] = [dict(step, step_id=f"s{i}") for i in range(201)]
    assert "steps: List should have at most 200 items after validation, not 201" in problems_of(workflow)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (0, "greater than or equal to 1"),
        (31_536_001, "less than or equal to 31536000"),
        ("60", "valid integer"),
        (True, "valid integer"),
    ],
)
def test_timeout_seconds(workflow, value, fragment):
    workflow["steps"][1]["timeout_seconds"] = value
    [message] = problems_of(workflow)
    assert message.startswith("step 'write': timeout_seconds: ") and fragment in message


def test_step_needs_modules(workflow):
    workflow["steps"][1]["modules"] = []
    [message] = problems_of(workflow)
    assert message.startswith("step 'write': modules: List should have at least 1 item")


def test_unknown_step_and_module_keys_are_typos(workflow):
    workflow["steps"][0]["modules"][0]["output_to_state"] = {"value": "x"}
    workflow["steps"][1]["modul"] = []
    assert problems_of(workflow) == [
        "step 'ask' module 1 (user.text_input): output_to_state: Extra inputs are not permitted",
        "step 'write': modul: Extra inputs are not permitted",
    ]


def test_non_object_step_and_module(workflow):
    workflow["steps"][0]["modules"][1] = "user.select"
    workflow["steps"].append(7)
    messages = problems_of(workflow)
    assert any(m.startswith("step 'ask' module 2: Input should be") for m in messages)
    assert any(m.startswith("step 3: Input should be") for m in messages)


@pytest.mark.parametrize("timeout", [60.0, 1.0])
def test_an_integral_float_is_an_integer_as_in_json_schema(workflow, timeout):
    workflow["steps"][1]["timeout_seconds"] = timeout
    assert validate_workflow(workflow).step("write").timeout_seconds == int(timeout)


@pytest.mark.parametrize("timeout", [60.5, "60", True, 0.0])
def test_other_timeouts_stay_refused(workflow, timeout):
    workflow["steps"][1]["timeout_seconds"] = timeout
    assert any("timeout_seconds" in message for message in problems_of(workflow))


@pytest.mark.parametrize("target", ["a\n", "a.b\n", "$state.a"])
def test_state_targets_match_whole(workflow, target):
    # fullmatch: `$` would let a trailing newline through in Python, not in JSON Schema
    workflow["steps"][0]["modules"][0]["outputs_to_state"] = {"value": target}
    assert problems_of(workflow)
