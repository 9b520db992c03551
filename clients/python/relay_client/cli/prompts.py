"""Asking the person for a pause's answer: text (within its length limit), select (arrow keys
or numbers), a media upload (a path). Approvals are in cli/approval.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ClientInputError
from ..types import PendingInput
from .select_menu import choose
from .terminal import Terminal
from .upload_bar import upload_with_bar

if TYPE_CHECKING:
    from ..client import Relay
    from .output import Output


def question(pending: PendingInput) -> str:
    return str(pending.get("prompt") or pending["request"].get("prompt") or f"Answer for step {pending['step_id']}")


def ask_text(term: Terminal, pending: PendingInput) -> str:
    request = pending["request"]
    limit, default = request.get("max_length"), request.get("default")
    hint = "".join([f" (max {limit} chars)" if limit else "", f" [{default}]" if default else ""])
    while True:
        value = term.ask(f"? {question(pending)}{hint}: ")
        if not value and default:
            return str(default)
        if limit and len(value) > int(limit):
            term.say(f"  {len(value)} characters: at most {limit}, please")
            continue
        if value:
            return value
        term.say("  an answer is needed")


def ask_select(term: Terminal, pending: PendingInput) -> Any:
    options = pending.get("options") or pending["request"].get("options") or []
    multiple = bool(pending["request"].get("multiple"))
    term.say(f"? {question(pending)}")
    picked = choose(term, options, multiple)
    values = [options[i]["value"] for i in picked]
    term.say(f"  → {', '.join(str(v) for v in values)}")
    return values if multiple else values[0]


def media_limits(pending: PendingInput) -> tuple[list[str], float | None]:
    request = pending["request"]
    accepted = list(request.get("accepted_types") or ["*/*"])
    size = request.get("max_size_mb")
    return accepted, float(size) if size is not None else None


def upload_for(relay: Relay, out: Output, pending: PendingInput, path: Path, run_id: str | None) -> dict[str, str]:
    """Upload a file for a user.media_upload pause (its types and size checked first)."""
    accepted, max_mb = media_limits(pending)
    media = upload_with_bar(relay, out, path, run_id=run_id, accepted_types=accepted, max_size_mb=max_mb)
    return {"media_id": media["media_id"]}


def ask_media(term: Terminal, relay: Relay, out: Output, pending: PendingInput, run_id: str) -> dict[str, str]:
    accepted, max_mb = media_limits(pending)
    limit = f", at most {max_mb:g} MB" if max_mb else ""
    while True:
        raw = term.ask(f"? {question(pending)} (a file: {', '.join(accepted)}{limit}): ").strip()
        if not raw:
            continue
        try:
            return upload_for(relay, out, pending, Path(raw).expanduser(), run_id)
        except ClientInputError as exc:
            term.say(f"  {exc.detail}")
