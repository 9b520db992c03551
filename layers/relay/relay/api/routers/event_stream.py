"""A run's events, live, as Server-Sent Events (relay.services.event_stream)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from relay.api.deps import CurrentUser, RelayDep, RunId
from relay.api.problems import raises
from relay.services.event_stream import Wait, start_position

router = APIRouter(tags=["runs"])

# One message of the stream (OpenAPI before 3.2: `schema` of text/event-stream is each event).
SSE_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "the event's seq"},
        "event": {"type": "string", "description": "its event_type, or `end`"},
        "retry": {"type": "integer"},
        "data": {
            "type": "string",
            "description": "the event as GET /v1/runs/{id}/events lists it; for `end`: {run_id, status, last_event_id}",
            "contentMediaType": "application/json",
            "contentSchema": {"type": "object"},
        },
    },
}

STREAM_DESCRIPTION = (
    "`text/event-stream`: first `retry: 1000`, then one message per event after the start "
    "(`id:` its seq, `event:` its event_type, `data:` the event as `GET /v1/runs/{id}/events` "
    "lists it). When the run has ended and every event was sent: `event: end` with "
    "`{run_id, status, last_event_id}`, and the stream closes (stop reconnecting). When its time "
    "is up (RELAY_EVENT_STREAM_SECONDS, at most 25 s, under API Gateway's 30 s): a comment, and "
    "the stream closes; reconnect with `Last-Event-ID` to resume where it stopped. On API "
    "Gateway the Lambda's response is buffered: the whole stream arrives when it closes."
)


async def _served(frames: Iterator[str | Wait]) -> AsyncIterator[str]:
    """Each poll (DynamoDB calls) on a worker thread, the waits between them on the event loop:
    an open stream holds no thread while it waits."""
    while True:
        item = await run_in_threadpool(next, frames, None)
        if item is None:
            return
        if isinstance(item, Wait):
            await asyncio.sleep(item.seconds)
        else:
            yield item


@router.get(
    "/v1/runs/{run_id}/events/stream",
    response_class=StreamingResponse,
    responses={200: {"description": STREAM_DESCRIPTION, "content": {"text/event-stream": {"schema": SSE_EVENT}}}},
    openapi_extra=raises("INVALID_LAST_EVENT_ID"),
)
def stream_events(
    run_id: RunId,
    user: CurrentUser,
    relay: RelayDep,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", max_length=64, description="resume after this event (seq); wins over `after`"),
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=10**12, description="start after this seq (0: every event)")] = None,
    wait: Annotated[
        float | None,
        Query(ge=0, le=25, description="seconds the stream stays open at most (default and cap: the server's bound)"),
    ] = None,
) -> StreamingResponse:
    """New events of the run as they are written (polled every second or so)."""
    run = relay.runs.get(user, run_id)
    position = start_position(run, last_event_id, after)
    bound = relay.api_settings.event_stream_seconds
    seconds = bound if wait is None else min(wait, bound)
    return StreamingResponse(
        _served(relay.event_stream.frames(run.run_id, position, seconds)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
