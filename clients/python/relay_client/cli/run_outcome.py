"""How `relay run` / `relay attach` end: the outcome printed (or one JSON document), the
deliverables downloaded, and the exit code (0 completed, 1 error/cancelled, 4 paused, 130 ^C)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import exit_codes
from .deliverables import default_folder, download_deliverables
from .follow import Follower
from .pauses import PauseAnswerer, StoppedAtPause

if TYPE_CHECKING:
    from ..types import RunDetail
    from .context import Context


def follow_to_end(ctx: Context, run: RunDetail, answerer: PauseAnswerer, *, attach: bool = False) -> int:
    run_id = run["run_id"]
    try:
        final = Follower(ctx.relay, ctx.out, answerer).follow(run if attach else None)
    except StoppedAtPause as stop:
        return _stopped(ctx, run_id, stop)
    except KeyboardInterrupt:
        ctx.out.info(f"\ninterrupted: run {run_id} keeps running on the server.\n  come back to it with: relay attach {run_id}")
        return exit_codes.INTERRUPTED
    return finish(ctx, final)


def _stopped(ctx: Context, run_id: str, stop: StoppedAtPause) -> int:
    pending = stop.pending
    what = pending.get("prompt") or pending["request"].get("prompt") or ""
    if ctx.out.json_mode:
        ctx.out.document({"run_id": run_id, "status": "awaiting_input", "stopped_at": pending})
    ctx.out.info(
        f"run {run_id} waits at step {pending['step_id']} ({pending['module_id']}): {what}\n"
        f"  answer it with: relay attach {run_id}   (or --answer {pending['step_id']}=VALUE)"
    )
    return exit_codes.PAUSED


def finish(ctx: Context, run: RunDetail) -> int:
    out, args = ctx.out, ctx.args
    written: list[Path] = []
    folder = args.out or default_folder(run.get("project_name"), run["template_name"], run["run_id"])
    if run["status"] == "completed":
        written = download_deliverables(ctx.relay, run["run_id"], folder)
    doc: dict[str, Any] = {
        "run_id": run["run_id"],
        "status": run["status"],
        "error": run.get("error"),
        "deliverables": [str(p) for p in written],
        "run": run,
    }
    if out.json_mode:
        out.document(doc)
    elif run["status"] == "completed":
        out.line(f"run {run['run_id']} completed")
        out.line(f"state: {json.dumps(run.get('state') or {}, ensure_ascii=False)[:500]}")
        if written:
            out.line(f"deliverables in {folder}/: {', '.join(p.name for p in written)}")
    else:
        error: Mapping[str, Any] = run.get("error") or {}
        out.line(f"run {run['run_id']} {run['status']}: {error.get('code', '')} {error.get('message', '')}".rstrip())
    return exit_codes.OK if run["status"] == "completed" else exit_codes.RUN_FAILED
