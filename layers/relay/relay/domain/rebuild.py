"""A run's state and cursor as they were at one of its events, rebuilt from its history.

Pure. The state comes from the nearest snapshot at or before the event (run_created's
inputs, a step_completed's or branch_created's state) plus the outputs of the modules that
completed after it, mapped through `outputs_to_state` of the workflow version each ran under:
nothing is run again. The caller reads the events from that snapshot on (adapters/branches.py),
so the cost depends on the events since the last step ended, not on the run's length.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from relay.domain.exceptions import InvalidBranchPointError

from .models import Cursor, Event
from .state_paths import set_path

# Events that carry the whole state: where a rebuild starts.
SNAPSHOT_EVENTS = frozenset({"run_created", "step_completed", "branch_created", "run_completed"})

# Where a branch may start: the events that mark a position in the workflow.
BRANCH_POINTS = frozenset(
    {
        "run_created",
        "branch_created",
        "step_started",
        "module_completed",
        "step_completed",
        "step_jumped",
        "input_requested",
        "module_failed",
    }
)


def snapshot_state(event: Event) -> dict[str, Any]:
    if event.event_type == "run_created":
        return copy.deepcopy(event.data.get("inputs") or {})
    return copy.deepcopy(event.data.get("state") or {})


def state_at(events: Sequence[Event], workflow_for: Callable[[str], Any]) -> dict[str, Any]:
    """`events` in sequence order, the first a snapshot, the last the branch point.
    `workflow_for(version_id)` is the parsed workflow of a version."""
    if not events or events[0].event_type not in SNAPSHOT_EVENTS:
        raise ValueError("a rebuild starts at a snapshot event")
    state = snapshot_state(events[0])
    steps: dict[str, dict[str | None, Any]] = {}  # version → step_id → step, built once per rebuild
    for event in events[1:]:
        if event.event_type in SNAPSHOT_EVENTS:
            state = snapshot_state(event)
        elif event.event_type == "module_completed":
            version = event.workflow_version_id
            if version not in steps:
                steps[version] = {step.step_id: step for step in workflow_for(version).steps}
            spec = steps[version][event.step_id].modules[int(event.data["module_index"])]
            outputs = event.data.get("outputs") or {}
            for output_name, target in spec.outputs_to_state.items():
                if output_name in outputs:
                    set_path(state, target, copy.deepcopy(outputs[output_name]))
    return state


def _step_index(workflow: Any, step_id: str | None, event: Event) -> int:
    for index, step in enumerate(workflow.steps):
        if step.step_id == step_id:
            return index
    raise InvalidBranchPointError(
        f"event {event.event_id} is at step {step_id!r}, which the run's workflow version does not have"
    )


def cursor_after(event: Event, workflow: Any) -> Cursor:
    """Where a branch from `event` continues, in `workflow` (the run's current version; steps
    are matched by step_id): right after a completed module or step, at a step a jump went
    to, and at the module itself for a pause (asked again) or a failure (run again)."""
    kind = event.event_type
    if kind not in BRANCH_POINTS:
        raise InvalidBranchPointError(f"a branch cannot start at a {kind} event; start at one of {sorted(BRANCH_POINTS)}")
    if kind == "run_created":
        return Cursor()
    if kind == "branch_created":
        return Cursor.model_validate(event.data["cursor"])
    if kind == "step_jumped":
        return Cursor(step_index=_step_index(workflow, event.data.get("to_step"), event))
    index = _step_index(workflow, event.step_id, event)
    if kind == "step_completed":
        return Cursor(step_index=index + 1)
    if kind == "step_started":
        return Cursor(step_index=index, started=True)
    module_index = int(event.data["module_index"])
    if kind == "module_completed":
        module_index += 1
    if module_index > len(workflow.steps[index].modules):
        raise InvalidBranchPointError(
            f"event {event.event_id} is at module {module_index} of step {event.step_id!r}, "
            "which the run's workflow version does not have"
        )
    return Cursor(step_index=index, module_index=module_index, started=True)
