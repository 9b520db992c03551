"""What an artifact's content is as bytes, and the refusals every artifact write shares."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from relay.domain.artifacts import Artifact, ArtifactFormat
from relay.exceptions import ConflictError, InvalidRequestError
from relay.services.exceptions import ArtifactNotPendingError

if TYPE_CHECKING:
    from .ports import ArtifactObjects

DEFAULT_CONTENT_TYPES = {
    ArtifactFormat.json: "application/json",
    ArtifactFormat.text: "text/plain; charset=utf-8",
    ArtifactFormat.binary: "application/octet-stream",
}


@contextmanager
def dropped_if_over_quota(storage: ArtifactObjects, key: str | None) -> Iterator[None]:
    """A version refused for the `stored_bytes` quota leaves no object behind."""
    from relay.domain.exceptions import QuotaExceededError

    try:
        yield
    except QuotaExceededError:
        if key:
            storage.delete(key)
        raise


def encode_content(fmt: ArtifactFormat, data: Any) -> bytes:
    """The bytes an artifact's content is: compact UTF-8 JSON, UTF-8 text, or the bytes."""
    if fmt is ArtifactFormat.json:
        try:
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidRequestError(f"content is not JSON: {exc}", code="INVALID_ARTIFACT_CONTENT") from exc
    if fmt is ArtifactFormat.text:
        if not isinstance(data, str):
            raise InvalidRequestError("content of a text artifact must be a string", code="INVALID_ARTIFACT_CONTENT")
        try:
            return data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidRequestError("content is not UTF-8 text", code="INVALID_ARTIFACT_CONTENT") from exc
    if not isinstance(data, str):
        raise InvalidRequestError("binary data must be base64 or a media reference", code="INVALID_ARTIFACT_CONTENT")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequestError("binary data is not base64", code="INVALID_ARTIFACT_CONTENT") from exc


def not_latest(artifact: Artifact) -> ConflictError:
    from relay.domain.exceptions import NotLatestVersionError

    return NotLatestVersionError(
        f"artifact {artifact.artifact_id} is version {artifact.version}, not the latest of {artifact.artifact_name!r}",
        artifact_id=artifact.artifact_id,
    )


def not_pending(artifact: Artifact) -> ConflictError:
    return ArtifactNotPendingError(
        f"artifact {artifact.artifact_id} is {artifact.status.value}; only pending or edited versions are decided",
        status_now=artifact.status.value,
        decided_by=artifact.decided_by,
        decided_at=artifact.decided_at,
    )
