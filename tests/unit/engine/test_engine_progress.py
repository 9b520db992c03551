"""ctx.progress inside advance(): a module's report reaches the injected reporter with its
place in the run and its share of the run's 0..1; step_started events carry the step's progress."""

from __future__ import annotations

from test_engine_llm import FakeLlm, llm

from builders import compile_workflow, fmt, step
from relay.domain import Cursor, RunStatus
from relay.runtime.engine import advance
from relay.runtime.modules.capabilities import Capabilities
from relay.runtime.services.progress import overall


def test_a_modules_report_maps_onto_its_share_of_the_run():
    reports = []
    workflow = compile_workflow(step("a", fmt("x", to="first")), step("b", fmt("y", to="y"), llm("reply")))
    cursor, state, events = Cursor(), {}, []
    for _ in range(3):  # api.llm is long-running: what comes before it is committed first
        result = advance(
            workflow,
            run_id="run_1",
            project_name=None,
            inputs={},
            state=state,
            cursor=cursor,
            pending=None,
            answer=None,
            default_timeout_seconds=60,
            capabilities=Capabilities(llm=FakeLlm(), report_progress=lambda *args, **kw: reports.append((args, kw))),
        )
        cursor, state, events = result.cursor, result.state, events + result.events
        if result.outcome != "continue":
            break
    assert result.status is RunStatus.completed
    [(args, kw)] = reports  # api.llm reports once, before its call
    assert args == (0.0, "llm", "waiting for echo (echo-1)")
    # step b is the second half of the run; api.llm its second module: 0.75 .. 1.0
    assert kw == {"step_id": "b", "module_index": 1, "module_id": "api.llm", "span": (0.75, 1.0)}
    assert overall(kw["span"], 0.5) == 0.875
    started = [e.data["progress"] for e in events if e.event_type == "step_started"]
    assert started == [0.0, 0.5]


def test_without_a_reporter_modules_report_into_nothing():
    workflow = compile_workflow(step("b", llm("reply")))
    result = advance(
        workflow,
        run_id="run_1",
        project_name=None,
        inputs={},
        state={},
        cursor=Cursor(),
        pending=None,
        answer=None,
        default_timeout_seconds=60,
        capabilities=Capabilities(llm=FakeLlm()),
    )
    assert result.status is RunStatus.completed
    assert "progress" not in [e.event_type for e in result.events]


def test_a_long_running_module_starts_after_a_commit_of_what_came_before():
    """With a reporter, events pending before api.llm are committed first (outcome continue,
    the cursor at the module), so its progress events follow them in the run's sequence."""
    reports = []
    workflow = compile_workflow(step("a", fmt("x", to="first")), step("b", llm("reply")))

    def go(cursor, state):
        return advance(
            workflow,
            run_id="run_1",
            project_name=None,
            inputs={},
            state=state,
            cursor=cursor,
            pending=None,
            answer=None,
            default_timeout_seconds=60,
            capabilities=Capabilities(llm=FakeLlm(), report_progress=lambda *a, **kw: reports.append(kw["step_id"])),
        )

    first = go(Cursor(), {})
    assert first.outcome == "continue" and reports == []
    assert [e.event_type for e in first.events][-1] == "step_started"
    assert (first.cursor.step_index, first.cursor.module_index, first.cursor.started) == (1, 0, True)
    second = go(first.cursor, first.state)
    assert second.status is RunStatus.completed and reports == ["b"]
    assert next(e.event_type for e in second.events) == "module_completed"  # no second step_started
