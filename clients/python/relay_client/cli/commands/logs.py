"""`relay logs RUN [--level L] [--follow]`: the run's log lines, oldest first."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import add

if TYPE_CHECKING:
    from ...types import LogLine
    from ..context import Context


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cmd = add(
        commands,
        "logs",
        common,
        help="a run's log lines (every function's), oldest first",
        examples="  relay logs run_abc\n  relay logs run_abc --level WARNING\n  relay logs run_abc --follow   # until the run ends",
    )
    cmd.add_argument("run_id")
    cmd.add_argument("--level", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    cmd.add_argument("--follow", "-f", action="store_true", help="keep reading new lines until the run has ended")
    cmd.add_argument("--interval", type=float, default=2.0, help="seconds between reads with --follow (default 2)")
    cmd.set_defaults(run=logs)


def _print(ctx: Context, line: Mapping[str, Any]) -> None:
    if ctx.out.json_mode:
        ctx.out.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")  # JSON lines: one per log line
        ctx.out.stdout.flush()
        return
    step = f" [{line['step_id']}]" if line.get("step_id") else ""
    ctx.out.line(f"{line['timestamp']} {line.get('level') or '-':8}{step} {line['message']}")


def _key(line: Mapping[str, Any]) -> str:
    return json.dumps(line, sort_keys=True, ensure_ascii=False)


def _unseen(lines: list[LogLine], seen: Counter[str]) -> list[LogLine]:
    """The lines of a page read again that were not printed from it before (a line repeated
    word for word at one millisecond counts as often as it is there)."""
    fresh, counted = [], Counter[str]()
    for line in lines:
        key = _key(line)
        counted[key] += 1
        if counted[key] > seen[key]:
            fresh.append(line)
            seen[key] += 1
    return fresh


def logs(ctx: Context) -> int:
    """Page on with each next_cursor. The last page has none, so --follow reads that page again
    (from its own cursor) and prints only what it did not print from it before."""
    from ...types import ENDED

    relay, run_id = ctx.relay, ctx.args.run_id
    cursor: str | None = None
    seen: Counter[str] = Counter()  # printed from the page at `cursor`
    ended_reads = 0
    while True:
        lines, next_cursor = relay.runs.logs(run_id, level=ctx.args.level, cursor=cursor)
        for line in _unseen(lines, seen):
            _print(ctx, line)
        if next_cursor:
            cursor, seen = next_cursor, Counter()
            continue
        if not ctx.args.follow:
            return 0
        # An ended run's last lines land when its invocation returns: one more read after the end.
        if relay.runs.get(run_id)["status"] in ENDED:
            ended_reads += 1
            if ended_reads > 1:
                return 0
        time.sleep(ctx.args.interval)
