"""Live events of a run as Server-Sent Events, by polling the events table.

A stream starts after a position (the client's `Last-Event-ID`, or `?after=`), sends every
event after it in order (`id:` = its seq), and ends when the run has ended and everything
was sent (an `end` event) or when its time is up (a comment saying so). Either way the
client resumes with the last id it got: no event is sent twice in one stream, none skipped.

Each poll is one strongly consistent Query (`seq > last`); when it finds nothing new, one
GetItem of the run tells whether the run has ended. A run's events and its status are
committed in one transaction, so a run seen ended has all its events readable.

The wait between polls adapts: `min_poll_seconds` after an event (a run that is moving
writes its next one soon: a step, or the steps after an answer), doubling on each empty poll
up to `poll_seconds` (a paused or slow run costs a few polls more than a fixed cadence of
`poll_seconds`, once per quiet spell).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from relay.domain import TERMINAL_STATUSES, Event, Run
from relay.exceptions import InvalidRequestError

PAGE = 100
RETRY_MS = 1000  # what the client waits before reconnecting (the `retry:` field)


def start_position(run: Run, last_event_id: str | None, after: int | None) -> int:
    """Where the stream starts: `Last-Event-ID` (a reconnecting client's; it wins over the
    URL's `after`, which EventSource sends again unchanged), else `after`, else 0 (every
    event). Only a seq the run has reached is a position."""
    if last_event_id is not None:
        text = last_event_id.strip()
        if not text.isdigit() or len(text) > 12:
            raise InvalidRequestError("Last-Event-ID must be the id (seq) of an event of this run", code="INVALID_LAST_EVENT_ID")
        position = int(text)
    else:
        position = after or 0
    if position > run.event_seq:
        raise InvalidRequestError(
            f"this run has no event {position} yet (its last is {run.event_seq})", code="INVALID_LAST_EVENT_ID"
        )
    return position


@dataclass(frozen=True)
class Wait:
    """Between polls the stream yields this instead of sleeping: the API awaits it without
    holding a thread (relay.api.routers.event_stream); `run` sleeps through it."""

    seconds: float


def frame(event: Event) -> str:
    body = json.dumps(event.public(), separators=(",", ":"))  # as /events lists it
    return f"id: {event.seq}\nevent: {event.event_type}\ndata: {body}\n\n"


class EventStream:
    def __init__(
        self,
        runs: Any,  # RunRepository: events_after, get
        *,
        poll_seconds: float,
        min_poll_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runs = runs
        self._poll = poll_seconds  # the longest wait (an idle stream)
        self._min_poll = poll_seconds if min_poll_seconds is None else min(min_poll_seconds, poll_seconds)
        self._clock = clock

    def frames(self, run_id: str, after: int, seconds: float) -> Iterator[str | Wait]:
        """The stream's text, chunk by chunk, with a Wait between polls, for at most about
        `seconds` (one poll more)."""
        deadline = self._clock() + seconds
        last = after
        wait = self._min_poll
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            events = self._runs.events_after(run_id, last, PAGE)
            for event in events:
                yield frame(event)
                last = event.seq
            if len(events) == PAGE:
                continue  # more waiting: no sleep, no status check
            run = self._runs.get(run_id)
            if run is None or (run.status in TERMINAL_STATUSES and run.event_seq <= last):
                status = run.status.value if run else "gone"
                end = json.dumps({"run_id": run_id, "status": status, "last_event_id": last})
                yield f"event: end\ndata: {end}\n\n"
                return
            remaining = deadline - self._clock()
            if remaining <= 0:
                yield f": time is up; reconnect with Last-Event-ID: {last}\n\n"
                return
            # Events just sent, or written between the Query and the GetItem: the run is moving.
            wait = self._min_poll if events or run.event_seq > last else min(wait * 2, self._poll)
            yield Wait(min(wait, remaining))
