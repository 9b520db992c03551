"""Following a run to its end: its event stream feeds the progress view (no polling), and
each pause it reaches is answered (cli/pauses.py). Used by `relay run` and `relay attach`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..types import PendingInput, RunDetail
from .pauses import APPROVE, PauseAnswerer
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
                if event.get("event_type") not in PAUSE_EVENTS:
                    continue
                scripted = self._scripted(event) if run is None else None
                if scripted is not None:
                    self._send_now(scripted)
                else:
                    self._answer((event.get("data") or {}).get("input_id"))
        finally:
            self.view.stop()
        return self.relay.runs.get(self.run_id)

    def _scripted(self, event: dict[str, Any]) -> PendingInput | None:
        """The pause as its event tells it, when a value for it is ready (--answer, --media) and
        the stream is this new run's own (no replayed history): answered without reading the run
        first. An approval is read (its artifact's latest version), as is any pause asked of a
        person (no hurry there); a pause answered elsewhere meanwhile is the server's 409."""
        data, step = event.get("data") or {}, event.get("step_id")
        request, module = data.get("request"), data.get("module_id")
        if event.get("event_type") != "input_requested" or not isinstance(request, dict) or not step:
            return None
        if module == APPROVE or not data.get("input_id") or not self.answerer.has_value_for(str(step)):
            return None
        return {
            "input_id": str(data["input_id"]),
            "run_id": self.run_id,
            "step_id": str(step),
            "module_id": str(module),
            "prompt": request.get("prompt"),
            "options": request.get("options"),
            "request": request,
            "created_at": str(event.get("timestamp") or ""),
            "expires_at": str(data.get("expires_at") or ""),
            "artifact": None,
        }

    def _send_now(self, pending: PendingInput) -> None:
        self.view.stop()
        self.answerer.answer(pending)
        self.answerer.answered.add(pending["input_id"])
        self.view.start()

    def _answer(self, input_id: Any) -> None:
        """Answer the pause if it is still the run's open one (a replayed event may be old)."""
        run = self.relay.runs.get(self.run_id)
        pending = run.get("pending_input")
        if pending is None or pending["input_id"] != input_id or run["status"] != "awaiting_input":
            return
        self._send_now(pending)
