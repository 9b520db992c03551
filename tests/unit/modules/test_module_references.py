"""`$state.…`, `$run.…`, `$step.…` references: recognising, resolving, malformed ones."""

from __future__ import annotations

import pytest

from relay.runtime.modules import (
    ReferenceResolutionError,
    contains_reference,
    is_reference,
    malformed_references,
    resolve,
)

SCOPE = {
    "state": {"topic": "cats", "doc": {"title": "T", "tags": ["a", "b"], "n": 0}, "rows": [{"id": 7}]},
    "run": {"run_id": "run_1", "project_name": "p", "inputs": {"x": 1}},
    "step": {"step_id": "s1"},
}


@pytest.mark.parametrize(
    "value",
    ["$state.topic", "$state.doc.title", "$state.rows.0.id", "$run.inputs.x", "$step.step_id", "$state.a-b_c"],
)
def test_is_reference(value):
    assert is_reference(value)


@pytest.mark.parametrize(
    "value",
    ["$state", "$state.", "$state..x", "$statement", "$other.x", "state.topic", " $state.topic", "$state.a b", 5, None],
)
def test_is_not_reference(value):
    assert not is_reference(value)


def test_resolve_keeps_json_types():
    assert resolve("$state.doc", SCOPE) == {"title": "T", "tags": ["a", "b"], "n": 0}
    assert resolve("$state.doc.n", SCOPE) == 0
    assert resolve("$run.inputs.x", SCOPE) == 1


def test_resolve_walks_nested_dicts_and_lists():
    value = {"a": ["$state.topic", {"b": "$state.doc.tags.1"}], "c": "plain", "d": 3}
    assert resolve(value, SCOPE) == {"a": ["cats", {"b": "b"}], "c": "plain", "d": 3}


def test_list_index_paths():
    assert resolve("$state.rows.0.id", SCOPE) == 7
    assert resolve("$state.doc.tags.0", SCOPE) == "a"


@pytest.mark.parametrize(
    "ref",
    ["$state.nope", "$state.doc.nope", "$state.doc.tags.2", "$state.doc.tags.-1", "$state.topic.x", "$run.nope"],
)
def test_missing_paths_raise(ref):
    with pytest.raises(ReferenceResolutionError) as info:
        resolve({"deep": [ref]}, SCOPE)
    assert info.value.code == "UNRESOLVED_REFERENCE"
    assert info.value.extra["reference"] == ref


def test_non_references_pass_through_unchanged():
    assert resolve("$statement", SCOPE) == "$statement"
    assert resolve("$state.", SCOPE) == "$state."


def test_contains_reference_looks_inside_containers():
    assert contains_reference({"a": [1, {"b": "$step.step_id"}]})
    assert not contains_reference({"a": [1, {"b": "$statement"}], "c": "$state."})


def test_malformed_references():
    value = {"ok": "$state.x", "a": "$state.", "b": ["$state..x", "$run"], "c": "$statement", "d": "$step.x y"}
    assert sorted(malformed_references(value)) == sorted(["$state.", "$state..x", "$run", "$step.x y"])


def test_statement_is_not_malformed():
    assert malformed_references("$statement") == []
    assert malformed_references(["$stateful.x", "$runner"]) == []
