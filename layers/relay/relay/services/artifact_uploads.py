"""Binary edits of an artifact: a presigned upload of the next version's bytes, then `complete`,
which verifies them before they become the latest version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from relay.domain.artifacts import RETENTION_TAG, Artifact, ArtifactFormat, ArtifactStatus, artifact_key, expiry_for
from relay.exceptions import InvalidRequestError, NotFoundError, PayloadTooLargeError
from relay.ids import is_id, iso, new_id, now_iso, utcnow
from relay.services.exceptions import ArtifactNotUploadedError, ArtifactUploadRejectedError

from .artifact_content import dropped_if_over_quota, not_latest

if TYPE_CHECKING:
    from .artifacts import ArtifactService
    from .ports import ArtifactObjects, ArtifactRecords


@dataclass(frozen=True)
class VersionUpload:
    """A binary edit waiting for its bytes: the new version's id and the form to POST."""

    artifact: Artifact
    url: str
    fields: dict[str, str]
    expires_at: str


class ArtifactUploads:
    def __init__(
        self,
        artifacts: ArtifactService,  # the caller's artifact (404 for anyone else's)
        records: ArtifactRecords,
        storage: ArtifactObjects,
        *,
        max_upload_bytes: int,
        upload_expiry_seconds: int = 900,
    ) -> None:
        self._service = artifacts
        self._artifacts = records
        self._storage = storage
        self.max_upload_bytes = max_upload_bytes
        self._upload_expiry = upload_expiry_seconds

    def begin_upload(self, user: Any, artifact_id: str, content_type: str, size_bytes: int) -> VersionUpload:
        """Sign a browser upload of a binary artifact's next version (exact key, type, at most
        `size_bytes`, the retention tag). Nothing is a version until `complete` verifies it."""
        parent = self._service.get(user, artifact_id)
        if not parent.is_latest:
            raise not_latest(parent)
        if parent.format is not ArtifactFormat.binary:
            raise InvalidRequestError(
                f"a {parent.format.value} artifact is edited with {{content}}, not an upload", code="INVALID_ARTIFACT_CONTENT"
            )
        if size_bytes > self.max_upload_bytes:
            raise PayloadTooLargeError(
                f"size_bytes {size_bytes} is over the cap of {self.max_upload_bytes}", code="ARTIFACT_TOO_LARGE"
            )
        from relay.domain.content_types import essence, serving

        now = utcnow()
        upload_end = now + timedelta(seconds=self._upload_expiry)
        child_id = new_id("art")
        key = artifact_key(parent.run_id, child_id, ArtifactFormat.binary)
        # The form stores the bytes with the type they will be served as (HTML, SVG, unknown
        # types: application/octet-stream, attachment); complete checks a media type's magic.
        served = serving(content_type)
        declared = content_type if essence(content_type) != essence(served.content_type) else None
        record = parent.model_copy(
            update={
                "artifact_id": child_id,
                "step_id": None,
                "content_type": served.content_type,
                "declared_content_type": declared,
                "size_bytes": size_bytes,
                "sha256": "",
                "content": None,
                "key": key,
                "media_id": None,
                "version": parent.version + 1,
                "parent_artifact_id": parent.artifact_id,
                "is_latest": False,
                "status": ArtifactStatus.edited,
                "decided_by": None,
                "decided_at": None,
                "reason": None,
                "decided_input_id": None,
                "created_at": iso(now),
                "updated_at": iso(now),
                "upload_expires_at": iso(upload_end),
                # an upload never completed goes with the TTL
                "ttl": int((upload_end + timedelta(days=1)).timestamp()),
            }
        )
        self._artifacts.add(record)
        post = self._storage.presign_post(
            key,
            served.content_type,
            size_bytes,
            {RETENTION_TAG: parent.retention},
            self._upload_expiry,
            served.disposition(key),
        )
        return VersionUpload(record, post["url"], post["fields"], iso(upload_end))

    def complete_upload(self, user: Any, artifact_id: str, version_id: str) -> Artifact:
        """Verify the uploaded object (size, Content-Type, a media type's magic bytes: a PNG
        replaced by HTML is refused; sha256) and make it the next version, if its parent is
        still the latest. Idempotent: a completed version answers as it is."""
        from relay.domain.content_types import SNIFF_BYTES, serving

        parent = self._service.get(user, artifact_id)
        record = self._artifacts.get(version_id) if is_id(version_id, "art") else None
        if (
            record is None
            or record.key is None  # no upload's: every binary version's content is in S3
            or record.user_id != user.user_id
            or record.parent_artifact_id != parent.artifact_id
        ):
            raise NotFoundError(f"version {version_id[:64]} of artifact {artifact_id[:64]} not found")
        if record.upload_expires_at is None:
            return record  # completed already
        info = self._storage.head(record.key)
        if info is None:
            if record.upload_expires_at <= now_iso():
                raise NotFoundError(f"the upload of version {version_id} expired")
            raise ArtifactNotUploadedError(f"nothing has been uploaded for version {version_id} yet")
        problem = None
        if info.size != record.size_bytes:
            problem = f"the object is {info.size} bytes, {record.size_bytes} were declared"
        elif info.content_type != record.content_type:
            problem = f"the object's Content-Type is {info.content_type[:100]!r}, {record.content_type!r} was declared"
        else:
            head = self._storage.first_bytes(record.key, SNIFF_BYTES) or b""
            if serving(record.content_type, head).content_type != record.content_type:
                problem = f"the content is not {record.content_type}"
        hashed = None if problem else self._storage.sha256(record.key)
        if problem or hashed is None or hashed[1] != record.size_bytes:
            self._storage.delete(record.key)
            raise ArtifactUploadRejectedError(
                f"version {version_id} was rejected: {problem or 'the object changed while it was verified'}; upload again",
                reason=problem,
            )
        now = utcnow()
        expires = expiry_for(record.artifact_type, now)
        child = record.model_copy(
            update={
                "sha256": hashed[0],
                "is_latest": True,
                "upload_expires_at": None,
                "updated_at": iso(now),
                "expires_at": iso(expires) if expires else None,
                "ttl": int(expires.timestamp()) if expires else None,
            }
        )
        from relay.domain.exceptions import ArtifactExistsError, NotLatestVersionError

        try:
            with dropped_if_over_quota(self._storage, record.key):
                self._artifacts.add_version(self._artifacts.get(parent.artifact_id) or parent, child, from_upload=True)
        except (NotLatestVersionError, ArtifactExistsError):
            current = self._artifacts.get(version_id)
            if current is not None and current.upload_expires_at is None:
                return current  # a concurrent complete of this same upload made it
            raise
        return child
