"""Server-Sent Events: a parser of `text/event-stream` lines, and a run's event stream that
reconnects with `Last-Event-ID` after the server closes it (its time is up) or the connection
drops, until `event: end`. Nothing twice (an id at or before the last one seen is skipped),
nothing skipped (the server resumes after Last-Event-ID)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .exceptions import RelayAPIError, RelayConnectionError
from .transport import RETRY_STATUSES, Transport


@dataclass
class Message:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


def parse(lines: Iterable[str]) -> Iterator[Message]:
    """Messages of an event stream, each dispatched at its blank line (comments dropped)."""
    event, data = "message", list[str]()
    ident: str | None = None
    retry: int | None = None
    for line in lines:
        if line == "":
            if data or retry is not None:
                yield Message(event, "\n".join(data), ident, retry)
            event, data, ident, retry = "message", [], None, None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            ident = value
        elif name == "retry" and value.isdigit():
            retry = int(value)


@dataclass(frozen=True)
class StreamEnd:
    run_id: str
    status: str
    last_event_id: int


@dataclass
class EventStream:
    """A run's events, live: `for event in stream` yields each event dict once, in order; at
    the end `stream.end` says how the run ended. `last_event_id` is where a resume starts."""

    transport: Transport
    run_id: str
    last_event_id: int = 0
    read_timeout: float = 60.0  # the server sends within its bound (≤ 25 s), then closes
    max_reconnects: int = 8  # in a row without an event; then the connection error is raised
    sleep: Callable[[float], None] = time.sleep
    end: StreamEnd | None = field(default=None, init=False)
    _retry_ms: int = field(default=1000, init=False)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        failures = 0
        while self.end is None:
            try:
                for event in self._connect():
                    failures = 0
                    yield event
            except (RelayConnectionError, RelayAPIError) as exc:
                if isinstance(exc, RelayAPIError) and exc.status not in RETRY_STATUSES:
                    raise
                failures += 1
                if failures > self.max_reconnects:
                    raise
                self.sleep(min(self._retry_ms / 1000 * failures, 10.0))
                continue
            if self.end is None:
                self.sleep(min(self._retry_ms, 250) / 1000)  # the server closed on time: reconnect at once

    def _connect(self) -> Iterator[dict[str, Any]]:
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(self.last_event_id)}
        params = {"after": self.last_event_id}
        with self.transport.stream(
            f"/v1/runs/{self.run_id}/events/stream", params=params, headers=headers, timeout=self.read_timeout
        ) as response:
            for message in parse(response.iter_lines()):
                if message.retry is not None:
                    self._retry_ms = message.retry
                if message.event == "end":
                    body = json.loads(message.data)
                    self.end = StreamEnd(body["run_id"], body["status"], int(body["last_event_id"]))
                    return
                if not message.data:
                    continue
                seq = int(message.id) if message.id and message.id.isdigit() else None
                if seq is not None and seq <= self.last_event_id:
                    continue
                event = json.loads(message.data)
                if seq is not None:
                    self.last_event_id = seq
                yield event
