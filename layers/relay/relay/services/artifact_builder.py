"""A new artifact version's record, its content put in S3 first when large or binary (so a
record never names content that is not there)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from relay.domain.artifacts import (
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
from relay.exceptions import InvalidRequestError, NotFoundError, PayloadTooLargeError
from relay.ids import is_id, iso, now_iso, utcnow

from .artifact_content import DEFAULT_CONTENT_TYPES, encode_content

if TYPE_CHECKING:
    from relay.domain.media import Media

    from .ports import ArtifactObjects, MediaLookup


class ArtifactBuilder:
    def __init__(self, storage: ArtifactObjects, media: MediaLookup | None, media_bucket: str | None) -> None:
        self._storage = storage
        # Media is copied from its bucket: without one, a {"media_id": …} names nothing here.
        self._media = (media, media_bucket) if media is not None and media_bucket is not None else None

    def build(
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
            media, media_bucket = self._media_of(data, run_id, user_id)
            declared = media.content_type if declared == DEFAULT_CONTENT_TYPES[fmt] else declared
            # The media's bytes were checked against its own type; any other is not theirs.
            served = serving(declared, None if essence(declared) == media.content_type else b"")
            key = artifact_key(run_id, artifact_id, fmt)
            self._storage.copy_from(
                media_bucket,
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

    def _media_of(self, data: dict[str, Any], run_id: str, user_id: str) -> tuple[Media, str]:
        media_id = data.get("media_id")
        if set(data) != {"media_id"} or not isinstance(media_id, str):
            raise InvalidRequestError('binary data must be base64 or {"media_id": "media_…"}', code="INVALID_ARTIFACT_CONTENT")
        lookup, bucket = self._media or (None, "")
        media = lookup.get(media_id) if lookup is not None and is_id(media_id, "media") else None
        if media is None or media.user_id != user_id or media.expired(now_iso()):
            raise NotFoundError(f"media {media_id[:64]} not found")
        if media.status.value != "ready":
            raise InvalidRequestError(f"media {media_id} is {media.status.value}, not ready", code="INVALID_ARTIFACT_CONTENT")
        if media.run_id not in (None, run_id):
            raise InvalidRequestError(f"media {media_id} is attached to another run", code="INVALID_ARTIFACT_CONTENT")
        return media, bucket
