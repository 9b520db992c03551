"""advance(): the per-invocation event budget returns `continue` and resumes cleanly."""

from __future__ import annotations

from engine_helpers import go

from builders import compile_workflow, fmt, step
from relay.domain import RunStatus


def long_workflow():
    return compile_workflow(*[step(f"s{i}", fmt(f"{i}a", to=f"a{i}"), fmt(f"{i}b", to=f"b{i}")) for i in range(5)])


def run_in_slices(workflow, max_events):
    results, state, cursor = [], {}, None
    for _ in range(100):
        result = go(workflow, state=state, cursor=cursor, max_events=max_events)
        results.append(result)
        if result.outcome != "continue":
            return results
        state, cursor = result.state, result.cursor
    raise AssertionError("the run never finished")


def test_small_budget_returns_continue():
    result = go(long_workflow(), max_events=3)
    assert result.outcome == "continue"
    assert result.status == RunStatus.running
    assert result.pause is None and result.error is None
    assert 0 < result.progress.value < 1


def test_budget_is_roughly_respected():
    result = go(long_workflow(), max_events=5)
    assert len(result.events) <= 6  # a step's first module always runs after its step_started


def test_resuming_from_the_cursor_finishes_without_duplicates():
    workflow = long_workflow()
    slices = run_in_slices(workflow, max_events=3)
    assert len(slices) > 2
    assert slices[-1].outcome == "completed"
    events = [e for result in slices for e in result.events]
    started = [e.step_id for e in events if e.event_type == "step_started"]
    completed = [e.step_id for e in events if e.event_type == "step_completed"]
    assert started == [f"s{i}" for i in range(5)]
    assert completed == started
    assert [e.event_type for e in events].count("module_completed") == 10
    assert [e.event_type for e in events].count("run_completed") == 1


def test_sliced_run_ends_in_the_same_state_as_one_call():
    workflow = long_workflow()
    assert run_in_slices(workflow, max_events=2)[-1].state == go(workflow).state


def test_every_budget_makes_progress():
    workflow = long_workflow()
    for budget in (1, 2, 4, 7):
        slices = run_in_slices(workflow, max_events=budget)
        assert slices[-1].outcome == "completed", budget
        assert all(r.events for r in slices), budget
