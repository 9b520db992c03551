"""Chains (DESIGN §7, seed 004): a DAG of steps, each a run of a template, fed by what its
upstream steps stored and a person approved.

Pure: the definition as submitted, its rules, and the levels it runs in. What a template
stores (for the artifact rule) is given as `StoredNames` per step, read from the workflow by
`stored_names` (relay.domain.chain_artifacts); the service resolves templates and versions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .exceptions import (
    ChainCycleError,
    ChainInputNotDependencyError,
    ChainUnknownArtifactError,
    ChainUnknownDependencyError,
    InvalidChainError,
)

STEP_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"  # no dots: `$steps.<id>.…` splits on them
MAX_STEPS = 50

# `$steps.<step_id>.artifacts.<artifact_name>` or `$steps.<step_id>.state.<path>`
_REFERENCE = re.compile(r"^\$steps\.([A-Za-z0-9][A-Za-z0-9_\-]*)\.(artifacts|state)\.(.+)$")


class ChainStepDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step_id: str = Field(min_length=1, max_length=64, pattern=STEP_ID_PATTERN)
    template_name: str | None = Field(default=None, min_length=1, max_length=128)
    version_id: str | None = Field(default=None, min_length=1, max_length=64)
    depends_on: list[str] = Field(default_factory=list, max_length=MAX_STEPS)
    inputs: dict[str, Any] = Field(default_factory=dict)


class ChainDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    project_name: str | None = Field(default=None, max_length=200)
    steps: list[ChainStepDefinition] = Field(min_length=1, max_length=MAX_STEPS)


@dataclass(frozen=True)
class InputReference:
    """One input of a step that names an upstream step."""

    input_name: str
    step_id: str
    kind: str  # artifacts | state
    path: str  # the artifact name, or the state path


@dataclass(frozen=True)
class StoredNames:
    """The artifact names a template's workflow stores: exact names, prefixes
    (`media.generate` names `<name>.<node>.<n>`), and whether a name is only known at run
    time (a `$state` reference), in which case any name may come."""

    exact: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    dynamic: bool = False

    def may_store(self, name: str) -> bool:
        return self.dynamic or name in self.exact or any(name.startswith(p) for p in self.prefixes)


def reference_of(input_name: str, value: Any) -> InputReference | None:
    if not isinstance(value, str) or not value.startswith("$steps."):
        return None
    match = _REFERENCE.match(value)
    if match is None:
        raise InvalidChainError(
            f"input {input_name!r}: {value[:200]!r} is not $steps.<step_id>.artifacts.<name> or $steps.<step_id>.state.<path>",
            code="INVALID_CHAIN",
        )
    return InputReference(input_name, match.group(1), match.group(2), match.group(3))


def references(step: ChainStepDefinition) -> list[InputReference]:
    found = []
    for name, value in step.inputs.items():
        try:
            ref = reference_of(name, value)
        except InvalidChainError as exc:
            raise InvalidChainError(f"step {step.step_id}: {exc.detail}", step_id=step.step_id) from exc
        if ref is not None:
            found.append(ref)
    return found


def check_graph(definition: ChainDefinition) -> dict[str, int]:
    """The rules that need only the definition; returns each step's level (0-based: a step's
    level is one more than its deepest dependency). Steps are checked in the order given."""
    steps = {s.step_id: s for s in definition.steps}
    seen: set[str] = set()
    for step in definition.steps:
        if (step.template_name is None) == (step.version_id is None):
            raise InvalidChainError(
                f"step {step.step_id}: give exactly one of template_name or version_id",
                code="INVALID_CHAIN",
                step_id=step.step_id,
            )
        if step.step_id in seen:
            raise InvalidChainError(
                f"step {step.step_id}: step_id appears twice", code="DUPLICATE_CHAIN_STEP", step_id=step.step_id
            )
        seen.add(step.step_id)
    for step in definition.steps:
        for dependency in step.depends_on:
            if dependency not in steps:
                raise ChainUnknownDependencyError(
                    f"step {step.step_id}: depends_on names {dependency!r}, which is not a step of the chain",
                    step_id=step.step_id,
                    depends_on=dependency,
                )
        for ref in references(step):
            if ref.step_id not in step.depends_on:
                raise ChainInputNotDependencyError(
                    f"step {step.step_id}: input {ref.input_name!r} names step {ref.step_id!r}, which it does not depend on",
                    step_id=step.step_id,
                    input=ref.input_name,
                )
    return _levels({s.step_id: list(dict.fromkeys(s.depends_on)) for s in definition.steps})


def _levels(graph: Mapping[str, list[str]]) -> dict[str, int]:
    """Depth-first with colours; a back edge is a cycle, named step by step."""
    levels: dict[str, int] = {}
    visiting: list[str] = []

    def visit(step_id: str) -> int:
        if step_id in levels:
            return levels[step_id]
        if step_id in visiting:
            cycle = [*visiting[visiting.index(step_id) :], step_id]
            raise ChainCycleError(f"step {step_id}: depends_on forms a cycle: {' -> '.join(cycle)}", step_id=step_id, cycle=cycle)
        visiting.append(step_id)
        level = 1 + max((visit(d) for d in graph[step_id]), default=-1)
        visiting.pop()
        levels[step_id] = level
        return level

    for step_id in graph:
        visit(step_id)
    return levels


def check_artifacts(definition: ChainDefinition, stored: Mapping[str, StoredNames]) -> None:
    """Every `$steps.<id>.artifacts.<name>` input names an artifact the upstream step's
    template can store (`stored`: by step id)."""
    for step in definition.steps:
        for ref in references(step):
            if ref.kind == "artifacts" and not stored[ref.step_id].may_store(ref.path):
                raise ChainUnknownArtifactError(
                    f"step {step.step_id}: input {ref.input_name!r} names artifact {ref.path!r}, "
                    f"which step {ref.step_id}'s template never stores",
                    step_id=step.step_id,
                    input=ref.input_name,
                )


def level_groups(levels: Mapping[str, int]) -> list[list[str]]:
    """The steps of each level, in level order (steps of one level in definition order)."""
    groups: list[list[str]] = [[] for _ in range(max(levels.values(), default=-1) + 1)]
    for step_id, level in levels.items():
        groups[level].append(step_id)
    return groups
