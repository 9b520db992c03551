"""`relay artifacts list|get|approve|reject|edit`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import add

if TYPE_CHECKING:
    from ..context import Context

COLUMNS = [
    ("artifact_id", "artifact"),
    ("artifact_name", "name"),
    ("version", "v"),
    ("artifact_type", "type"),
    ("format", "format"),
    ("status", "status"),
    ("size_bytes", "bytes"),
    ("is_latest", "latest"),
]


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "artifacts",
        help="a run's artifacts: read, approve, reject, edit",
        description="A run's artifacts: read, approve, reject, edit.",
    )
    sub = group.add_subparsers(dest="artifacts_command", metavar="COMMAND", required=True)
    lst = add(
        sub,
        "list",
        common,
        help="every version of a run's artifacts",
        examples="  relay artifacts list run_abc --type deliverable",
    )
    lst.add_argument("run_id")
    lst.add_argument("--type", choices=["debug", "state", "deliverable"])
    lst.set_defaults(run=list_artifacts)
    get = add(
        sub,
        "get",
        common,
        help="an artifact's content (stdout, or --out FILE)",
        examples="  relay artifacts get art_123\n  relay artifacts get art_123 --out cover.png",
    )
    get.add_argument("artifact_id")
    get.add_argument("--out", type=Path, help="write the content to this file")
    get.set_defaults(run=get_artifact)
    approve = add(
        sub,
        "approve",
        common,
        help="approve the latest version",
        examples="  relay artifacts approve art_123 --reason 'looks good'",
    )
    approve.add_argument("artifact_id")
    approve.add_argument("--reason")
    approve.set_defaults(run=lambda ctx: _decided(ctx, ctx.relay.artifacts.approve(ctx.args.artifact_id, ctx.args.reason)))
    reject = add(
        sub, "reject", common, help="reject the latest version", examples="  relay artifacts reject art_123 --reason 'off brand'"
    )
    reject.add_argument("artifact_id")
    reject.add_argument("--reason", required=True)
    reject.set_defaults(run=lambda ctx: _decided(ctx, ctx.relay.artifacts.reject(ctx.args.artifact_id, ctx.args.reason)))
    edit = add(
        sub,
        "edit",
        common,
        help="a new version: from --file, else in $EDITOR (text/json)",
        examples="  relay artifacts edit art_123                 # opens $EDITOR\n  relay artifacts edit art_123 --file post.json\n"
        "  relay artifacts edit art_456 --file cover.png  # binary: uploaded straight to S3",
    )
    edit.add_argument("artifact_id")
    edit.add_argument("--file", type=Path)
    edit.set_defaults(run=edit_artifact)


def list_artifacts(ctx: Context) -> int:
    items = list(ctx.relay.artifacts.list(ctx.args.run_id, artifact_type=ctx.args.type))
    if ctx.out.json_mode:
        ctx.out.document({"items": items})
    else:
        ctx.out.table(items, COLUMNS)
    return 0


def get_artifact(ctx: Context) -> int:
    content = ctx.relay.artifacts.content(ctx.args.artifact_id)
    if ctx.args.out:
        ctx.args.out.write_bytes(content.raw)
        ctx.out.info(f"wrote {ctx.args.out} ({len(content.raw)} bytes, {content.content_type})")
    elif ctx.out.json_mode:
        ctx.out.document({"format": content.format, "content_type": content.content_type, "content": content.data})
    elif content.format == "binary":
        if sys.stdout.isatty():
            ctx.out.error(f"binary content ({content.content_type}, {len(content.raw)} bytes): use --out FILE")
            return 2
        sys.stdout.buffer.write(content.raw)
    else:
        text = json.dumps(content.data, indent=2, ensure_ascii=False) if content.format == "json" else content.data
        ctx.out.line(str(text))
    return 0


def _decided(ctx: Context, decided: dict) -> int:
    if ctx.out.json_mode:
        ctx.out.document(decided)
    else:
        art = decided["artifact"]
        ctx.out.line(
            f"{art['artifact_name']} v{art['version']}: {art['status']}"
            + (f" (the run's pause {decided['input_id']} is answered)" if decided.get("input_id") else "")
        )
    return 0


def edit_artifact(ctx: Context) -> int:
    from ...exceptions import ClientInputError
    from ..approval import edit_in_editor

    relay, art_id = ctx.relay, ctx.args.artifact_id
    artifact = relay.artifacts.get(art_id)
    if ctx.args.file:
        made = relay.artifacts.edit_from_file(art_id, ctx.args.file, artifact["format"])
    elif artifact["format"] == "binary":
        raise ClientInputError("a binary artifact is edited with --file PATH", code="USAGE")
    else:
        edited = edit_in_editor(relay.artifacts.content(art_id).data, artifact["format"])
        if edited is None:
            ctx.out.info("unchanged: no new version")
            return 0
        made = relay.artifacts.edit(art_id, edited)
    if ctx.out.json_mode:
        ctx.out.document(made)
    else:
        ctx.out.line(f"{made['artifact_name']} v{made['version']} ({made['status']}): {made['artifact_id']}")
    return 0
