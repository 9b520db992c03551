"""`relay approvals [--watch]`: the pauses waiting for me, across my runs."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import add

if TYPE_CHECKING:
    from ..context import Context

COLUMNS = [
    ("run_id", "run"),
    ("step_id", "step"),
    ("module_id", "asks"),
    ("prompt", "question"),
    ("artifact", "artifact"),
    ("created_at", "since"),
]


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cmd = add(
        commands,
        "approvals",
        common,
        help="pauses waiting for me (approvals and questions), oldest first",
        examples="  relay approvals\n  relay approvals --watch          # new ones as they come (Ctrl-C stops)\n"
        "  relay attach RUN                 # answer one",
    )
    cmd.add_argument("--watch", action="store_true", help="keep listing new ones as they arrive")
    cmd.add_argument("--interval", type=float, default=2.0, help="seconds between checks with --watch (default 2)")
    cmd.set_defaults(run=approvals)


def _row(item: Mapping[str, Any]) -> dict[str, Any]:
    artifact = item.get("artifact")
    brief = f"{artifact['artifact_name']} v{artifact['version']} ({artifact['status']})" if artifact else None
    return {**item, "run_id": item.get("run_id") or item["run"]["run_id"], "artifact": brief}


def approvals(ctx: Context) -> int:
    items = list(ctx.relay.approvals.list())
    if ctx.out.json_mode and not ctx.args.watch:
        ctx.out.document({"items": items})
        return 0
    ctx.out.table([_row(i) for i in items], COLUMNS)
    if not ctx.args.watch:
        return 0
    seen = {i["input_id"] for i in items}
    while True:
        time.sleep(ctx.args.interval)
        new = [i for i in ctx.relay.approvals.list() if i["input_id"] not in seen]
        for item in new:
            seen.add(item["input_id"])
            row = _row(item)
            if ctx.out.json_mode:
                ctx.out.stdout.write(json.dumps(item) + "\n")
                ctx.out.stdout.flush()
            else:
                ctx.out.line(
                    f"{row['run_id']}  {row['step_id']}  {row['module_id']}  {row.get('prompt') or ''}"
                    f"{'  ' + row['artifact'] if row['artifact'] else ''}"
                )
