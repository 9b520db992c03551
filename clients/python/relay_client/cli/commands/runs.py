"""`relay runs list|search|show|compare|cancel|retry|branch|resume|export|api-calls`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import add

if TYPE_CHECKING:
    from ..context import Context

COLUMNS = [
    ("run_id", "run"),
    ("status", "status"),
    ("template_name", "template"),
    ("project_name", "project"),
    ("current_step", "step"),
    ("created_at", "created"),
]


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("runs", help="find, inspect and control runs", description="Find, inspect and control runs.")
    runs = group.add_subparsers(dest="runs_command", metavar="COMMAND", required=True)
    for name, help_, examples in (
        ("list", "my runs, newest first", "  relay runs list\n  relay runs list --status error --limit 5 --json"),
        (
            "search",
            "runs whose words hold every word of QUERY",
            "  relay runs search 'ada warm'\n  relay runs search cats --template greeting",
        ),
    ):
        cmd = add(runs, name, common, help=help_, examples=examples)
        if name == "search":
            cmd.add_argument("query")
        cmd.add_argument("--status", choices=["running", "awaiting_input", "completed", "error", "cancelled"])
        cmd.add_argument("--template", help="runs of this template name")
        cmd.add_argument("--since", help="created at or after (ISO 8601)")
        cmd.add_argument("--until", help="created before (ISO 8601)")
        cmd.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
        cmd.set_defaults(run=list_runs)
    show = add(runs, "show", common, help="one run: status, step, state, pending question", examples="  relay runs show run_abc")
    show.add_argument("run_id")
    show.set_defaults(run=show_run)
    compare = add(runs, "compare", common, help="what differs between two runs", examples="  relay runs compare run_a run_b")
    compare.add_argument("a")
    compare.add_argument("b")
    compare.set_defaults(run=_reports("show_compare"))
    for name, help_ in (("cancel", "cancel a running or waiting run"), ("retry", "retry a run in error at its failed module")):
        cmd = add(runs, name, common, help=help_, examples=f"  relay runs {name} run_abc")
        cmd.add_argument("run_id")
        cmd.set_defaults(run=lambda ctx, name=name: _show(ctx, getattr(ctx.relay.runs, name)(ctx.args.run_id)))
    branch = add(
        runs,
        "branch",
        common,
        help="a new branch of a run from one of its events",
        examples="  relay runs branch run_abc --from evt_123 --set name=Grace",
    )
    branch.add_argument("run_id")
    branch.add_argument("--from", dest="from_event", required=True, metavar="EVENT_ID")
    branch.add_argument("--set", action="append", metavar="NAME=VALUE", help="state override (NAME:=JSON typed)")
    branch.set_defaults(run=branch_run)
    resume = add(
        runs,
        "resume",
        common,
        help="resume a run with a version (or a workflow folder)",
        examples="  relay runs resume run_abc --version ver_123\n  relay runs resume run_abc ./flow --choice continue_with_new",
    )
    resume.add_argument("run_id")
    resume.add_argument("path", nargs="?", help="a workflow to submit first (its version is used)")
    resume.add_argument("--version", help="a version of the run's template")
    resume.add_argument(
        "--choice",
        choices=["continue_with_new", "continue_with_original", "start_fresh"],
        help="what to do when it is another version than the run's (else exit 3 with the options)",
    )
    resume.set_defaults(run=resume_run)
    export = add(runs, "export", common, help="download the run as one zip", examples="  relay runs export run_abc --out .")
    export.add_argument("run_id")
    export.add_argument("--out", type=Path, default=Path("."), help="a folder or a file (default .)")
    export.set_defaults(run=export_run)
    calls = add(
        runs,
        "api-calls",
        common,
        help="a run's LLM calls (tokens, cost, timing); with CALL_ID one call's request and response",
        examples="  relay runs api-calls run_abc\n  relay runs api-calls run_abc call_123 --json",
    )
    calls.add_argument("run_id")
    calls.add_argument("call_id", nargs="?")
    calls.set_defaults(run=_reports("show_api_calls"))


def _reports(name: str) -> Callable[[Context], int]:
    """A command of run_reports.py, imported when it runs."""

    def run(ctx: Context) -> int:
        from . import run_reports

        return int(getattr(run_reports, name)(ctx))

    return run


def _document(ctx: Context, doc: Any) -> int:
    ctx.out.document(doc)
    return 0


def _show(ctx: Context, run: Mapping[str, Any]) -> int:
    if ctx.out.json_mode:
        return _document(ctx, run)
    pending = run.get("pending_input")
    error = run.get("error")
    ctx.out.fields(
        [
            ("run", run["run_id"]),
            ("status", run["status"]),
            ("template", run["template_name"]),
            ("project", run.get("project_name")),
            ("version", run["version_id"]),
            ("step", run.get("current_step")),
            ("progress", f"{int((run.get('progress') or {}).get('value', 0) * 100)}%"),
            ("waiting for", f"{pending['step_id']}: {pending.get('prompt')}" if pending else None),
            ("error", f"{error['code']}: {error['message']}" if error else None),
            ("created", run["created_at"]),
            ("ended", run.get("ended_at")),
            ("state", run.get("state")),
        ]
    )
    return 0


def list_runs(ctx: Context) -> int:
    a = ctx.args
    runs = list(
        ctx.relay.runs.list(
            q=getattr(a, "query", None), status=a.status, template=a.template, since=a.since, until=a.until, limit=a.limit
        )
    )
    if ctx.out.json_mode:
        return _document(ctx, {"items": runs})
    ctx.out.table(runs, COLUMNS)
    return 0


def show_run(ctx: Context) -> int:
    return _show(ctx, ctx.relay.runs.get(ctx.args.run_id))


def branch_run(ctx: Context) -> int:
    from ..run_options import parse_inputs

    made = ctx.relay.runs.branch(ctx.args.run_id, ctx.args.from_event, parse_inputs(ctx.args.set) or None)
    if ctx.out.json_mode:
        return _document(ctx, made)
    ctx.out.line(f"branch {made['branch']['branch_id']} of {ctx.args.run_id}: {made['run']['status']}")
    return 0


def resume_run(ctx: Context) -> int:
    from ...exceptions import ClientInputError

    a = ctx.args
    version = a.version
    if a.path:
        version = ctx.relay.templates.submit(a.path).version["version_id"]
    if not version:
        raise ClientInputError("give --version VERSION or a workflow PATH", code="USAGE")
    return _show(ctx, ctx.relay.runs.resume(a.run_id, version_id=version, on_mismatch=a.choice))


def export_run(ctx: Context) -> int:
    made = ctx.relay.runs.export(ctx.args.run_id, ctx.args.out)
    if ctx.out.json_mode:
        return _document(ctx, made)
    target = ctx.args.out / f"{ctx.args.run_id}.zip" if ctx.args.out.is_dir() else ctx.args.out
    ctx.out.line(f"{target} ({made['size_bytes']} bytes, sha256 {made['sha256'][:12]}…)")
    return 0
