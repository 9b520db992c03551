"""Answering a run's pause: a prepared value (--media), a scripted one (--answer), or asked of
the person. With --no-input (or input exhausted) it stops instead: StoppedAtPause."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ConflictError, RelayAPIError
from ..types import PendingInput
from . import approval, prompts
from .terminal import NoInputError, Terminal

if TYPE_CHECKING:
    from ..client import Relay
    from .output import Output

TEXT, SELECT, MEDIA, APPROVE = "user.text_input", "user.select", "user.media_upload", "user.approve"


class StoppedAtPause(Exception):  # noqa: N818 - a control-flow signal (the run stopped at a pause), not an error
    def __init__(self, pending: PendingInput) -> None:
        super().__init__(pending["step_id"])
        self.pending = pending


def scripted_value(relay: Relay, out: Output, pending: PendingInput, raw: str, run_id: str) -> Any:
    """An --answer's text as the pause's value."""
    module = pending["module_id"]
    if module == TEXT:
        return raw
    if module == SELECT:
        options = pending.get("options") or []
        by_label = {str(o.get("label")): o["value"] for o in options if o.get("label")}
        values = [by_label.get(v, v) for v in (raw.split(",") if pending["request"].get("multiple") else [raw])]
        return values if pending["request"].get("multiple") else values[0]
    if module == MEDIA:
        return prompts.upload_for(relay, out, pending, Path(raw).expanduser(), run_id)
    if module == APPROVE:
        return approval.scripted_approval(relay, pending, raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


@dataclass
class PauseAnswerer:
    relay: Relay
    out: Output
    term: Terminal
    run_id: str
    answers: dict[str, str] = field(default_factory=dict)  # --answer STEP=VALUE, used once each
    prepared: dict[str, Any] = field(default_factory=dict)  # values ready to send (--media uploads)
    no_input: bool = False
    answered: set[str] = field(default_factory=set)  # input ids answered here

    def has_value_for(self, step: str) -> bool:
        """A value for that step is ready (prepared or scripted): nobody is asked."""
        return step in self.prepared or step in self.answers

    def answer(self, pending: PendingInput) -> None:
        step = pending["step_id"]
        if step in self.prepared:
            self._send(pending, self.prepared.pop(step))
        elif step in self.answers:
            raw = self.answers.pop(step)
            self._send(pending, scripted_value(self.relay, self.out, pending, raw, self.run_id))
        elif self.no_input:
            raise StoppedAtPause(pending)
        else:
            self._ask_until_accepted(pending)

    def _send(self, pending: PendingInput, value: Any) -> None:
        try:
            self.relay.runs.answer(self.run_id, pending["step_id"], value)
        except ConflictError as exc:
            if exc.code != "INPUT_ALREADY_ANSWERED":
                raise
            self.out.info(f"step {pending['step_id']} was answered elsewhere meanwhile")

    def _ask(self, pending: PendingInput) -> Any:
        module = pending["module_id"]
        if module == TEXT:
            return prompts.ask_text(self.term, pending)
        if module == SELECT:
            return prompts.ask_select(self.term, pending)
        if module == MEDIA:
            return prompts.ask_media(self.term, self.relay, self.out, pending, self.run_id)
        if module == APPROVE:
            return approval.ask_approval(self.relay, self.term, pending)
        raw = self.term.ask(f"? {prompts.question(pending)} (JSON): ")
        return scripted_value(self.relay, self.out, pending, raw, self.run_id)

    def _ask_until_accepted(self, pending: PendingInput) -> None:
        while True:
            try:
                value = self._ask(pending)
            except NoInputError:
                raise StoppedAtPause(pending) from None
            try:
                self._send(pending, value)
                return
            except RelayAPIError as exc:
                if exc.status != 400:
                    raise
                self.term.say(f"  refused: {exc.detail} ({exc.code})")
