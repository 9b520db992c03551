"""`relay run PATH` (submit, upload, start, follow, answer, download) and `relay attach RUN`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import add

if TYPE_CHECKING:
    from ...types import RunDetail
    from ..context import Context

RUN_EXAMPLES = """  relay run ./greeting                           # asks each pause inline
  relay run ./greeting --answer ask=Ada --answer pick=warm --no-input
  relay run examples/review --media upload=cat.png --project blog --out ./out
  relay run ./flow --input topic=cats --input count:=3 --json
  relay run --like run_abc123 --input tone=formal
answers (--answer STEP=VALUE): text as given; a select's option (a,b with multiple); a media
upload's file path; an approval approve[:REASON], reject:REASON or edit:PATH (edit, then approve)."""
ATTACH_EXAMPLES = """  relay attach run_abc123          # the live progress and the pending question again
  relay attach run_abc123 --answer review=approve"""


def _follow_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answer", action="append", metavar="STEP=VALUE", help="answer that pause without asking")
    parser.add_argument("--no-input", action="store_true", help="never ask: stop at the first unanswered pause (exit 4)")
    parser.add_argument("--out", type=Path, help="where deliverables go (default ./<project>/<run_id>/)")


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    run = add(
        commands,
        "run",
        common,
        help="run a workflow folder, .json or .zip end to end",
        examples=RUN_EXAMPLES,
        description="Submit the workflow (a version is reused when its content hash is known), upload "
        "media, start a run, show its progress live, answer its pauses, then download its deliverables.",
    )
    run.add_argument("path", nargs="?", help="a folder holding workflow.json, a .json file or a .zip")
    run.add_argument("--project", help="the run's project name")
    run.add_argument("--input", action="append", metavar="NAME=VALUE", help="a run input (NAME:=JSON for a typed value)")
    run.add_argument(
        "--media",
        action="append",
        metavar="NAME=PATH",
        help="upload a file for a media upload step, or as an input (its media_id)",
    )
    run.add_argument("--like", metavar="RUN", help="re-run one of your runs (its version, project, inputs)")
    _follow_options(run)
    run.set_defaults(run=run_command)
    attach = add(
        commands, "attach", common, help="follow a run again: progress and its pending question", examples=ATTACH_EXAMPLES
    )
    attach.add_argument("run_id")
    _follow_options(attach)
    attach.set_defaults(run=attach_command)


def _answerer(ctx: Context, run_id: str, answers: dict[str, str], prepared: dict[str, Any]) -> Any:
    from ..pauses import PauseAnswerer
    from ..terminal import Terminal

    return PauseAnswerer(ctx.relay, ctx.out, Terminal(), run_id, dict(answers), dict(prepared), ctx.args.no_input)


def _start(ctx: Context) -> tuple[RunDetail, dict[str, str], dict[str, Any]]:
    """Check everything, submit, upload, start: the run and what will answer its pauses."""
    from ...exceptions import ClientInputError
    from ...workflow_source import load_workflow
    from ..run_options import plan
    from ..upload_bar import upload_with_bar

    args, relay, out = ctx.args, ctx.relay, ctx.out
    if bool(args.path) == bool(args.like):
        raise ClientInputError("give a workflow PATH, or --like RUN (one of them)", code="USAGE")
    workflow = load_workflow(args.path) if args.path else None
    todo = plan(workflow, args.input, args.media, args.answer)
    # Media first: the server's cap (or its check of the bytes) refuses a file before the
    # template gets a version; an unattached upload left by a later refusal expires by itself.
    for name, path in todo.input_media.items():
        todo.inputs[name] = upload_with_bar(relay, out, path)["media_id"]
    prepared = {step: {"media_id": upload_with_bar(relay, out, path)["media_id"]} for step, path in todo.step_media.items()}
    source: dict[str, Any] = {"like_run_id": args.like}
    if workflow is not None:
        submitted = relay.templates.submit(workflow)
        source = {"version_id": submitted.version["version_id"]}
        how = "new version" if submitted.created else "known version, reused"
        out.info(
            f"{submitted.template['template_name']}: {submitted.version['version_id']} ({how}; {submitted.content_hash[:19]}…)"
        )
    run = relay.runs.start(**source, project_name=args.project, inputs=todo.inputs or None)
    out.info(f"run {run['run_id']} started")
    return run, todo.answers, prepared


def run_command(ctx: Context) -> int:
    from ..run_outcome import follow_to_end

    run, answers, prepared = _start(ctx)
    return follow_to_end(ctx, run, _answerer(ctx, run["run_id"], answers, prepared))


def attach_command(ctx: Context) -> int:
    from ...types import ENDED
    from ..run_options import pairs
    from ..run_outcome import finish, follow_to_end

    run = ctx.relay.runs.get(ctx.args.run_id)
    if run["status"] in ENDED:
        return finish(ctx, run)
    answers = dict(pairs(ctx.args.answer, "--answer"))
    return follow_to_end(ctx, run, _answerer(ctx, run["run_id"], answers, {}), attach=True)
