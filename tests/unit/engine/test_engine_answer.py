"""advance(): applying a human's Answer to the current pause, and ignoring a stale one."""

from __future__ import annotations

from engine_helpers import go, pending_for, typed_steps

from builders import compile_workflow, fmt, select, step, text
from relay.domain import Cursor, RunStatus
from relay.runtime.engine import Answer


def ask_then_use():
    return compile_workflow(
        step("ask", text("Topic?", to="a.b"), fmt("{t}!", {"t": "$state.a.b"}, to="title")),
        step("end", fmt("done", to="status")),
    )


def paused(workflow, **kwargs):
    first = go(workflow, **kwargs)
    assert first.outcome == "paused"
    return first, pending_for(first.pause, input_id="inp_1")


def test_matching_answer_emits_input_received_then_module_completed():
    workflow = ask_then_use()
    first, pending = paused(workflow)
    answer = Answer(input_id="inp_1", step_id="ask", value="cats", decided_by="alice")
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    received, completed = result.events[0], result.events[1]
    assert (received.event_type, received.step_id) == ("input_received", "ask")
    assert received.data == {
        "input_id": "inp_1",
        "module_index": 0,
        "module_id": "user.text_input",
        "value": "cats",
        "decided_by": "alice",
    }
    assert (completed.event_type, completed.step_id) == ("module_completed", "ask")
    assert completed.data == {"module_index": 0, "module_id": "user.text_input", "outputs": {"value": "cats"}}


def test_answer_lands_in_a_dotted_state_target_and_the_run_continues():
    workflow = ask_then_use()
    first, pending = paused(workflow)
    answer = Answer(input_id="inp_1", step_id="ask", value="cats")
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    assert result.outcome == "completed"
    assert result.status == RunStatus.completed
    assert result.state == {"a": {"b": "cats"}, "title": "cats!", "status": "done"}


def test_answer_does_not_restart_the_step():
    workflow = ask_then_use()
    first, pending = paused(workflow)
    answer = Answer(input_id="inp_1", step_id="ask", value="cats")
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    assert typed_steps(result) == [
        ("input_received", "ask"),
        ("module_completed", "ask"),
        ("module_completed", "ask"),
        ("step_completed", "ask"),
        ("step_started", "end"),
        ("module_completed", "end"),
        ("step_completed", "end"),
        ("run_completed", None),
    ]


def test_dotted_target_merges_into_an_existing_object():
    workflow = compile_workflow(step("ask", text("Topic?", to="a.b")))
    first, pending = paused(workflow, state={"a": {"c": 1}, "z": 0})
    answer = Answer(input_id="inp_1", step_id="ask", value="x")
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    assert result.state == {"a": {"c": 1, "b": "x"}, "z": 0}


def test_answer_to_a_select_with_several_values():
    workflow = compile_workflow(step("pick", select("Tones?", ["calm", "loud"], to="tones", multiple=True)))
    first, pending = paused(workflow)
    answer = Answer(input_id="inp_1", step_id="pick", value=["loud", "calm"])
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    assert result.outcome == "completed"
    assert result.state == {"tones": ["loud", "calm"]}


def test_stale_answer_pauses_again_and_changes_nothing():
    workflow = ask_then_use()
    first, pending = paused(workflow, state={"keep": 1})
    stale = Answer(input_id="inp_OLD", step_id="ask", value="cats")
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=stale)
    assert result.outcome == "paused"
    assert result.events == []
    assert result.state == {"keep": 1}
    assert result.cursor == Cursor(step_index=0, module_index=0, started=True)
    assert result.pause == first.pause


def test_invalid_answer_fails_the_run_with_the_modules_code():
    workflow = compile_workflow(step("ask", text("Topic?", to="t", max_length=3)))
    first, pending = paused(workflow)
    answer = Answer(input_id="inp_1", step_id="ask", value="too long")
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    assert result.outcome == "failed"
    assert result.error.code == "INVALID_INPUT_VALUE"
    assert [e.event_type for e in result.events] == ["module_failed", "run_failed"]
    assert "t" not in result.state


def test_answer_value_none_takes_the_default():
    workflow = compile_workflow(step("ask", text("Topic?", to="t", default="dogs")))
    first, pending = paused(workflow)
    answer = Answer(input_id="inp_1", step_id="ask", value=None)
    result = go(workflow, state=first.state, cursor=first.cursor, pending=pending, answer=answer)
    assert result.state == {"t": "dogs"}
