"""Artifacts and the approvals inbox: list, content, approve, reject, edit."""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from ..exceptions import ClientInputError
from ..pagination import paged
from ..types import Artifact, ArtifactContent, InboxItem
from . import Resource
from .media import check_file


class Artifacts(Resource):
    def list(self, run_id: str, *, artifact_type: str | None = None) -> Iterator[Artifact]:
        """Every version of the run's artifacts, oldest first (optionally of one type)."""
        params = {"type": artifact_type, "limit": 100}
        return paged(lambda p: self._t.json("GET", f"/v1/runs/{run_id}/artifacts", params=p), params)

    def latest(self, run_id: str, *, artifact_type: str | None = None) -> builtins.list[Artifact]:
        """The latest version of each of the run's artifacts."""
        return [a for a in self.list(run_id, artifact_type=artifact_type) if a["is_latest"]]

    def get(self, artifact_id: str) -> Artifact:
        return cast(Artifact, self._t.json("GET", f"/v1/artifacts/{artifact_id}"))

    def versions(self, artifact_id: str) -> builtins.list[Artifact]:
        return cast(list[Artifact], self._t.json("GET", f"/v1/artifacts/{artifact_id}/versions")["items"])

    def content(self, artifact_id: str) -> ArtifactContent:
        """Inline json/text as the API serves it; content kept in S3 through its redirect."""
        response = self._t.request("GET", f"/v1/artifacts/{artifact_id}/content", expect=(307,))
        content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0]
        raw = self._t.fetch(response.headers["location"]) if response.status_code == 307 else response.content
        if content_type == "application/json":
            return ArtifactContent("json", content_type, raw, json.loads(raw))
        if content_type.startswith("text/"):
            return ArtifactContent("text", content_type, raw, raw.decode("utf-8"))
        return ArtifactContent("binary", content_type, raw)

    def approve(self, artifact_id: str, reason: str | None = None) -> dict[str, Any]:
        body = {"reason": reason} if reason else {}
        return cast(dict[str, Any], self._t.json("POST", f"/v1/artifacts/{artifact_id}/approve", json=body))

    def reject(self, artifact_id: str, reason: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._t.json("POST", f"/v1/artifacts/{artifact_id}/reject", json={"reason": reason}))

    def edit(self, artifact_id: str, content: Any) -> Artifact:
        """A new version of a json (any JSON value) or text (a str) artifact, made inline."""
        return cast(Artifact, self._t.json("POST", f"/v1/artifacts/{artifact_id}/versions", json={"content": content}))

    def edit_binary(self, artifact_id: str, path: str | os.PathLike[str]) -> Artifact:
        """A new version of a binary artifact: signed, uploaded straight to S3, completed."""
        file = Path(path)
        content_type, size = check_file(file)
        body = {"content_type": content_type, "size_bytes": size}
        upload = self._t.json("POST", f"/v1/artifacts/{artifact_id}/versions", json=body)
        with file.open("rb") as handle:
            self._t.post_form(upload["upload"]["url"], upload["upload"]["fields"], file.name, handle)
        return cast(Artifact, self._t.json("POST", upload["complete_url"], idempotent=True))

    def edit_from_file(self, artifact_id: str, path: str | os.PathLike[str], fmt: str) -> Artifact:
        """Edit with a file's content, read as the artifact's format says."""
        file = Path(path)
        if fmt == "binary":
            return self.edit_binary(artifact_id, file)
        if not file.is_file():
            raise ClientInputError(f"no such file: {file}", code="FILE_NOT_FOUND")
        text = file.read_text(encoding="utf-8")
        if fmt == "json":
            try:
                return self.edit(artifact_id, json.loads(text))
            except json.JSONDecodeError as exc:
                raise ClientInputError(f"{file} is not valid JSON: {exc}", code="INVALID_JSON") from exc
        return self.edit(artifact_id, text)


class Approvals(Resource):
    def list(self, *, limit: int | None = None) -> Iterator[InboxItem]:
        """Pauses waiting for me across my runs, oldest first."""
        return paged(lambda p: self._t.json("GET", "/v1/approvals", params=p), {"limit": 100}, limit=limit)
