"""A media upload with a transfer bar on a terminal (nothing when piped)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..resources.media import ACCEPTED_TYPES
from ..types import Media

if TYPE_CHECKING:
    from ..client import Relay
    from .output import Output


def upload_with_bar(
    relay: Relay,
    out: Output,
    path: Path,
    *,
    run_id: str | None = None,
    accepted_types: Sequence[str] = ACCEPTED_TYPES,
    max_size_mb: float | None = None,
) -> Media:
    if not out.rich_stderr:
        media = relay.media.upload(path, run_id=run_id, accepted_types=accepted_types, max_size_mb=max_size_mb)
        out.info(f"uploaded {path.name} → {media['media_id']} ({media['status']})")
        return media
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    with Progress(
        TextColumn(f"uploading {path.name}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=out.err_console
    ) as bar:
        task = bar.add_task("upload", total=path.stat().st_size if path.is_file() else None)
        media = relay.media.upload(
            path,
            run_id=run_id,
            accepted_types=accepted_types,
            max_size_mb=max_size_mb,
            progress=lambda sent, total: bar.update(task, completed=sent, total=total),
        )
    out.info(f"uploaded {path.name} → {media['media_id']} ({media['status']})")
    return media
