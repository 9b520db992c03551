"""advance(): a pausing module (user.text_input) stops the run and describes the pause."""

from __future__ import annotations

from engine_helpers import DEFAULT_TIMEOUT, go, pending_for, typed_steps

from builders import compile_workflow, fmt, step, text
from relay.domain import Cursor, RunStatus


def prepare_then_ask(timeout_seconds=None):
    return compile_workflow(
        step("prep", fmt("draft", to="draft")),
        step("ask", text("Topic?", to="topic", max_length=50), timeout_seconds=timeout_seconds),
        step("after", fmt("{t}", {"t": "$state.topic"}, to="title")),
    )


def test_pauses_at_the_text_input():
    result = go(prepare_then_ask(timeout_seconds=120))
    assert result.outcome == "paused"
    assert result.status == RunStatus.running
    assert result.error is None
    pause = result.pause
    assert pause is not None
    assert (pause.step_id, pause.module_index, pause.module_id) == ("ask", 0, "user.text_input")
    assert pause.request == {"prompt": "Topic?", "default": None, "max_length": 50}
    assert pause.timeout_seconds == 120


def test_pause_as_dict_has_every_field():
    pause = go(prepare_then_ask(timeout_seconds=120)).pause
    assert pause.as_dict() == {
        "step_id": "ask",
        "module_index": 0,
        "module_id": "user.text_input",
        "request": {"prompt": "Topic?", "default": None, "max_length": 50},
        "timeout_seconds": 120,
    }


def test_pause_uses_the_default_timeout_when_the_step_has_none():
    assert go(prepare_then_ask()).pause.timeout_seconds == DEFAULT_TIMEOUT


def test_pause_cursor_progress_and_current_step_point_at_the_pausing_module():
    result = go(prepare_then_ask())
    assert result.cursor == Cursor(step_index=1, module_index=0, started=True)
    assert result.current_step == "ask"
    assert result.progress.value == round(1 / 3, 4)
    assert result.progress.stage == "ask"


def test_pause_events_stop_at_the_pausing_steps_start():
    result = go(prepare_then_ask())
    assert typed_steps(result) == [
        ("step_started", "prep"),
        ("module_completed", "prep"),
        ("step_completed", "prep"),
        ("step_started", "ask"),
    ]


def test_pausing_changes_no_state():
    workflow = compile_workflow(step("ask", text("Topic?", to="topic")))
    result = go(workflow, state={"existing": True})
    assert result.outcome == "paused"
    assert result.state == {"existing": True}


def test_pause_request_resolves_references():
    workflow = compile_workflow(step("ask", text("$state.question", to="a", default="$run.project_name")))
    result = go(workflow, state={"question": "Why?"}, project_name="demo")
    assert result.pause.request["prompt"] == "Why?"
    assert result.pause.request["default"] == "demo"


def test_still_pending_without_an_answer_pauses_again_with_no_events():
    workflow = prepare_then_ask(timeout_seconds=90)
    first = go(workflow)
    again = go(workflow, state=first.state, cursor=first.cursor, pending=pending_for(first.pause))
    assert again.outcome == "paused"
    assert again.events == []
    assert again.state == first.state
    assert again.cursor == first.cursor
    assert again.pause == first.pause


def test_rerunning_a_pause_at_a_steps_first_module_emits_no_duplicate_step_started():
    """A RunStep retried after its commit (pending input not yet recorded) must not write
    the pausing step's `step_started` a second time ("does nothing twice")."""
    workflow = prepare_then_ask()
    first = go(workflow)
    retried = go(workflow, state=first.state, cursor=first.cursor)
    assert retried.outcome == "paused"
    assert [e.event_type for e in retried.events] == []
