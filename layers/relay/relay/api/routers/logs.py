"""The functions' log lines (CloudWatch Logs): a run's, and everyone's for admins."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BeforeValidator

from relay.api.deps import AdminUser, CurrentUser, Cursor, Limit, RelayDep, RunId
from relay.api.schemas.common import Page
from relay.domain.logs import LogLine

router = APIRouter(tags=["logs"])

_NUMBER = re.compile(r"\s*[+-]?[0-9]+(\.[0-9]*)?\s*")


def _not_a_number(value: Any) -> Any:
    """pydantic would read `since=0.5` as a Unix time; the document says date-time."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("since must be an ISO 8601 date-time with a time zone")
    return value


Since = Annotated[
    AwareDatetime | None,
    BeforeValidator(_not_a_number),
    Query(description="from this time on (ISO 8601 with a time zone; default: an hour ago)"),
]

Level = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] | None,
    Query(description="only lines of this level or above"),
]


@router.get("/v1/runs/{run_id}/logs", response_model=Page[LogLine])
def run_logs(run_id: RunId, user: CurrentUser, relay: RelayDep, level: Level = None, cursor: Cursor = None, limit: Limit = 50):
    """The run's log lines from every function (RunStep, AwaitInput, RecordFailure …), oldest
    first: Powertools JSON lines carrying its `run_id` (and `step_id`, `correlation_id`)."""
    run = relay.runs.get(user, run_id)
    lines, next_cursor = relay.logs.for_run(run, level, cursor, limit)
    return Page(items=lines, next_cursor=next_cursor)


@router.get("/v1/admin/logs", response_model=Page[LogLine])
def admin_logs(
    admin: AdminUser,
    relay: RelayDep,
    level: Level = None,
    since: Since = None,
    cursor: Cursor = None,
    limit: Limit = 50,
):
    """Every function's log lines, oldest first (admins only)."""
    lines, next_cursor = relay.logs.recent(level, since, cursor, limit)
    return Page(items=lines, next_cursor=next_cursor)
