"""Chain definitions at submit (relay.domain.chains): every rule refuses with its code and
names the step; levels of a valid DAG."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from relay.domain.chain_artifacts import stored_names
from relay.domain.chains import ChainDefinition, StoredNames, check_artifacts, check_graph, level_groups
from relay.domain.exceptions import InvalidChainError


def chain(*steps: dict[str, Any]) -> ChainDefinition:
    return ChainDefinition.model_validate({"name": "c", "steps": [{"template_name": "t", **s} for s in steps]})


def diamond() -> ChainDefinition:
    return chain(
        {"step_id": "A"},
        {"step_id": "B", "depends_on": ["A"], "inputs": {"text": "$steps.A.artifacts.draft"}},
        {"step_id": "C", "depends_on": ["A"], "inputs": {"topic": "$steps.A.state.topic", "n": 3}},
        {"step_id": "D", "depends_on": ["B", "C"], "inputs": {"b": "$steps.B.artifacts.out", "c": "$steps.C.artifacts.out"}},
    )


def test_diamond_levels():
    levels = check_graph(diamond())
    assert levels == {"A": 0, "B": 1, "C": 1, "D": 2}
    assert level_groups(levels) == [["A"], ["B", "C"], ["D"]]


def test_level_is_one_more_than_the_deepest_dependency():
    levels = check_graph(
        chain({"step_id": "x"}, {"step_id": "y", "depends_on": ["x"]}, {"step_id": "z", "depends_on": ["x", "y"]})
    )
    assert levels["z"] == 2


def refusal(definition: ChainDefinition) -> InvalidChainError:
    with pytest.raises(InvalidChainError) as caught:
        check_graph(definition)
    return caught.value


def test_cycle_is_named():
    error = refusal(
        chain(
            {"step_id": "A"},
            {"step_id": "B", "depends_on": ["A", "D"]},
            {"step_id": "C", "depends_on": ["B"]},
            {"step_id": "D", "depends_on": ["C"]},
        )
    )
    assert error.code == "CHAIN_CYCLE"
    assert error.extra["cycle"] == ["B", "D", "C", "B"]
    assert "B -> D -> C -> B" in error.detail


def test_self_dependency_is_a_cycle():
    error = refusal(chain({"step_id": "A", "depends_on": ["A"]}))
    assert error.code == "CHAIN_CYCLE" and error.extra["step_id"] == "A"


def test_depends_on_a_missing_step():
    error = refusal(chain({"step_id": "A"}, {"step_id": "B", "depends_on": ["nope"]}))
    assert error.code == "CHAIN_UNKNOWN_DEPENDENCY"
    assert error.extra == {"step_id": "B", "depends_on": "nope"}


def test_input_naming_a_step_it_does_not_depend_on():
    error = refusal(chain({"step_id": "A"}, {"step_id": "B", "inputs": {"x": "$steps.A.artifacts.draft"}}))
    assert error.code == "CHAIN_INPUT_NOT_DEPENDENCY"
    assert error.extra == {"step_id": "B", "input": "x"}


def test_malformed_reference():
    error = refusal(chain({"step_id": "A"}, {"step_id": "B", "depends_on": ["A"], "inputs": {"x": "$steps.A.outputs"}}))
    assert error.code == "INVALID_CHAIN" and error.extra["step_id"] == "B"


def test_duplicate_step_id():
    error = refusal(chain({"step_id": "A"}, {"step_id": "A"}))
    assert error.code == "DUPLICATE_CHAIN_STEP" and error.extra["step_id"] == "A"


def test_shape_rules():
    with pytest.raises(ValidationError):
        ChainDefinition.model_validate({"name": "c", "steps": [{"step_id": "A", "extra": 1}]})
    with pytest.raises(ValidationError):
        ChainDefinition.model_validate({"name": "c", "steps": [{"step_id": "a.b", "template_name": "t"}]})
    with pytest.raises(ValidationError):
        ChainDefinition.model_validate({"name": "c", "steps": []})


def test_artifact_the_upstream_template_never_stores():
    stored = {s: StoredNames(exact=frozenset({"out"})) for s in "BCD"} | {"A": StoredNames(exact=frozenset({"draft"}))}
    check_artifacts(diamond(), stored)
    stored["C"] = StoredNames(exact=frozenset({"other"}))
    with pytest.raises(InvalidChainError) as caught:
        check_artifacts(diamond(), stored)
    assert caught.value.code == "CHAIN_UNKNOWN_ARTIFACT"
    assert caught.value.extra == {"step_id": "D", "input": "c"}


def test_stored_names_read_from_the_workflow():
    workflow = {
        "steps": [
            {
                "step_id": "s",
                "modules": [
                    {"module_id": "artifact.store", "inputs": {"artifact_name": "draft", "data": "x"}},
                    {"module_id": "media.generate", "inputs": {"artifact_name": "img"}},
                    {"module_id": "transform.set", "inputs": {"artifact_name": "not-stored"}},
                ],
            }
        ]
    }
    names = stored_names(workflow)
    assert names.may_store("draft") and names.may_store("img.9.1")
    assert not names.may_store("not-stored") and not names.may_store("img")
    dynamic = stored_names({"steps": [{"modules": [{"module_id": "artifact.store", "inputs": {"artifact_name": "$state.n"}}]}]})
    assert dynamic.may_store("anything")


def test_exactly_one_of_template_name_or_version_id():
    neither = ChainDefinition.model_validate({"name": "c", "steps": [{"step_id": "A"}]})
    both = ChainDefinition.model_validate({"name": "c", "steps": [{"step_id": "A", "template_name": "t", "version_id": "ver_x"}]})
    for definition in (neither, both):
        error = refusal(definition)
        assert error.code == "INVALID_CHAIN" and error.extra["step_id"] == "A"
