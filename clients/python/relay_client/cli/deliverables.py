"""Downloading a run's deliverables (the latest version of each) into a folder."""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import Relay

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_folder(project: str | None, template: str, run_id: str) -> Path:
    return Path(_UNSAFE.sub("_", project or template) or "relay") / run_id


def _extension(fmt: str, content_type: str) -> str:
    if fmt == "json":
        return ".json"
    if fmt == "text":
        return ".txt"
    return (
        {"model/gltf-binary": ".glb", "audio/mpeg": ".mp3"}.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"
    )


def download_deliverables(relay: Relay, run_id: str, folder: Path) -> list[Path]:
    """Write each deliverable's latest version as `<name><ext>`; the paths written."""
    written: list[Path] = []
    for artifact in relay.artifacts.latest(run_id, artifact_type="deliverable"):
        if artifact["status"] == "rejected":
            continue
        content = relay.artifacts.content(artifact["artifact_id"])
        folder.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE.sub("_", artifact["artifact_name"]) or artifact["artifact_id"]
        path = folder / f"{name}{_extension(artifact['format'], artifact['content_type'])}"
        if content.format == "json":
            path.write_text(json.dumps(content.data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            path.write_bytes(content.raw)
        written.append(path)
    return written
