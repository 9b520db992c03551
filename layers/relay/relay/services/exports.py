"""Export a run as one zip (DESIGN §4: a run is one unit): `metadata.json` (the run, its
version, its events, the artifact index with every version), `inputs.json` (the run's inputs
and every answer its pauses received) and the latest version of each artifact under
`artifacts/<artifact_name>/v<version>.<ext>`. The zip goes to the artifacts bucket under
`runs/<run_id>/exports/<export_id>.zip` (tag `7d`: an export can be made again) and the
caller gets a presigned GET."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from relay.domain.artifacts import RETENTION_TAG, Artifact, ArtifactFormat
from relay.domain.content_types import disposition, serving
from relay.ids import iso, new_id, utcnow

EXPORT_RETENTION = "7d"
_EXTENSIONS = {ArtifactFormat.json: "json", ArtifactFormat.text: "txt", ArtifactFormat.binary: "bin"}
_IN_MEMORY = 32 * 1024 * 1024  # larger zips spill to /tmp while they are built


@dataclass(frozen=True)
class RunExport:
    export_id: str
    run_id: str
    key: str
    size_bytes: int
    sha256: str
    artifacts: int
    events: int
    download_url: str
    expires_at: str


def _entry_name(artifact: Artifact) -> str:
    ext = _EXTENSIONS[artifact.format]
    if artifact.format is ArtifactFormat.binary and serving(artifact.content_type).inline:
        from relay.domain.media import ALLOWED_TYPES

        ext = ALLOWED_TYPES.get(artifact.content_type, ("", ext))[1]
    return f"artifacts/{artifact.artifact_name}/v{artifact.version}.{ext}"


def _dump(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode("utf-8")


class ExportService:
    def __init__(self, runs, run_repository, templates, artifacts, storage, *, download_expiry_seconds: int = 900) -> None:
        self._runs = runs  # RunService: the caller's run (404 otherwise)
        self._run_repository = run_repository  # RunRepository: events
        self._templates = templates  # TemplateService: the version
        self._artifacts = artifacts  # ArtifactService
        self._storage = storage  # ArtifactStorage
        self._download_expiry = download_expiry_seconds

    def _events(self, run_id: str) -> list[Any]:
        events, cursor = [], None
        while True:
            page, cursor = self._run_repository.events(run_id, None, cursor, 500)
            events.extend(page)
            if not cursor:
                return events

    def _all_artifacts(self, user: Any, run_id: str) -> list[Artifact]:
        found, cursor = [], None
        while True:
            page, cursor = self._artifacts.list_for_run(user, run_id, None, cursor, 100)
            found.extend(page)
            if not cursor:
                return found

    def export(self, user: Any, run_id: str) -> RunExport:
        run = self._runs.get(user, run_id)  # 404 unless the caller's
        version = self._templates.get_version(user, run.current_version_id)
        events = self._events(run_id)
        artifacts = sorted(self._all_artifacts(user, run_id), key=lambda a: (a.artifact_name, a.version))
        latest = [a for a in artifacts if a.is_latest]
        answers = [{"step_id": e.step_id, "timestamp": e.timestamp, **e.data} for e in events if e.event_type == "input_received"]
        metadata = {
            "run": run.model_dump(mode="json", exclude={"rev", "event_seq", "execution_arn"}),  # as the API shows it
            "version": version.model_dump(mode="json"),
            "events": [{"run_id": e.run_id, **e.public()} for e in events],
            "artifacts": [
                {
                    **a.model_dump(mode="json", exclude={"content", "key", "ttl", "upload_expires_at"}),
                    "file": _entry_name(a) if a.is_latest else None,
                }
                for a in artifacts
            ],
            "exported_at": iso(utcnow()),
        }
        export_id = new_id("exp")
        key = f"runs/{run_id}/exports/{export_id}.zip"
        # The zip is ours (no browser renders one) but always a download; inside it, entries
        # are named by format and the media allow-list (.bin/.txt/.json, never .html or .svg).
        attachment = disposition(False, f"{run_id}.zip")
        with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as buffer:
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("metadata.json", _dump(metadata))
                archive.writestr("inputs.json", _dump({"inputs": run.inputs, "answers": answers}))
                for artifact in latest:
                    content = self._artifacts.content(artifact)
                    if artifact.format is ArtifactFormat.json:
                        body = _dump(content)
                    elif artifact.format is ArtifactFormat.text:
                        body = content.encode("utf-8")
                    else:
                        body = content
                    archive.writestr(_entry_name(artifact), body)
            size = buffer.tell()
            buffer.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: buffer.read(1 << 20), b""):
                digest.update(chunk)
            buffer.seek(0)
            self._storage.put(key, buffer.read(), "application/zip", {RETENTION_TAG: EXPORT_RETENTION}, attachment)
        url = self._storage.presign_get(key, "application/zip", attachment, self._download_expiry)
        return RunExport(
            export_id=export_id,
            run_id=run_id,
            key=key,
            size_bytes=size,
            sha256=digest.hexdigest(),
            artifacts=len(latest),
            events=len(events),
            download_url=url,
            expires_at=iso(utcnow() + timedelta(seconds=self._download_expiry)),
        )
