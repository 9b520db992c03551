"""Following a run to its end: its event stream feeds the progress view (no polling), and
each pause it reaches is answered (cli/pauses.py). Used by `relay run` and `relay attach`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..types import RunDetail
from .pauses import PauseAnswerer
from .progress_view import ProgressView

if TYPE_CHECKING:
    from ..client import Relay
    from .output import Output

PAUSE_EVENTS = frozenset({"input_requested", "input_reopened"})


class Follower:
    def __init__(self, relay: Relay, out: Output, answerer: PauseAnswerer) -> None:
        self.relay = relay
        self.out = out
        self.answerer = answerer
        self.run_id = answerer.run_id
        self.view = ProgressView(out, self.run_id)

    def follow(self, run: RunDetail | None = None) -> RunDetail:
        """Until the run ends; StoppedAtPause (--no-input) or KeyboardInterrupt leave it running.
        A run already paused (attach) is asked about first."""
        self.view.start()
        try:
            pending = run.get("pending_input") if run is not None else None
            if pending:
                self._answer(pending["input_id"])
            stream = self.relay.events.stream(self.run_id)
            for event in stream:
                self.view.event(event)
                if event.get("event_type") in PAUSE_EVENTS:
                    self._answer((event.get("data") or {}).get("input_id"))
        finally:
            self.view.stop()
        return self.relay.runs.get(self.run_id)

    def _answer(self, input_id: Any) -> None:
        """Answer the pause if it is still the run's open one (a replayed event may be old)."""
        run = self.relay.runs.get(self.run_id)
        pending = run.get("pending_input")
        if pending is None or pending["input_id"] != input_id or run["status"] != "awaiting_input":
            return
        self.view.stop()
        self.answerer.answer(pending)
        self.answerer.answered.add(input_id)
        self.view.start()
