"""What the API's artifact services need from storage, as the services see it
(relay.adapters.artifacts implements these; tests/unit/fakes.py fakes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from relay.adapters.media import ObjectInfo
    from relay.domain import Run
    from relay.domain.artifacts import Artifact, ArtifactStatus, ArtifactType
    from relay.domain.media import Media


class ArtifactRecords(Protocol):
    """Artifact records (ArtifactsTable): every version of a run's named artifact."""

    def get(self, artifact_id: str) -> Artifact | None: ...

    def add(self, artifact: Artifact) -> None: ...

    def add_version(self, parent: Artifact, child: Artifact, *, from_upload: bool = False) -> None: ...

    def latest(self, run_id: str, artifact_name: str) -> Artifact | None: ...

    def versions(self, run_id: str, artifact_name: str) -> list[Artifact]: ...

    def list_for_run(
        self, run_id: str, artifact_type: ArtifactType | None, cursor: str | None, limit: int
    ) -> tuple[list[Artifact], str | None]: ...

    def decide(
        self, artifact_id: str, status: ArtifactStatus, decided_by: str, decided_at: str, reason: str | None
    ) -> Artifact | None: ...


class ArtifactObjects(Protocol):
    """The artifacts bucket: content too large for its record, and every binary."""

    def put(self, key: str, body: bytes, content_type: str, tags: dict[str, str], disposition: str | None = None) -> None: ...

    def copy_from(
        self, bucket: str, source_key: str, key: str, content_type: str, tags: dict[str, str], disposition: str | None = None
    ) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def head(self, key: str) -> ObjectInfo | None: ...

    def first_bytes(self, key: str, count: int) -> bytes | None: ...

    def sha256(self, key: str, chunk_size: int = ...) -> tuple[str, int] | None: ...

    def delete(self, key: str) -> None: ...

    # boto3's presigned POST: {"url": str, "fields": {name: value}}
    def presign_post(
        self,
        key: str,
        content_type: str,
        max_bytes: int,
        tags: dict[str, str],
        expires_in: int,
        disposition: str | None = None,
    ) -> dict[str, Any]: ...

    def presign_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str: ...


class RunOwners(Protocol):
    """Whose a run is (RunRepository.get)."""

    def get(self, run_id: str) -> Run | None: ...


class MediaLookup(Protocol):
    """Media records: binary artifact data given as {"media_id": …}."""

    def get(self, media_id: str) -> Media | None: ...
