"""What one advance of a run comes to (`Advance`), what it is given (`Answer`) and asks (`Pause`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from relay.domain import Cursor, NewEvent, Progress, RunError, RunStatus
from relay.runtime.outcomes import Outcome


@dataclass(frozen=True)
class Answer:
    """What the API sent with SendTaskSuccess."""

    input_id: str
    step_id: str
    value: Any
    decided_by: str | None = None


@dataclass(frozen=True)
class Pause:
    step_id: str
    module_index: int
    module_id: str
    request: dict[str, Any]
    timeout_seconds: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "module_index": self.module_index,
            "module_id": self.module_id,
            "request": self.request,
            "timeout_seconds": self.timeout_seconds,
        }


@dataclass
class Advance:
    outcome: Outcome
    status: RunStatus
    state: dict[str, Any]
    cursor: Cursor
    progress: Progress
    current_step: str | None
    events: list[NewEvent] = field(default_factory=list)
    pause: Pause | None = None
    error: RunError | None = None
    wait_seconds: int | None = None  # waiting: before RunStep polls the module's job again


class ModuleFailedError(Exception):
    """Ends the walk: a module failed, so the run ends in error (never leaves the interpreter)."""

    def __init__(self, error: RunError, step_id: str, module_index: int, module_id: str) -> None:
        super().__init__(error.message)
        self.error, self.step_id = error, step_id
        self.module_index, self.module_id = module_index, module_id


@dataclass(frozen=True)
class Ran:
    """A module that ran to its outputs (and, for a pausing one, perhaps a step to go to)."""

    outputs: dict[str, Any]
    target: str | None = None
