"""The functions' log lines from CloudWatch Logs: a run's, or (for admins) everyone's.

Lines live in one log group per function. A page merges the groups: each is read with
FilterLogEvents from the cursor's time on (a run's with the filter pattern `"<run_id>"`, a
term both CloudWatch and the local cloud's moto match; moto ignores JSON patterns such as
`{ $.run_id = … }` and returns everything), then the lines are checked exactly (a run's
lines: `run_id` equal to the run's; `level` at least the one asked), merged by time, and cut
where every group is known complete. Each group gets at most `calls_per_group` calls per page
(an empty page with a cursor means: read on). A page makes progress as long as one group's
lines of a single millisecond fit in those calls (8 pages of up to 10,000 lines).

The cursor is opaque: the time (ms) of the last line served and the ids of the lines served
at that very millisecond, so the next page starts there and skips them: no line is served
twice, none is skipped, even when a group's page stops amid lines of one millisecond. It
also names the list it belongs to (the run and level, or admin and level). Ids are kept as
`<group number>:<eventId>`.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from relay.domain import Run
from relay.domain.logs import LogLine
from relay.exceptions import InvalidRequestError

_SLACK_MS = 60_000  # clocks of the API and the functions may differ a little
_ADMIN_DEFAULT_SECONDS = 3600


def _encode(scope: str, millis: int, ids: list[str]) -> str:
    raw = json.dumps({"s": scope, "t": millis, "i": ids}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None, scope: str) -> tuple[int, set[str]] | None:
    if not cursor:
        return None
    bad = InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad from exc
    if not isinstance(data, dict) or data.get("s") != scope:
        raise bad
    millis, ids = data.get("t"), data.get("i")
    if not isinstance(millis, int) or isinstance(millis, bool) or millis < 0 or not isinstance(ids, list):
        raise bad
    if not all(isinstance(i, str) for i in ids):
        raise bad
    return millis, set(ids)


class LogService:
    def __init__(
        self,
        reader: Any,  # relay.adapters.logs.LogReader
        groups: list[str],
        *,
        calls_per_group: int = 8,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._reader = reader
        self._groups = groups
        self._calls_per_group = calls_per_group
        self._clock = clock

    def for_run(self, run: Run, level: str | None, cursor: str | None, limit: int) -> tuple[list[LogLine], str | None]:
        """The run's lines, oldest first (from its creation on)."""
        start = int(datetime.fromisoformat(run.created_at.replace("Z", "+00:00")).timestamp() * 1000) - _SLACK_MS
        return self._page(
            f"run:{run.run_id}:{level or ''}",
            f'"{run.run_id}"',
            lambda line: line.run_id == run.run_id and line.at_least(level),
            start,
            cursor,
            limit,
        )

    def recent(
        self, level: str | None, since: datetime | None, cursor: str | None, limit: int
    ) -> tuple[list[LogLine], str | None]:
        """Every function's lines from `since` (default: the last hour), oldest first."""
        start = int(since.timestamp() * 1000) if since else int((self._clock() - _ADMIN_DEFAULT_SECONDS) * 1000)
        return self._page(f"admin:{level or ''}", "", lambda line: line.at_least(level), max(start, 0), cursor, limit)

    # -- one page -------------------------------------------------------------------------
    def _page(
        self, scope: str, pattern: str, keep: Callable[[LogLine], bool], start: int, cursor: str | None, limit: int
    ) -> tuple[list[LogLine], str | None]:
        position = _decode(cursor, scope)
        start, served = position if position else (start, set())
        found: list[tuple[int, int, int, LogLine]] = []  # (ms, group, order read, line)
        cut: int | None = None  # every group is complete up to here (None: complete altogether)
        for number, group in enumerate(self._groups):
            mine = {i for i in served if i.startswith(f"{number}:")}
            lines, horizon = self._scan(number, group, pattern, keep, start, mine, limit)
            found += [(line.millis, number, order, line) for order, line in enumerate(lines)]
            if horizon is not None:
                cut = horizon if cut is None else min(cut, horizon)
        found.sort(key=lambda item: item[:3])
        candidates = [item for item in found if cut is None or item[0] <= cut]
        page = candidates[:limit]
        if cut is None and len(candidates) <= limit:
            return [item[3] for item in page], None
        if page:
            last = page[-1][0]
            ids = [f"{item[1]}:{item[3].event_id}" for item in page if item[0] == last]
            if last == start:
                ids = sorted(served | set(ids))
            return [item[3] for item in page], _encode(scope, last, ids)
        # Nothing to serve yet, but a group is not read to its end (the call budget ran out).
        resume = cut if cut is not None else start
        return [], _encode(scope, resume, sorted(served) if resume == start else [])

    def _scan(
        self,
        number: int,
        group: str,
        pattern: str,
        keep: Callable[[LogLine], bool],
        start: int,
        served: set[str],
        limit: int,
    ) -> tuple[list[LogLine], int | None]:
        """The group's kept lines from `start` and how far it was read: None when to its end,
        else the time of the last event read (lines before it are all here)."""
        kept: list[LogLine] = []
        token: str | None = None
        last_read: int | None = None
        for _ in range(self._calls_per_group):
            events, token = self._reader.filter_page(group, pattern, start, None, token, min(10_000, limit + len(served) + 50))
            for event in events:
                last_read = event["timestamp"]
                if event["timestamp"] == start and f"{number}:{event.get('eventId')}" in served:
                    continue
                line = LogLine.of(group, event)
                if keep(line):
                    kept.append(line)
            if not token:
                return kept, None
            if len(kept) > limit:
                return kept, last_read
        # The group's budget is spent: what was read is served; the next page reads on from there.
        return kept, last_read if last_read is not None else start
