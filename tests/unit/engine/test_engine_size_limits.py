"""advance(): what would not fit a DynamoDB item or one transaction fails clearly or is
committed across several RunSteps; a failed module leaves the last good state."""

from __future__ import annotations

from engine_helpers import go, pending_for, types

from builders import compile_workflow, fmt, step, text
from relay.domain import RunStatus
from relay.domain.limits import KIB, MAX_EVENT_BYTES_PER_COMMIT, MAX_STATE_BYTES, json_size
from relay.runtime.engine import Answer


def test_json_size_counts_compact_utf8():
    assert json_size({"a": [1, 2]}) == len('{"a":[1,2]}')
    assert json_size("é") == len('"é"'.encode())  # two bytes for é, not \\u00e9


def test_state_over_the_limit_fails_and_keeps_the_last_good_state():
    wf = compile_workflow(
        step("copy", fmt("{t}", {"t": "$state.text"}, to="a")),
        step("grow", fmt("{t}{t}{t}", {"t": "$state.a"}, to="a")),
    )
    text_value = "z" * (60 * KIB)
    result = go(wf, state={"text": text_value})
    assert result.outcome == "failed" and result.status == RunStatus.error
    assert result.error.code == "STATE_TOO_LARGE"
    assert str(MAX_STATE_BYTES) in result.error.message
    assert result.state == {"text": text_value, "a": text_value}  # "a" as the copy step left it
    assert result.current_step == "grow"
    assert types(result)[-2:] == ["module_failed", "run_failed"]


def test_a_new_key_that_does_not_fit_is_not_left_behind():
    wf = compile_workflow(step("grow", fmt("{t}{t}{t}", {"t": "$state.text"}, to="fresh.nested")))
    result = go(wf, state={"text": "q" * (60 * KIB)})
    assert result.error.code == "STATE_TOO_LARGE"
    assert "fresh" not in result.state


def test_outputs_over_the_limit_fail_before_touching_the_state():
    wf = compile_workflow(step("big", fmt("{t}{t}{t}{t}", {"t": "$state.text"})))  # output not mapped
    result = go(wf, state={"text": "o" * (60 * KIB)})
    assert result.error.code == "OUTPUT_TOO_LARGE"


def test_a_pause_asking_too_much_fails():
    wf = compile_workflow(step("ask", text("$state.prompt", to="answer")))
    result = go(wf, state={"prompt": "p" * (65 * KIB)})
    assert result.outcome == "failed"
    assert result.error.code == "REQUEST_TOO_LARGE"


def test_an_answer_that_would_overfill_the_state_fails_the_run():
    wf = compile_workflow(step("ask", text("Paste it", to="pasted")))
    paused = go(wf, state={"kept": "k" * (150 * KIB)})
    pending = pending_for(paused.pause)
    answer = Answer(input_id=pending.input_id, step_id="ask", value="v" * (60 * KIB))
    result = go(wf, state=paused.state, cursor=paused.cursor, pending=pending, answer=answer)
    assert result.error.code == "STATE_TOO_LARGE"
    assert result.state == {"kept": "k" * (150 * KIB)}


def test_big_events_are_committed_across_several_invocations():
    # Every step writes ~100 KiB twice (outputs and the step snapshot); twenty steps are ~4 MB.
    wf = compile_workflow(*[step(f"s{i}", fmt("{t}", {"t": "$state.text"}, to="copy")) for i in range(20)])
    state, cursor, slices = {"text": "b" * (50 * KIB)}, None, []
    while True:
        result = go(wf, state=state, cursor=cursor)
        slices.append(result)
        if result.outcome != "continue":
            break
        state, cursor = result.state, result.cursor
    assert result.outcome == "completed"
    assert len(slices) > 1
    for piece in slices:
        committed = sum(json_size(e.data) for e in piece.events)
        assert committed < MAX_EVENT_BYTES_PER_COMMIT + 3 * MAX_STATE_BYTES
    steps_done = [e.step_id for piece in slices for e in piece.events if e.event_type == "step_completed"]
    assert steps_done == [f"s{i}" for i in range(20)]
