"""`relay templates submit|hash|list|versions`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import add

if TYPE_CHECKING:
    from ..context import Context


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "templates",
        help="submit workflows, list templates and versions",
        description="Submit workflows, list templates and their versions.",
    )
    sub = group.add_subparsers(dest="templates_command", metavar="COMMAND", required=True)
    submit = add(
        sub,
        "submit",
        common,
        help="submit a folder ($refs resolved here), a .json or a .zip",
        examples="  relay templates submit ./greeting\n  relay templates submit flow.zip --name blog --json",
    )
    submit.add_argument("path")
    submit.add_argument("--name", help="template name (default: the workflow's workflow_id)")
    submit.add_argument("--display-name")
    submit.set_defaults(run=submit_template)
    hash_ = add(
        sub,
        "hash",
        common,
        help="the workflow's canonical content hash, computed here (no request)",
        examples="  relay templates hash ./greeting",
    )
    hash_.add_argument("path")
    hash_.set_defaults(run=hash_workflow)
    lst = add(sub, "list", common, help="my templates", examples="  relay templates list")
    lst.set_defaults(run=list_templates)
    versions = add(
        sub,
        "versions",
        common,
        help="a template's versions, newest first",
        examples="  relay templates versions greeting\n  relay templates versions tpl_123",
    )
    versions.add_argument("template", help="a template name or id")
    versions.set_defaults(run=list_versions)


def submit_template(ctx: Context) -> int:
    done = ctx.relay.templates.submit(ctx.args.path, template_name=ctx.args.name, display_name=ctx.args.display_name)
    if ctx.out.json_mode:
        ctx.out.document(
            {"template": done.template, "version": done.version, "created": done.created, "content_hash": done.content_hash}
        )
    else:
        how = "new version" if done.created else "already a version: reused"
        ctx.out.line(f"{done.template['template_name']} {done.version['version_id']} ({how}) {done.content_hash}")
    return 0


def hash_workflow(ctx: Context) -> int:
    from ...workflow_source import load_workflow

    loaded = load_workflow(ctx.args.path)
    if ctx.out.json_mode:
        ctx.out.document({"content_hash": loaded.content_hash, "workflow_id": loaded.workflow_id})
    else:
        ctx.out.line(loaded.content_hash)
    return 0


def list_templates(ctx: Context) -> int:
    items = list(ctx.relay.templates.list())
    if ctx.out.json_mode:
        ctx.out.document({"items": items})
    else:
        ctx.out.table(
            items,
            [
                ("template_id", "id"),
                ("template_name", "name"),
                ("version_count", "versions"),
                ("latest_version_id", "latest"),
                ("updated_at", "updated"),
            ],
        )
    return 0


def list_versions(ctx: Context) -> int:
    from ...exceptions import ClientInputError

    relay, ref = ctx.relay, ctx.args.template
    found = None if ref.startswith("tpl_") else relay.templates.find(ref)
    template_id = ref if ref.startswith("tpl_") else (found["template_id"] if found else None)
    if not template_id:
        raise ClientInputError(f"no template named {ref!r}", code="TEMPLATE_NOT_FOUND")
    items = list(relay.templates.versions(template_id))
    if ctx.out.json_mode:
        ctx.out.document({"items": items})
    else:
        ctx.out.table(
            items,
            [
                ("version_id", "version"),
                ("content_hash", "hash"),
                ("source_type", "source"),
                ("size_bytes", "bytes"),
                ("created_at", "created"),
            ],
        )
    return 0
