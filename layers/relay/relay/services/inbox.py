"""`GET /v1/approvals`: every pause waiting for me across my runs, oldest first (Step
Functions cannot list task tokens; this inbox is ours). Each entry names its run (project,
template, status), its step and what it asks, its expiry, and for a `user.approve` pause the
artifact to judge (its latest version) with a preview URL.

Answered, expired, superseded and closed pauses are not in it; nor is a pause whose run has
ended (a cancel closes the pause in the same transaction; this also hides one caught between).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relay.domain import TERMINAL_STATUSES, PendingInput, Run, User
from relay.ids import now_iso


@dataclass(frozen=True)
class InboxEntry:
    pending: PendingInput
    run: Run
    artifact: dict[str, Any] | None  # the artifact to judge, with `preview_url`


class InboxService:
    def __init__(self, inbox: Any, artifacts: Any) -> None:
        self._inbox = inbox  # relay.adapters.inbox.Inbox
        self._artifacts = artifacts  # ArtifactService

    def page(self, user: User, cursor: str | None, limit: int) -> tuple[list[InboxEntry], str | None]:
        pending, next_cursor = self._inbox.page(user.user_id, now_iso(), cursor, limit)
        runs = self._inbox.runs([p.run_id for p in pending]) if pending else {}
        entries = []
        for item in pending:
            run = runs.get(item.run_id)
            if run is None or run.user_id != user.user_id or run.status in TERMINAL_STATUSES:
                continue
            entries.append(InboxEntry(item, run, self.to_judge(item.run_id, item.module_id, item.request)))
        return entries, next_cursor

    def pending_artifact(self, run: Run) -> dict[str, Any] | None:
        """The artifact a run's open user.approve pause asks about (GET /v1/runs/{id} shows it
        as the inbox does); None for any other run."""
        pending = run.pending_input
        if pending is None or pending.answered:
            return None
        return self.to_judge(run.run_id, pending.module_id, pending.request)

    def to_judge(self, run_id: str, module_id: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """For a user.approve pause: the latest version of its artifact, with a preview URL
        (a presigned GET for content in S3, the `…/content` path for inline content)."""
        if module_id != "user.approve":
            return None
        artifact = self._artifacts.latest(run_id, request.get("artifact_name", ""))
        if artifact is None:
            return None
        download = self._artifacts.download_url(artifact)
        return {
            **artifact.reference(),
            "preview_url": download[0] if download else f"/v1/artifacts/{artifact.artifact_id}/content",
        }
