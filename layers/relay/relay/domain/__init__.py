"""Domain records: plain pydantic models, no AWS and no web framework."""

from .models import (
    TERMINAL_STATUSES,
    Cursor,
    Event,
    NewEvent,
    PendingInput,
    PendingSummary,
    Progress,
    Run,
    RunError,
    RunStatus,
    Template,
    User,
    Version,
)

__all__ = [
    "TERMINAL_STATUSES",
    "Cursor",
    "Event",
    "NewEvent",
    "PendingInput",
    "PendingSummary",
    "Progress",
    "Run",
    "RunError",
    "RunStatus",
    "Template",
    "User",
    "Version",
]
