"""Reading Server-Sent Events streams in the tests, as a client would."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Stream:
    status: int
    content_type: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # {id?, event, data}
    comments: list[str] = field(default_factory=list)
    retry: int | None = None
    seconds: float = 0.0

    @property
    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("id") is not None]

    @property
    def end(self) -> dict[str, Any] | None:
        return next((m["data"] for m in self.messages if m["event"] == "end"), None)


def parse(text: str, stream: Stream) -> None:
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        message: dict[str, Any] = {"event": "message"}
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith(":"):
                stream.comments.append(line[1:].strip())
            elif line.startswith("retry: "):
                stream.retry = int(line[7:])
            elif line.startswith("id: "):
                message["id"] = int(line[4:])
            elif line.startswith("event: "):
                message["event"] = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if data:
            message["data"] = json.loads("\n".join(data))
            stream.messages.append(message)


def read(client: httpx.Client, run_id: str, last_event_id: int | None = None, **params: Any) -> Stream:
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    started = time.monotonic()
    with client.stream("GET", f"/v1/runs/{run_id}/events/stream", headers=headers, params=params) as response:
        text = "".join(response.iter_text())
        stream = Stream(response.status_code, response.headers.get("content-type", ""))
    stream.seconds = time.monotonic() - started
    if stream.status == 200:
        parse(text, stream)
    else:
        stream.messages.append({"event": "problem", "data": json.loads(text)})
    return stream


def follow(client: httpx.Client, run_id: str, *, timeout: float = 60, on_event=None) -> tuple[list[dict[str, Any]], list[Stream]]:
    """Reconnect with Last-Event-ID until the stream says the run ended: every event seen, and
    each stream read."""
    seen: list[dict[str, Any]] = []
    streams: list[Stream] = []
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        stream = read(client, run_id, last)
        assert stream.status == 200, stream.messages
        streams.append(stream)
        for message in stream.events:
            seen.append(message)
            last = message["id"]
            if on_event:
                on_event(message)
        if stream.end is not None:
            return seen, streams
    raise AssertionError(f"run {run_id} did not end within {timeout} s; saw {[m['id'] for m in seen]}")
