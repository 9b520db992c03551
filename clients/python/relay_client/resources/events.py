"""A run's events, live (Server-Sent Events, resumed with Last-Event-ID)."""

from __future__ import annotations

from ..sse import EventStream
from . import Resource


class Events(Resource):
    def stream(self, run_id: str, *, after: int = 0, read_timeout: float = 60.0) -> EventStream:
        """Iterate it for each event after `after` (0: from the first), live, until the run
        ends; its `end` then says how. Dropped connections reconnect where they stopped."""
        return EventStream(self._t, run_id, last_event_id=after, read_timeout=read_timeout)
