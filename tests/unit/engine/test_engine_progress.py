"""ctx.progress inside advance(): a module's report reaches the injected reporter with its
place in the run and its share of the run's 0..1; step_started events carry the step's progress."""

from __future__ import annotations

from builders import compile_workflow, fmt, step
from test_engine_llm import FakeLlm, llm

from relay.domain import Cursor, RunStatus
from relay.engine import advance
from relay.services.progress import overall


def test_a_modules_report_maps_onto_its_share_of_the_run():
    reports = []
    workflow = compile_workflow(step("a", fmt("x", to="first")), step("b", fmt("y", to="y"), llm("reply")))
    result = advance(workflow, run_id="run_1", project_name=None, inputs={}, state={}, cursor=Cursor(),
                     pending=None, answer=None, default_timeout_seconds=60, llm=FakeLlm(),
                     report_progress=lambda *args, **kw: reports.append((args, kw)))
    assert result.status is RunStatus.completed
    [(args, kw)] = reports  # api.llm reports once, before its call
    assert args == (0.0, "llm", "waiting for echo (echo-1)")
    # step b is the second half of the run; api.llm its second module: 0.75 .. 1.0
    assert kw == {"step_id": "b", "module_index": 1, "module_id": "api.llm", "span": (0.75, 1.0)}
    assert overall(kw["span"], 0.5) == 0.875
    started = [e.data["progress"] for e in result.events if e.event_type == "step_started"]
    assert started == [0.0, 0.5]


def test_without_a_reporter_modules_report_into_nothing():
    workflow = compile_workflow(step("b", llm("reply")))
    result = advance(workflow, run_id="run_1", project_name=None, inputs={}, state={}, cursor=Cursor(),
                     pending=None, answer=None, default_timeout_seconds=60, llm=FakeLlm())
    assert result.status is RunStatus.completed
    assert "progress" not in [e.event_type for e in result.events]
