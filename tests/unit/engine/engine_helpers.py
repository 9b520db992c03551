"""Helpers for the interpreter tests: call `advance` with defaults, turn a Pause into the
PendingSummary the AwaitInput task would record, and list event types."""

from __future__ import annotations

from typing import Any

from relay.domain import Cursor, PendingSummary
from relay.runtime.engine import Advance, Answer, Pause, advance

DEFAULT_TIMEOUT = 3600


def go(
    workflow: Any,
    *,
    state: dict[str, Any] | None = None,
    cursor: Cursor | None = None,
    pending: PendingSummary | None = None,
    answer: Answer | None = None,
    inputs: dict[str, Any] | None = None,
    project_name: str | None = "proj",
    run_id: str = "run_1",
    max_events: int = 60,
) -> Advance:
    return advance(
        workflow,
        run_id=run_id,
        project_name=project_name,
        inputs=inputs if inputs is not None else {},
        state=state if state is not None else {},
        cursor=cursor or Cursor(),
        pending=pending,
        answer=answer,
        default_timeout_seconds=DEFAULT_TIMEOUT,
        max_events=max_events,
    )


def pending_for(pause: Pause, input_id: str = "inp_1") -> PendingSummary:
    return PendingSummary(
        input_id=input_id,
        step_id=pause.step_id,
        module_index=pause.module_index,
        module_id=pause.module_id,
        request=pause.request,
        created_at="2024-01-01T00:00:00.000000Z",
        expires_at="2024-01-02T00:00:00.000000Z",
    )


def types(result: Advance) -> list[str]:
    return [e.event_type for e in result.events]


def typed_steps(result: Advance) -> list[tuple[str, str | None]]:
    return [(e.event_type, e.step_id) for e in result.events]
