"""advance(): `$run.*`, `$step.*` and `$state.*` references in module inputs."""

from __future__ import annotations

from engine_helpers import go

from builders import compile_workflow, fmt, step


def test_run_project_name_and_inputs():
    workflow = compile_workflow(step("s", fmt("{p}/{x}", {"p": "$run.project_name", "x": "$run.inputs.x"}, to="out")))
    result = go(workflow, project_name="apollo", inputs={"x": "eleven"})
    assert result.state["out"] == "apollo/eleven"


def test_run_id_and_step_id():
    workflow = compile_workflow(
        step("first-step", fmt("{r}:{s}", {"r": "$run.run_id", "s": "$step.step_id"}, to="a")),
        step("second", fmt("{s}", {"s": "$step.step_id"}, to="b")),
    )
    result = go(workflow, run_id="run_xyz")
    assert result.state == {"a": "run_xyz:first-step", "b": "second"}


def test_nested_state_paths_and_list_indexes():
    workflow = compile_workflow(step("s", fmt("{a} {b}", {"a": "$state.doc.title", "b": "$state.tags.1"}, to="out")))
    result = go(workflow, state={"doc": {"title": "T"}, "tags": ["x", "y"]})
    assert result.state["out"] == "T y"


def test_references_see_outputs_of_earlier_modules_in_the_same_call():
    workflow = compile_workflow(
        step("one", fmt("1", to="n.first")),
        step("two", fmt("{v}2", {"v": "$state.n.first"}, to="n.second")),
    )
    assert go(workflow).state == {"n": {"first": "1", "second": "12"}}


def test_run_inputs_are_not_mutated():
    inputs = {"x": {"deep": "v"}}
    workflow = compile_workflow(step("s", fmt("{x}", {"x": "$run.inputs.x.deep"}, to="x.deep")))
    result = go(workflow, inputs=inputs, state={"x": {"deep": "old"}})
    assert inputs == {"x": {"deep": "v"}}
    assert result.state == {"x": {"deep": "v"}}
