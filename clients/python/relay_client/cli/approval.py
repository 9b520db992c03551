"""A user.approve pause: preview the artifact (text/json in the terminal), then approve,
reject (with a reason) or edit (text/json in $EDITOR, binary by a file) and decide again.
Scripted (`--answer STEP=…`): `approve[:REASON]`, `reject:REASON`, `edit:PATH` (then approve)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ClientInputError
from ..types import ArtifactToJudge, PendingInput
from .terminal import Terminal

if TYPE_CHECKING:
    from ..client import Relay

PREVIEW_LINES = 40


def preview(relay: Relay, term: Terminal, artifact: ArtifactToJudge) -> Any:
    """Show the artifact; return its content (json/text) or None (binary)."""
    term.say(
        f"  artifact {artifact['artifact_name']} v{artifact['version']} ({artifact['status']}, "
        f"{artifact['format']}, {artifact['content_type']}, {artifact['size_bytes']} bytes)"
    )
    if artifact["format"] == "binary":
        term.say(f"  preview: {artifact['preview_url']}")
        return None
    content = relay.artifacts.content(artifact["artifact_id"]).data
    text = json.dumps(content, indent=2, ensure_ascii=False) if artifact["format"] == "json" else str(content)
    lines = text.splitlines() or [""]
    for line in lines[:PREVIEW_LINES]:
        term.say(f"  │ {line}")
    if len(lines) > PREVIEW_LINES:
        term.say(f"  │ … {len(lines) - PREVIEW_LINES} more lines")
    return content


def edit_in_editor(content: Any, fmt: str) -> Any | None:
    """Open the content in $VISUAL/$EDITOR; the edited content, or None when unchanged."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    text = json.dumps(content, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else str(content)
    with tempfile.NamedTemporaryFile("w", suffix=".json" if fmt == "json" else ".txt", delete=False, encoding="utf-8") as handle:
        handle.write(text)
        path = Path(handle.name)
    try:
        done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if done.returncode != 0:
            raise ClientInputError(f"the editor ({editor}) exited with {done.returncode}", code="EDITOR_FAILED")
        edited = path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
    if edited == text:
        return None
    if fmt != "json":
        return edited
    try:
        return json.loads(edited)
    except json.JSONDecodeError as exc:
        raise ClientInputError(f"the edit is not valid JSON: {exc}", code="INVALID_JSON") from exc


def _edit(relay: Relay, term: Terminal, artifact: ArtifactToJudge, content: Any) -> bool:
    """One edit; True when a new version was made."""
    if artifact["format"] == "binary":
        raw = term.ask("  file with the new content: ").strip()
        made = relay.artifacts.edit_binary(artifact["artifact_id"], Path(raw).expanduser())
    else:
        edited = edit_in_editor(content, artifact["format"])
        if edited is None:
            term.say("  unchanged")
            return False
        made = relay.artifacts.edit(artifact["artifact_id"], edited)
    term.say(f"  saved as version {made['version']} ({made['status']})")
    return True


def to_judge(relay: Relay, pending: PendingInput) -> ArtifactToJudge:
    """The latest version of the artifact the pause asks about (the run's pending input names
    the version it paused on; an edit since made a newer one)."""
    named: Mapping[str, Any] = pending.get("artifact") or {}
    artifact_id = named.get("artifact_id") or pending["request"].get("artifact_id")
    if not artifact_id:
        raise ClientInputError(f"step {pending['step_id']} asks for an approval but names no artifact")
    latest = next((v for v in relay.artifacts.versions(artifact_id) if v["is_latest"]), None) or relay.artifacts.get(artifact_id)
    return {
        "artifact_id": latest["artifact_id"],
        "artifact_name": latest["artifact_name"],
        "version": latest["version"],
        "status": latest["status"],
        "format": latest["format"],
        "content_type": latest["content_type"],
        "declared_content_type": latest["declared_content_type"],
        "size_bytes": latest["size_bytes"],
        "preview_url": f"/v1/artifacts/{latest['artifact_id']}/content",
    }


def ask_approval(relay: Relay, term: Terminal, pending: PendingInput) -> dict[str, str]:
    term.say(f"? {pending.get('prompt') or 'Approve this artifact?'}")
    artifact = to_judge(relay, pending)
    while True:
        content = preview(relay, term, artifact)
        choice = term.ask("  [a]pprove, [r]eject, [e]dit: ").strip().lower()
        if choice in ("a", "approve"):
            return {"decision": "approve"}
        if choice in ("r", "reject"):
            reason = ""
            while not reason:
                reason = term.ask("  reason: ").strip()
            return {"decision": "reject", "reason": reason}
        if choice in ("e", "edit"):
            try:
                if _edit(relay, term, artifact, content):
                    artifact = to_judge(relay, pending)
            except ClientInputError as exc:
                term.say(f"  {exc.detail}")


def scripted_approval(relay: Relay, pending: PendingInput, raw: str) -> dict[str, str]:
    verb, _, rest = raw.partition(":")
    if verb == "approve":
        return {"decision": "approve", **({"reason": rest} if rest else {})}
    if verb == "reject":
        return {"decision": "reject", "reason": rest or "rejected"}
    if verb == "edit" and rest:
        artifact = to_judge(relay, pending)
        relay.artifacts.edit_from_file(artifact["artifact_id"], Path(rest).expanduser(), artifact["format"])
        return {"decision": "approve"}
    raise ClientInputError(
        f"--answer {pending['step_id']}={raw!r}: an approval takes approve[:REASON], reject:REASON or edit:PATH",
        code="INVALID_ANSWER",
    )
