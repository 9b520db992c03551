"""Artifacts: store and load them for a run's modules, read them, edit them into new
versions (binary ones through artifact_uploads.py), and record decisions made outside any
pause (seed 004; DESIGN §4).

Decisions of an artifact a run is paused on go through `RunService.decide_artifact`, which
claims the pause with the artifact's decision in the same transaction."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from relay.domain.artifacts import (
    DECIDABLE,
    INLINE_MAX_BYTES,
    MAX_CONTENT_BYTES,
    RETENTION_TAG,
    Artifact,
    ArtifactFormat,
    ArtifactStatus,
    ArtifactType,
    artifact_key,
    expiry_for,
    retention_of,
)
from relay.domain.content_types import SNIFF_BYTES, essence, serving
from relay.exceptions import (
    ConcurrentUpdateError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
)
from relay.ids import is_id, iso, new_id, now_iso, utcnow
from relay.services.exceptions import ArtifactNotPendingError

from .artifact_uploads import ArtifactUploads, not_latest

DEFAULT_CONTENT_TYPES = {
    ArtifactFormat.json: "application/json",
    ArtifactFormat.text: "text/plain; charset=utf-8",
    ArtifactFormat.binary: "application/octet-stream",
}


@contextmanager
def dropped_if_over_quota(storage: Any, key: str | None) -> Iterator[None]:
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


class ArtifactService(ArtifactUploads):
    def __init__(
        self,
        artifacts,  # ArtifactRepository
        storage,  # ArtifactStorage
        runs,  # RunRepository: a run's owner
        media=None,  # MediaRepository: binary data given as {"media_id": …}
        media_bucket: str | None = None,
        *,
        download_expiry_seconds: int = 900,
        upload_expiry_seconds: int = 900,
        max_upload_bytes: int = 25 * 1024 * 1024,
    ) -> None:
        self._upload_expiry = upload_expiry_seconds
        self.max_upload_bytes = max_upload_bytes
        self._artifacts = artifacts
        self._storage = storage
        self._runs = runs
        self._media = media
        self._media_bucket = media_bucket
        self._download_expiry = download_expiry_seconds

    # -- write ----------------------------------------------------------------------------
    def _new(
        self,
        *,
        artifact_id: str,
        run_id: str,
        user_id: str,
        step_id: str | None,
        name: str,
        artifact_type: ArtifactType,
        fmt: ArtifactFormat,
        content_type: str | None,
        data: Any,
        status: ArtifactStatus,
        parent: Artifact | None,
    ) -> Artifact:
        """Build the record and put any large content in S3 (before the record exists, so a
        record never names content that is not there)."""
        now = utcnow()
        expires = expiry_for(artifact_type, now)
        retention = retention_of(artifact_type)
        declared = content_type or DEFAULT_CONTENT_TYPES[fmt]
        fields: dict[str, Any] = {}
        if fmt is ArtifactFormat.binary and isinstance(data, dict):
            media = self._media_of(data, run_id, user_id)
            declared = media.content_type if declared == DEFAULT_CONTENT_TYPES[fmt] else declared
            # The media's bytes were checked against its own type; any other is not theirs.
            served = serving(declared, None if essence(declared) == media.content_type else b"")
            key = artifact_key(run_id, artifact_id, fmt)
            self._storage.copy_from(
                self._media_bucket,
                media.key,
                key,
                served.content_type,
                {RETENTION_TAG: retention},
                served.disposition(key),
            )
            fields = {"key": key, "media_id": media.media_id, "size_bytes": media.size_bytes, "sha256": media.sha256}
        else:
            body = encode_content(fmt, data)
            if len(body) > MAX_CONTENT_BYTES:
                raise PayloadTooLargeError(
                    f"the content is {len(body)} bytes; at most {MAX_CONTENT_BYTES} allowed", code="ARTIFACT_TOO_LARGE"
                )
            served = serving(declared, body[:SNIFF_BYTES])
            fields = {"size_bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            if fmt is ArtifactFormat.binary or len(body) > INLINE_MAX_BYTES:
                key = artifact_key(run_id, artifact_id, fmt)
                self._storage.put(key, body, served.content_type, {RETENTION_TAG: retention}, served.disposition(key))
                fields["key"] = key
            else:
                fields["content"] = data
        content_type = served.content_type
        if essence(declared) != essence(content_type):
            fields["declared_content_type"] = declared
        return Artifact(
            artifact_id=artifact_id,
            run_id=run_id,
            user_id=user_id,
            step_id=step_id,
            artifact_name=name,
            artifact_type=artifact_type,
            format=fmt,
            content_type=content_type,
            version=parent.version + 1 if parent else 1,
            parent_artifact_id=parent.artifact_id if parent else None,
            is_latest=True,
            status=status,
            retention=retention,
            created_at=iso(now),
            updated_at=iso(now),
            expires_at=iso(expires) if expires else None,
            ttl=int(expires.timestamp()) if expires else None,
            **fields,
        )

    def _media_of(self, data: dict[str, Any], run_id: str, user_id: str) -> Any:
        media_id = data.get("media_id")
        if set(data) != {"media_id"} or not isinstance(media_id, str):
            raise InvalidRequestError('binary data must be base64 or {"media_id": "media_…"}', code="INVALID_ARTIFACT_CONTENT")
        media = self._media.get(media_id) if self._media is not None and is_id(media_id, "media") else None
        if media is None or media.user_id != user_id or media.expired(now_iso()):
            raise NotFoundError(f"media {media_id[:64]} not found")
        if media.status.value != "ready":
            raise InvalidRequestError(f"media {media_id} is {media.status.value}, not ready", code="INVALID_ARTIFACT_CONTENT")
        if media.run_id not in (None, run_id):
            raise InvalidRequestError(f"media {media_id} is attached to another run", code="INVALID_ARTIFACT_CONTENT")
        return media

    def store(
        self,
        *,
        artifact_id: str,
        run_id: str,
        user_id: str,
        step_id: str | None,
        name: str,
        artifact_type: ArtifactType,
        fmt: ArtifactFormat,
        data: Any,
        content_type: str | None = None,
    ) -> Artifact:
        """`artifact.store`: version 1 of (run, name), or the next version of its latest.
        Idempotent by `artifact_id` (a retried RunStep derives the same one)."""
        from relay.domain.exceptions import ArtifactExistsError, NotLatestVersionError

        existing = self._artifacts.get(artifact_id)
        if existing is not None:
            return existing
        artifact_type, fmt = ArtifactType(artifact_type), ArtifactFormat(fmt)
        status = ArtifactStatus.pending if artifact_type is ArtifactType.deliverable else ArtifactStatus.auto_approved
        for _ in range(5):
            parent = self._artifacts.latest(run_id, name)
            artifact = self._new(
                artifact_id=artifact_id,
                run_id=run_id,
                user_id=user_id,
                step_id=step_id,
                name=name,
                artifact_type=artifact_type,
                fmt=fmt,
                content_type=content_type,
                data=data,
                status=status,
                parent=parent,
            )
            try:
                with dropped_if_over_quota(self._storage, artifact.key):
                    if parent is None:
                        self._artifacts.add(artifact)
                    else:
                        self._artifacts.add_version(parent, artifact)
                return artifact
            except ArtifactExistsError:
                return self._artifacts.get(artifact_id) or artifact
            except (NotLatestVersionError, ConcurrentUpdateError):
                continue  # an edit made a newer version meanwhile: store on top of it
        raise ConflictError(f"artifact {name!r} kept changing; retry", code="CONCURRENT_UPDATE")

    def edit(self, user: Any, artifact_id: str, content: Any) -> Artifact:
        """An edited version of a json or text artifact: `version + 1`, status `edited`, the
        only latest. Editing a version that is not the latest is a 409 NOT_LATEST_VERSION."""
        parent = self.get(user, artifact_id)
        if not parent.is_latest:
            raise not_latest(parent)
        if parent.format is ArtifactFormat.binary:
            raise InvalidRequestError(
                "binary artifacts are edited with an upload: send {content_type, size_bytes}, not content",
                code="INVALID_ARTIFACT_CONTENT",
            )
        child = self._new(
            artifact_id=new_id("art"),
            run_id=parent.run_id,
            user_id=parent.user_id,
            step_id=None,
            name=parent.artifact_name,
            artifact_type=parent.artifact_type,
            fmt=parent.format,
            content_type=parent.declared_content_type or parent.content_type,
            data=content,
            status=ArtifactStatus.edited,
            parent=parent,
        )
        with dropped_if_over_quota(self._storage, child.key):
            self._artifacts.add_version(parent, child)  # NOT_LATEST_VERSION if another edit won
        return child

    def decide(self, user: Any, artifact: Artifact, approve: bool, reason: str | None) -> Artifact:
        """A decision outside any pause: only of the latest version, only when awaiting one."""
        if not artifact.is_latest:
            raise not_latest(artifact)
        if artifact.status not in DECIDABLE:
            raise self.not_pending(artifact)
        status = ArtifactStatus.approved if approve else ArtifactStatus.rejected
        decided = self._artifacts.decide(artifact.artifact_id, status, user.username, now_iso(), reason)
        if decided is None:  # decided or superseded meanwhile: say which
            current = self._artifacts.get(artifact.artifact_id)
            if current is not None and not current.is_latest:
                raise not_latest(current)
            raise self.not_pending(current or artifact)
        return decided

    @staticmethod
    def not_pending(artifact: Artifact) -> ConflictError:
        return ArtifactNotPendingError(
            f"artifact {artifact.artifact_id} is {artifact.status.value}; only pending or edited versions are decided",
            status_now=artifact.status.value,
            decided_by=artifact.decided_by,
            decided_at=artifact.decided_at,
        )

    # -- read -----------------------------------------------------------------------------
    def get(self, user: Any, artifact_id: str) -> Artifact:
        """The caller's artifact; another user's, an expired one or a non-id is 404."""
        artifact = self._artifacts.get(artifact_id) if is_id(artifact_id, "art") else None
        if (
            artifact is None
            or artifact.user_id != user.user_id
            or artifact.expired(now_iso())
            or artifact.upload_expires_at is not None  # an upload in progress is no artifact yet
        ):
            raise NotFoundError(f"artifact {artifact_id[:64]} not found")
        return artifact

    def for_run(self, run_id: str, artifact_id: str | None = None, name: str | None = None) -> Artifact | None:
        """For the engine's modules: an artifact by id (of the run's user) or the latest by name."""
        if artifact_id is not None:
            found = self._artifacts.get(artifact_id) if is_id(artifact_id, "art") else None
            gone = found is None or found.expired(now_iso()) or found.upload_expires_at is not None
            return None if gone else found
        return self._artifacts.latest(run_id, name) if name is not None else None

    def latest(self, run_id: str, name: str) -> Artifact | None:
        return self._artifacts.latest(run_id, name)

    def list_for_run(
        self, user: Any, run_id: str, artifact_type: ArtifactType | None, cursor: str | None, limit: int
    ) -> tuple[list[Artifact], str | None]:
        run = self._runs.get(run_id) if is_id(run_id, "run") else None
        if run is None or run.user_id != user.user_id:
            raise NotFoundError(f"run {run_id[:64]} not found")
        items, next_cursor = self._artifacts.list_for_run(run_id, artifact_type, cursor, limit)
        now = now_iso()
        return [a for a in items if not a.expired(now)], next_cursor

    def latest_deliverable(self, user: Any, run_id: str, kind: str) -> Artifact:
        """The newest latest-version deliverable of the run whose content_type is `kind/…`
        (image, audio, video), not rejected; 404 if none (seed 002: serving by run)."""
        items, cursor, found = [], None, None
        while True:
            page, cursor = self.list_for_run(user, run_id, ArtifactType.deliverable, cursor, 100)
            items.extend(page)
            if not cursor:
                break
        for artifact in items:
            if (
                artifact.is_latest
                and not artifact.inline
                and artifact.content_type.split("/", 1)[0] == kind
                and serving(artifact.content_type).inline  # never an SVG stored before the policy
                and artifact.status is not ArtifactStatus.rejected
                and (found is None or artifact.created_at > found.created_at)
            ):
                found = artifact
        if found is None:
            raise NotFoundError(f"run {run_id} has no {kind} deliverable")
        return found

    def versions(self, user: Any, artifact_id: str) -> list[Artifact]:
        artifact = self.get(user, artifact_id)
        now = now_iso()
        return [a for a in self._artifacts.versions(artifact.run_id, artifact.artifact_name) if not a.expired(now)]

    def content(self, artifact: Artifact) -> Any:
        """The content as stored: inline, or read from S3 (json parsed, text decoded, bytes)."""
        if artifact.inline:
            return artifact.content
        body = self._storage.get(artifact.key)
        if body is None:
            raise NotFoundError(f"the content of artifact {artifact.artifact_id} is gone")
        if artifact.format is ArtifactFormat.json:
            return json.loads(body)
        if artifact.format is ArtifactFormat.text:
            return body.decode("utf-8")
        return body

    def download_url(self, artifact: Artifact) -> tuple[str, str] | None:
        """A presigned GET of content kept in S3, and when it expires; None when inline."""
        if artifact.inline:
            return None
        # Decided again from the type (checked against the bytes when stored): a record stored
        # before the policy with text/html is still served as an attachment.
        served = serving(artifact.content_type)
        url = self._storage.presign_get(
            artifact.key, served.content_type, served.disposition(artifact.key), self._download_expiry
        )
        return url, iso(utcnow() + timedelta(seconds=self._download_expiry))
