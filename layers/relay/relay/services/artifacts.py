"""Artifacts: store and load them for a run's modules, read them, edit them into new
versions (binary ones are uploaded: artifact_uploads.py), and record decisions made outside
any pause (seed 004; DESIGN §4).

Decisions of an artifact a run is paused on go through `RunService.decide_artifact`, which
claims the pause with the artifact's decision in the same transaction."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from relay.domain.artifacts import DECIDABLE, Artifact, ArtifactFormat, ArtifactStatus, ArtifactType
from relay.domain.content_types import serving
from relay.exceptions import ConcurrentUpdateError, ConflictError, InvalidRequestError, NotFoundError
from relay.ids import is_id, iso, new_id, now_iso, utcnow

from .artifact_builder import ArtifactBuilder
from .artifact_content import dropped_if_over_quota, not_latest, not_pending

if TYPE_CHECKING:
    from .ports import ArtifactObjects, ArtifactRecords, MediaLookup, RunOwners


class ArtifactService:
    def __init__(
        self,
        artifacts: ArtifactRecords,
        storage: ArtifactObjects,
        runs: RunOwners,  # a run's owner
        media: MediaLookup | None = None,  # binary data given as {"media_id": …}
        media_bucket: str | None = None,
        *,
        download_expiry_seconds: int = 900,
    ) -> None:
        self._artifacts = artifacts
        self._storage = storage
        self._runs = runs
        self._builder = ArtifactBuilder(storage, media, media_bucket)
        self._download_expiry = download_expiry_seconds

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
            artifact = self._builder.build(
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
        child = self._builder.build(
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
            raise not_pending(artifact)
        status = ArtifactStatus.approved if approve else ArtifactStatus.rejected
        decided = self._artifacts.decide(artifact.artifact_id, status, user.username, now_iso(), reason)
        if decided is None:  # decided or superseded meanwhile: say which
            current = self._artifacts.get(artifact.artifact_id)
            if current is not None and not current.is_latest:
                raise not_latest(current)
            raise not_pending(current or artifact)
        return decided

    not_pending = staticmethod(not_pending)  # answers.py refuses a decided pause's artifact alike

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
        if artifact.key is None:  # inline
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
        if artifact.key is None:  # inline
            return None
        # Decided again from the type (checked against the bytes when stored): a record stored
        # before the policy with text/html is still served as an attachment.
        served = serving(artifact.content_type)
        url = self._storage.presign_get(
            artifact.key, served.content_type, served.disposition(artifact.key), self._download_expiry
        )
        return url, iso(utcnow() + timedelta(seconds=self._download_expiry))
