"""advance(): a workflow of non-pausing modules runs to the end in one call."""

from __future__ import annotations

from engine_helpers import go, typed_steps, types

from builders import compile_workflow, fmt, step
from relay.domain import Cursor, RunStatus


def two_steps():
    return compile_workflow(
        step("greet", fmt("Hello {who}", {"who": "world"}, to="greeting")),
        step("shout", fmt("{g}!", {"g": "$state.greeting"}, to="loud")),
    )


def test_runs_every_step_to_completion():
    result = go(two_steps())
    assert result.outcome == "completed"
    assert result.status == RunStatus.completed
    assert result.state == {"greeting": "Hello world", "loud": "Hello world!"}
    assert result.pause is None and result.error is None


def test_emits_step_and_module_events_in_order():
    result = go(two_steps())
    assert typed_steps(result) == [
        ("step_started", "greet"),
        ("module_completed", "greet"),
        ("step_completed", "greet"),
        ("step_started", "shout"),
        ("module_completed", "shout"),
        ("step_completed", "shout"),
        ("run_completed", None),
    ]


def test_module_completed_records_index_id_and_outputs():
    result = go(two_steps())
    first = result.events[1]
    assert first.data == {
        "module_index": 0,
        "module_id": "transform.format",
        "outputs": {"value": "Hello world"},
    }


def test_step_completed_snapshots_state_after_that_step():
    result = go(two_steps())
    snapshots = [e.data for e in result.events if e.event_type == "step_completed"]
    assert snapshots == [
        {"step_index": 0, "state": {"greeting": "Hello world"}},
        {"step_index": 1, "state": {"greeting": "Hello world", "loud": "Hello world!"}},
    ]
    assert result.events[-1].data == {"state": result.state}


def test_snapshots_are_copies_not_the_live_state():
    result = go(two_steps())
    snapshot = result.events[2].data["state"]
    result.state["greeting"] = "changed"
    assert snapshot["greeting"] == "Hello world"


def test_completed_progress_cursor_and_current_step():
    result = go(two_steps())
    assert result.progress.value == 1.0
    assert result.progress.stage is None
    assert result.cursor == Cursor(step_index=2, module_index=0)
    assert result.current_step is None


def test_several_modules_in_one_step_see_earlier_outputs():
    workflow = compile_workflow(
        step(
            "s",
            fmt("a", to="x"),
            fmt("{x}b", {"x": "$state.x"}, to="y"),
            fmt("{y}c", {"y": "$state.y"}, to="z"),
        )
    )
    result = go(workflow)
    assert result.state == {"x": "a", "y": "ab", "z": "abc"}
    assert types(result).count("module_completed") == 3
    assert types(result).count("step_started") == 1


def test_module_without_outputs_to_state_leaves_state_alone():
    result = go(compile_workflow(step("s", fmt("ignored"))), state={"keep": 1})
    assert result.outcome == "completed"
    assert result.state == {"keep": 1}


def test_starts_from_the_given_cursor():
    result = go(two_steps(), state={"greeting": "Hi"}, cursor=Cursor(step_index=1))
    assert [e.step_id for e in result.events if e.event_type == "step_started"] == ["shout"]
    assert result.state == {"greeting": "Hi", "loud": "Hi!"}


def test_input_state_is_not_mutated():
    state = {"greeting": "Hi", "nested": {"keep": [1, 2]}}
    before = {"greeting": "Hi", "nested": {"keep": [1, 2]}}
    workflow = compile_workflow(step("s", fmt("x", to="nested.added"), fmt("y", to="greeting")))
    result = go(workflow, state=state)
    assert state == before
    assert result.state["nested"] == {"keep": [1, 2], "added": "x"}
    assert result.state["nested"] is not state["nested"]
