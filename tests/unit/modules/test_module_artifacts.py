"""artifact.store, artifact.load and user.approve on their own: input checks at submit time,
what they hand the injected store, and how user.approve reads an answer (shape, decision)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from relay.runtime.modules import ModuleContext, get_module
from relay.runtime.modules.exceptions import InvalidAnswerError, ModuleError, ModuleInputError


def test_store_inputs_are_checked_at_submit_time():
    store = get_module("artifact.store")
    good = {"data": {"a": 1}, "artifact_name": "draft", "artifact_type": "deliverable", "format": "json"}
    assert store.check_inputs(good) == []
    assert store.check_inputs({**good, "data": "$state.x"}) == []
    assert store.check_inputs({**good, "artifact_type": "final"})
    assert store.check_inputs({**good, "format": "yaml"})
    assert store.check_inputs({**good, "artifact_name": "has space"})


def test_load_takes_exactly_one_of_name_and_id():
    load = get_module("artifact.load")
    assert load.check_inputs({"artifact_name": "draft"}) == []
    assert load.check_inputs({"artifact_id": "$state.id"}) == []
    assert load.check_inputs({}) and load.check_inputs({"artifact_name": "a", "artifact_id": "art_1"})
    with pytest.raises(ModuleInputError):
        load.execute(load.parse_inputs({}), ModuleContext(run_id="run_1", step_id="s", module_index=0, artifacts=object()))


def test_load_of_a_missing_artifact_fails_the_run():
    load = get_module("artifact.load")
    store = SimpleNamespace(find=lambda **kw: None)
    with pytest.raises(ModuleError) as failed:
        load.execute(
            load.parse_inputs({"artifact_name": "x"}), ModuleContext(run_id="r", step_id="s", module_index=0, artifacts=store)
        )
    assert failed.value.code == "ARTIFACT_NOT_FOUND"


def test_approve_reads_a_decision_and_refuses_anything_else():
    approve = get_module("user.approve")
    assert approve.answer_key({"decision": "approve"}) == "approve"
    assert approve.answer_key({"decision": "reject", "reason": "no"}) == "reject"
    for bad in (
        "approve",
        {"decision": "yes"},
        {"decision": "reject", "reason": 3},
        {"decision": "approve", "extra": 1},
        {"decision": "reject", "reason": "x" * 2001},
    ):
        with pytest.raises(InvalidAnswerError):
            approve.answer_key(bad)
    request = {"artifact_name": "draft", "on_reject": None}
    value = approve.resolve_answer(request, {"decision": "approve"}, {"artifact_id": "art_2", "version": 2})
    assert approve.accept(request, value) == {
        "artifact_id": "art_2",
        "version": 2,
        "status": "approved",
        "decision": "approve",
        "reason": None,
    }
    assert approve.route(request, approve.accept(request, value)) is None
    rejected = approve.accept(request, {**value, "decision": "reject", "reason": "off"})
    assert approve.route({**request, "on_reject": "rework"}, rejected) == "rework"
    with pytest.raises(ModuleError) as failed:
        approve.route(request, rejected)
    assert failed.value.code == "REJECTED" and "off" in failed.value.detail
    assert approve.pause_timeout({"timeout_seconds": 30}) == 30 and approve.pause_timeout({}) is None


def test_on_reject_must_name_a_step_of_the_workflow_at_submit():
    from relay.workflows import WorkflowValidationError, validate_workflow

    def workflow(on_reject):
        return {
            "workflow_id": "wf",
            "schema_version": "1.0",
            "steps": [
                {
                    "step_id": "review",
                    "modules": [{"module_id": "user.approve", "inputs": {"artifact_name": "draft", "on_reject": on_reject}}],
                },
                {"step_id": "rework", "modules": [{"module_id": "transform.format", "inputs": {"template": "x"}}]},
            ],
        }

    assert validate_workflow(workflow("rework"))
    assert validate_workflow(workflow("$state.where"))  # a reference is checked when the run gets there
    with pytest.raises(WorkflowValidationError) as bad:
        validate_workflow(workflow("nowhere"))
    assert "continues at step 'nowhere'" in str(bad.value) and bad.value.extra["problems"][0]["step_id"] == "review"
