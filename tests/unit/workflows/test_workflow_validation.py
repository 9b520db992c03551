"""validate_workflow: step ids, modules, inputs, references and state targets."""

from __future__ import annotations

import pytest

from relay.workflows import validate_workflow
from relay.workflows.exceptions import WorkflowValidationError


def error_of(document) -> WorkflowValidationError:
    with pytest.raises(WorkflowValidationError) as caught:
        validate_workflow(document)
    return caught.value


def test_missing_module_input_names_step_and_module(workflow):
    del workflow["steps"][0]["modules"][1]["inputs"]["options"]
    error = error_of(workflow)
    assert str(error) == "step 'ask' module 2 (user.select): options: Field required"
    assert error.problems == [
        {
            "step_id": "ask",
            "step_index": 0,
            "module_index": 1,
            "module_id": "user.select",
            "message": "step 'ask' module 2 (user.select): options: Field required",
        }
    ]


def test_duplicate_step_ids(workflow):
    workflow["steps"][1]["step_id"] = "ask"
    [problem] = error_of(workflow).problems
    assert problem["message"] == "step 'ask': duplicate step_id (also step 1)"
    assert problem["step_index"] == 1


def test_missing_step_id(workflow):
    del workflow["steps"][1]["step_id"]
    [problem] = error_of(workflow).problems
    assert problem["message"] == "step 2: step_id: Field required"
    assert problem["step_id"] is None


def test_bad_step_id_pattern(workflow):
    workflow["steps"][0]["step_id"] = "-ask"
    assert "step '-ask': step_id: String should match pattern" in str(error_of(workflow))


def test_unknown_module_names_the_known_ones(workflow):
    workflow["steps"][1]["modules"][0]["module_id"] = "api.nope"
    [problem] = error_of(workflow).problems
    assert problem["module_id"] == "api.nope"
    assert problem["message"].startswith("step 'write' module 1 (api.nope): unknown module_id 'api.nope'")
    assert "user.select" in problem["message"] and "transform.format" in problem["message"]


def test_bad_module_input_values(workflow):
    workflow["steps"][0]["modules"][0]["inputs"]["max_length"] = 0
    workflow["steps"][0]["modules"][1]["inputs"]["options"] = ["a", "a"]
    messages = [p["message"] for p in error_of(workflow).problems]
    assert messages[0].startswith("step 'ask' module 1 (user.text_input): max_length:")
    assert messages[1].startswith("step 'ask' module 2 (user.select): ") and "unique" in messages[1]


def test_inputs_must_be_an_object(workflow):
    workflow["steps"][1]["modules"][0]["inputs"] = ["x"]
    assert str(error_of(workflow)).startswith(
        "step 'write' module 1 (transform.format): inputs: Input should be a valid dictionary"
    )


def test_references_defer_input_checks(workflow):
    workflow["steps"][0]["modules"][1]["inputs"]["options"] = "$state.choices"
    validate_workflow(workflow)


@pytest.mark.parametrize("bad", ["$state", "$state.", "$state..x", "$run.a b", "$step"])
def test_malformed_references(workflow, bad):
    workflow["steps"][1]["modules"][0]["inputs"]["values"]["t"] = bad
    [problem] = error_of(workflow).problems
    assert problem["message"].startswith("step 'write' module 1 (transform.format): inputs: malformed reference")
    assert repr(bad) in problem["message"]


@pytest.mark.parametrize("target", ["$state.x", "a-b", "a..b", "", "1a", ".a", "a."])
def test_bad_state_targets(workflow, target):
    workflow["steps"][0]["modules"][0]["outputs_to_state"] = {"value": target}
    message = str(error_of(workflow))
    assert message.startswith("step 'ask' module 1 (user.text_input): outputs_to_state: state target")


@pytest.mark.parametrize("name", ["my-out", "a.b", "", "1x"])
def test_output_names_must_be_identifiers(workflow, name):
    workflow["steps"][0]["modules"][0]["outputs_to_state"] = {name: "topic"}
    assert f"output name {name!r} must be an identifier" in str(error_of(workflow))


def test_outputs_to_state_values_must_be_strings(workflow):
    workflow["steps"][0]["modules"][0]["outputs_to_state"] = {"value": 3}
    assert "outputs_to_state.value: Input should be a valid string" in str(error_of(workflow))


def test_all_problems_are_reported_together(workflow):
    workflow["schema_version"] = ""
    workflow["steps"][1]["step_id"] = "ask"  # duplicate
    workflow["steps"][0]["modules"][0]["module_id"] = "nope.module"  # unknown
    del workflow["steps"][0]["modules"][1]["inputs"]["prompt"]  # bad inputs
    workflow["steps"][1]["modules"][0]["outputs_to_state"] = {"value": "$state.x"}  # bad target
    workflow["steps"][1]["modules"][0]["inputs"]["values"]["t"] = "$state..x"  # malformed ref
    workflow["steps"].append({"modules": [{"module_id": "user.text_input", "inputs": {}}]})  # no step_id
    error = error_of(workflow)
    found = {(p["step_index"], p["module_index"]) for p in error.problems}
    assert found == {(None, None), (0, 0), (0, 1), (1, None), (1, 0), (2, None), (2, 0)}
    assert len(error.problems) == 8
    assert str(error).startswith("8 problems: schema_version:")
