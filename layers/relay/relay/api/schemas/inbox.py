"""The entries of `GET /v1/approvals` (relay.services.inbox)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from relay.api.schemas.runs import PendingInputPublic
from relay.domain import RunStatus


class RunOfPause(BaseModel):
    run_id: str
    template_name: str
    project_name: str | None
    status: RunStatus
    current_step: str | None
    created_at: str


class InboxItem(PendingInputPublic):
    run: RunOfPause = Field(description="the run that waits")
