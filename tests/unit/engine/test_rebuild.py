"""engine/rebuild.py: the state and cursor at any event, from the nearest snapshot plus the
module outputs after it. Checked against the interpreter itself: continuing from what is
rebuilt at any branch point reproduces the original run's remaining events and final state."""

from __future__ import annotations

import pytest
from engine_helpers import go

from builders import compile_workflow, fmt, step
from relay.domain import Cursor, Event
from relay.domain.exceptions import InvalidBranchPointError
from relay.domain.rebuild import BRANCH_POINTS, SNAPSHOT_EVENTS, cursor_after, state_at

VERSION = "ver_1"


def _workflow():
    return compile_workflow(
        step("seed", fmt("s0", to="seed")),
        step(
            "chain",
            fmt("a-{s}", {"s": "$state.seed"}, to="a"),
            fmt("b-{a}", {"a": "$state.a"}, to="nested.b"),
            fmt("again-{b}", {"b": "$state.nested.b"}, to="seed"),  # overwrites an earlier key
        ),
        step("tail", fmt("t-{x}", {"x": "$state.seed"}, to={"value": "tail"})),
    )


def _history(workflow, inputs):
    """The run's events as stored: run_created, then what the interpreter emitted, numbered."""
    result = go(workflow, state=dict(inputs), inputs=inputs)
    assert result.outcome == "completed"
    raw = [("run_created", None, {"inputs": inputs})] + [(e.event_type, e.step_id, e.data) for e in result.events]
    events = [
        Event(
            run_id="run_1",
            seq=i + 1,
            event_id=f"evt_{i + 1}",
            event_type=kind,
            branch_id="main",
            workflow_version_id=VERSION,
            correlation_id="c",
            step_id=step_id,
            data=data,
            timestamp="t",
        )
        for i, (kind, step_id, data) in enumerate(raw)
    ]
    return events, result.state


def _from_snapshot(events, index):
    start = max(i for i in range(index + 1) if events[i].event_type in SNAPSHOT_EVENTS)
    return events[start : index + 1]


def test_continuing_from_any_branch_point_reproduces_the_run():
    workflow = _workflow()
    inputs = {"topic": "x"}
    events, final = _history(workflow, inputs)
    points = [i for i, e in enumerate(events) if e.event_type in BRANCH_POINTS]
    assert len(points) >= 10
    for index in points:
        state = state_at(_from_snapshot(events, index), lambda v: workflow)
        cursor = cursor_after(events[index], workflow)
        rest = go(workflow, state=state, cursor=cursor, inputs=inputs)
        assert rest.outcome == "completed", events[index]
        assert rest.state == final, events[index]
        original = [(e.event_type, e.step_id, e.data.get("module_index")) for e in events[index + 1 :]]
        again = [(e.event_type, e.step_id, e.data.get("module_index")) for e in rest.events]
        assert again == original, events[index].event_type


def test_the_state_mid_step_is_the_snapshot_plus_the_outputs_since():
    workflow = _workflow()
    events, _ = _history(workflow, {})
    first_of_chain = next(i for i, e in enumerate(events) if e.event_type == "module_completed" and e.step_id == "chain")
    assert state_at(_from_snapshot(events, first_of_chain), lambda v: workflow) == {"seed": "s0", "a": "a-s0"}
    assert state_at(_from_snapshot(events, first_of_chain + 1), lambda v: workflow) == {
        "seed": "s0",
        "a": "a-s0",
        "nested": {"b": "b-a-s0"},
    }
    assert cursor_after(events[first_of_chain], workflow) == Cursor(step_index=1, module_index=1, started=True)


def test_outputs_map_through_the_version_each_event_ran_under():
    workflow = _workflow()
    events, _ = _history(workflow, {})
    other = compile_workflow(step("seed", fmt("s0", to="elsewhere")))
    index = next(i for i, e in enumerate(events) if e.event_type == "module_completed" and e.step_id == "seed")
    history = [
        e.model_copy(update={"workflow_version_id": "ver_2"}) if e.seq == events[index].seq else e
        for e in _from_snapshot(events, index)
    ]
    state = state_at(history, lambda v: {"ver_1": workflow, "ver_2": other}[v])
    assert state == {"elsewhere": "s0"}


def test_cursor_points():
    workflow = _workflow()
    events, _ = _history(workflow, {})
    by_kind = {}
    for e in events:
        by_kind.setdefault((e.event_type, e.step_id), e)
    assert cursor_after(by_kind[("run_created", None)], workflow) == Cursor()
    assert cursor_after(by_kind[("step_started", "chain")], workflow) == Cursor(step_index=1, started=True)
    assert cursor_after(by_kind[("step_completed", "chain")], workflow) == Cursor(step_index=2)
    assert cursor_after(by_kind[("step_completed", "tail")], workflow) == Cursor(step_index=3)
    failed = by_kind[("step_started", "tail")].model_copy(
        update={"event_type": "module_failed", "data": {"module_index": 0, "module_id": "transform.format"}}
    )
    assert cursor_after(failed, workflow) == Cursor(step_index=2, module_index=0, started=True)  # run it again
    asked = failed.model_copy(update={"event_type": "input_requested"})
    assert cursor_after(asked, workflow) == Cursor(step_index=2, module_index=0, started=True)  # ask again
    jumped = failed.model_copy(update={"event_type": "step_jumped", "data": {"to_step": "seed"}})
    assert cursor_after(jumped, workflow) == Cursor(step_index=0)


@pytest.mark.parametrize("kind", ["run_completed", "run_failed", "input_answered", "input_received", "run_cancelled", "progress"])
def test_events_that_mark_no_position_are_refused(kind):
    workflow = _workflow()
    event = _history(workflow, {})[0][1].model_copy(update={"event_type": kind})
    with pytest.raises(InvalidBranchPointError):
        cursor_after(event, workflow)


def test_a_step_the_current_version_lacks_is_refused():
    events, _ = _history(_workflow(), {})
    smaller = compile_workflow(step("seed", fmt("s0", to="seed")))
    chain = next(e for e in events if e.event_type == "step_completed" and e.step_id == "chain")
    with pytest.raises(InvalidBranchPointError):
        cursor_after(chain, smaller)


def test_a_rebuild_starts_at_a_snapshot():
    events, _ = _history(_workflow(), {})
    with pytest.raises(ValueError, match="a rebuild starts at a snapshot event"):
        state_at(events[1:3], lambda v: None)
