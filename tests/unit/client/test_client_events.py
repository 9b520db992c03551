"""The SSE reader: messages parsed as the spec says, and a stream that resumes with
Last-Event-ID after the server closes it or the connection drops, nothing twice or skipped."""

from __future__ import annotations

import json

import httpx
import pytest

from relay_client import Relay, RelayConnectionError
from relay_client.sse import parse


def frame(seq: int, kind: str = "step_started") -> str:
    return f"id: {seq}\nevent: {kind}\ndata: " + json.dumps({"seq": seq, "event_type": kind}) + "\n\n"


END = 'event: end\ndata: {"run_id": "run_1", "status": "completed", "last_event_id": 4}\n\n'


class Dropping(httpx.SyncByteStream):
    """Yields its chunks, then fails like a dropped connection."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    def __iter__(self):
        for chunk in self.chunks:
            yield chunk.encode()
        raise httpx.ReadError("connection reset")


def test_parse_follows_the_event_stream_format():
    lines = [
        "retry: 1000",
        "",
        ": a comment",
        "id: 7",
        "event: progress",
        'data: {"a":',
        "data: 1}",
        "",
        "data: no id",
        "",
        "id: 8",
        "data: x",
    ]  # the last is never dispatched: no blank line
    messages = list(parse(lines))
    assert [(m.event, m.id, m.data, m.retry) for m in messages] == [
        ("message", None, "", 1000),
        ("progress", "7", '{"a":\n1}', None),
        ("message", None, "no id", None),
    ]


def test_the_stream_resumes_after_a_close_and_a_drop_with_last_event_id():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {"content-type": "text/event-stream"}
        if len(seen) == 1:  # the server's time is up: a comment, then it closes
            return httpx.Response(200, headers=headers, text="retry: 1000\n\n" + frame(1) + frame(2) + ": time is up\n\n")
        if len(seen) == 2:  # sends 2 again (a replay must not be yielded twice) and 3, then drops
            return httpx.Response(200, headers=headers, stream=Dropping([frame(2) + frame(3)]))
        return httpx.Response(200, headers=headers, text=frame(4, "run_completed") + END)

    relay = Relay("http://api.test", "rk_k", transport=httpx.MockTransport(handler))
    stream = relay.events.stream("run_1")
    stream.sleep = lambda s: None
    events = list(stream)
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert [r.headers["last-event-id"] for r in seen] == ["0", "2", "3"]
    assert stream.end is not None and stream.end.status == "completed" and stream.last_event_id == 4


def test_a_stream_that_never_connects_gives_up_with_a_connection_error():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    relay = Relay("http://api.test", "rk_k", transport=httpx.MockTransport(handler))
    stream = relay.events.stream("run_1")
    stream.sleep = lambda s: None
    with pytest.raises(RelayConnectionError):
        list(stream)
