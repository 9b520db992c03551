"""`relay media upload PATH`: straight to S3 through the presigned form, then verified."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from . import add

if TYPE_CHECKING:
    from ..context import Context


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("media", help="upload media", description="Upload media (images, audio, video, glb).")
    sub = group.add_subparsers(dest="media_command", metavar="COMMAND", required=True)
    upload = add(
        sub,
        "upload",
        common,
        help="upload a file; prints its media_id",
        examples="  relay media upload cat.png\n  relay media upload clip.mp4 --run run_abc --json",
    )
    upload.add_argument("path", type=Path)
    upload.add_argument("--run", dest="run_id", help="attach it to this run of yours (kept with the run)")
    upload.add_argument("--ttl-hours", type=int, help="an unattached upload expires after this (default 24)")
    upload.set_defaults(run=upload_media)


def upload_media(ctx: Context) -> int:
    from ..upload_bar import upload_with_bar

    relay = ctx.relay
    if ctx.args.ttl_hours:
        media = relay.media.upload(ctx.args.path, run_id=ctx.args.run_id, ttl_hours=ctx.args.ttl_hours)
    else:
        media = upload_with_bar(relay, ctx.out, ctx.args.path, run_id=ctx.args.run_id)
    if ctx.out.json_mode:
        ctx.out.document(media)
    else:
        ctx.out.line(media["media_id"])
    return 0
