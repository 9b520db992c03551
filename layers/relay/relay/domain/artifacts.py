"""Artifacts: what a run stores (`artifact.store`), typed, versioned and approved (seed 004).

Pure: no AWS. The record lives in ArtifactsTable (key `artifact_id`; GSI `ByRun` on
`run_id, type_created`, GSI `ByLineage` on `lineage, version`); small content inline, larger
in the artifacts bucket under `runs/<run_id>/artifacts/<artifact_id>/…`.

Lineage rules: versions of one (run, artifact_name) form a chain by `parent_artifact_id`,
numbered 1, 2, …; exactly one of them `is_latest`. A new version is written in one
transaction with the parent's `is_latest` flipped off, conditional on it still being latest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from .media import RETENTION_TAG  # one tag name for both buckets' lifecycle rules

__all__ = [
    "DECIDABLE",
    "INLINE_MAX_BYTES",
    "MAX_CONTENT_BYTES",
    "RETENTION_TAG",
    "Artifact",
    "ArtifactFormat",
    "ArtifactStatus",
    "ArtifactType",
    "artifact_key",
    "expiry_for",
    "lineage_of",
    "retention_of",
    "type_created",
]


class ArtifactType(StrEnum):
    debug = "debug"
    state = "state"
    deliverable = "deliverable"


class ArtifactFormat(StrEnum):
    json = "json"
    text = "text"
    binary = "binary"


class ArtifactStatus(StrEnum):
    pending = "pending"  # awaits a decision (stored deliverables)
    approved = "approved"
    rejected = "rejected"
    auto_approved = "auto_approved"  # debug and state artifacts: nobody decides them
    edited = "edited"  # an edited version, awaiting a decision


# What approve/reject accept; anything else is a 409 ARTIFACT_NOT_PENDING.
DECIDABLE = frozenset({ArtifactStatus.pending, ArtifactStatus.edited})

# JSON/text content up to this (compact UTF-8) is kept in the item; larger goes to S3.
INLINE_MAX_BYTES = 32 * 1024
# The largest content one artifact takes through the API or a module (an edit's `content`,
# `artifact.store` data, a binary's decoded bytes); larger content is a 413 / module error.
MAX_CONTENT_BYTES = 5 * 1024 * 1024

# Retention, by the object tag the artifacts bucket's lifecycle rules match (template.yaml,
# ArtifactsBucket) and the record's TTL: debug 7 days (rule Debug7Days); state kept while
# the run lives (`run`: no rule expires it); deliverables kept (`keep`: no rule either).
_RETENTION = {
    ArtifactType.debug: ("7d", timedelta(days=7)),
    ArtifactType.state: ("run", None),
    ArtifactType.deliverable: ("keep", None),
}


def retention_of(artifact_type: ArtifactType) -> str:
    return _RETENTION[ArtifactType(artifact_type)][0]


def expiry_for(artifact_type: ArtifactType, created: datetime) -> datetime | None:
    lifetime = _RETENTION[ArtifactType(artifact_type)][1]
    return created + lifetime if lifetime else None


def lineage_of(run_id: str, artifact_name: str) -> str:
    return f"{run_id}#{artifact_name}"


def type_created(artifact_type: ArtifactType, created_at: str, artifact_id: str) -> str:
    """ByRun's sort key: a run's artifacts grouped by type (begins_with), oldest first."""
    return f"{ArtifactType(artifact_type).value}#{created_at}#{artifact_id}"


_EXTENSIONS = {ArtifactFormat.json: "json", ArtifactFormat.text: "txt", ArtifactFormat.binary: "bin"}


def artifact_key(run_id: str, artifact_id: str, fmt: ArtifactFormat) -> str:
    return f"runs/{run_id}/artifacts/{artifact_id}/content.{_EXTENSIONS[ArtifactFormat(fmt)]}"


class Artifact(BaseModel):
    artifact_id: str
    run_id: str
    user_id: str
    step_id: str | None = None  # None for versions made through the API
    artifact_name: str
    artifact_type: ArtifactType
    format: ArtifactFormat
    content_type: str  # what it is stored and served as (relay.domain.content_types)
    # What the step or the editor declared, when it is served as something else (HTML, SVG,
    # an unknown type, a media type its bytes do not match: application/octet-stream).
    declared_content_type: str | None = None
    size_bytes: int
    sha256: str
    content: Any = None  # inline JSON value or text
    key: str | None = None  # in the artifacts bucket otherwise
    media_id: str | None = None  # binary stored from a media upload (copied into `key`)
    version: int = 1
    parent_artifact_id: str | None = None
    is_latest: bool = True
    status: ArtifactStatus
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    decided_input_id: str | None = None  # the pause this decision answered, if any
    retention: str
    created_at: str
    updated_at: str
    expires_at: str | None = None  # debug artifacts; reads treat them as gone after
    ttl: int | None = None  # DynamoDB TTL mirroring expires_at
    # A binary edit waiting for its upload: not indexed (no lineage), not latest, not readable;
    # `complete` verifies the object and makes it the next version.
    upload_expires_at: str | None = None

    @property
    def inline(self) -> bool:
        return self.key is None

    def expired(self, now: str) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def reference(self) -> dict[str, Any]:
        """What a run's state carries: a reference, never the content."""
        return {
            "artifact_id": self.artifact_id,
            "artifact_name": self.artifact_name,
            "version": self.version,
            "status": self.status.value,
            "format": self.format.value,
            "content_type": self.content_type,
            "declared_content_type": self.declared_content_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
        }
