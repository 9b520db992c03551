"""advance(): a failing module ends the run in error with the module's code."""

from __future__ import annotations

import pytest
from engine_helpers import go, typed_steps

from builders import compile_workflow, fmt, step, text
from relay.domain import Cursor, RunStatus


def fails_in_second_step(bad_module):
    return compile_workflow(
        step("ok", fmt("fine", to="first")),
        step("bad", fmt("also fine", to="second"), bad_module),
        step("never", fmt("unreached", to="third")),
    )


@pytest.mark.parametrize(
    ("bad_module", "code"),
    [
        (fmt("{missing}", {}), "FORMAT_ERROR"),
        (fmt("{x.__class__}", {"x": 1}), "FORMAT_ERROR"),
        (fmt("{v}", {"v": "$state.nope"}), "UNRESOLVED_REFERENCE"),
        (fmt("{v}", {"v": "$run.inputs.nope"}), "UNRESOLVED_REFERENCE"),
        (fmt("x", {}, to={"not_an_output": "t"}), "UNKNOWN_OUTPUT"),
        (text("$state.n"), "INVALID_MODULE_INPUT"),  # prompt resolves to an int
    ],
)
def test_failure_codes(bad_module, code):
    result = go(fails_in_second_step(bad_module), state={"n": 5})
    assert result.outcome == "failed"
    assert result.status == RunStatus.error
    assert result.error.code == code
    assert result.error.message


def test_failure_events_name_the_module_and_the_error():
    result = go(fails_in_second_step(fmt("{missing}", {})))
    assert typed_steps(result)[-2:] == [("module_failed", "bad"), ("run_failed", None)]
    failed, run_failed = result.events[-2], result.events[-1]
    error = {"code": "FORMAT_ERROR", "message": result.error.message}
    assert failed.data == {"module_index": 1, "module_id": "transform.format", "error": error}
    assert run_failed.data == {"error": error}


def test_failure_keeps_state_up_to_the_failing_module():
    result = go(fails_in_second_step(fmt("{missing}", {})), state={"given": 0})
    assert result.state == {"given": 0, "first": "fine", "second": "also fine"}
    assert result.cursor == Cursor(step_index=1, module_index=1, started=True)
    assert result.current_step == "bad"
    assert result.progress.stage == "bad"
    assert result.progress.message == result.error.message


def test_failure_runs_nothing_after_the_failing_module():
    result = go(fails_in_second_step(fmt("{missing}", {})))
    assert "never" not in {e.step_id for e in result.events}
    assert "step_completed" not in [e.event_type for e in result.events if e.step_id == "bad"]


def test_unknown_output_error_names_the_missing_output():
    result = go(fails_in_second_step(fmt("x", {}, to={"nope": "t"})))
    assert "nope" in result.error.message


def test_a_failed_module_writes_none_of_its_outputs():
    """`value` maps fine but `nope` does not: the module failed, so `t` must not be set."""
    result = go(fails_in_second_step(fmt("x", {}, to={"value": "t", "nope": "u"})))
    assert result.error.code == "UNKNOWN_OUTPUT"
    assert "t" not in result.state


def test_unknown_module_at_run_time_fails_the_run():
    """A workflow that skipped submit-time validation still fails cleanly, not with a crash."""
    from relay.workflows import Workflow

    workflow = Workflow.model_validate(
        {"workflow_id": "w", "schema_version": "1", "steps": [{"step_id": "s", "modules": [{"module_id": "no.such"}]}]}
    )
    result = go(workflow)
    assert result.outcome == "failed"
    assert result.error.code == "UNKNOWN_MODULE"
