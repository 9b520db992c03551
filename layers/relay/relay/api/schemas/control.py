"""Bodies of run control: cancel, retry, branches, resume (api/routers/run_control.py, branches.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from relay.ids import id_pattern

from .common import Strict, WorkflowDocument, documented
from .runs import RunDetail


class BranchCreate(Strict):
    from_event_id: str = Field(
        max_length=64,
        description="an event of this run (any branch): the branch starts right after it, with the state as it was there",
        json_schema_extra=documented(pattern=id_pattern("evt")),
    )
    state_overrides: dict[str, Any] | None = Field(
        default=None,
        description="state keys or dotted paths (`draft.title`) set on the rebuilt state; at most 64 KiB as JSON (else 413)",
    )


class BranchPublic(BaseModel):
    branch_id: str
    parent_branch_id: str | None
    branch_point_event_id: str | None = Field(description="the event it forked from (none for main)")
    branch_point_seq: int | None
    first_seq: int | None = Field(description="seq of its first event (branch_created; run_created for main)")
    created_by: str | None
    created_at: str
    status: Literal["active", "inactive"] = Field(description="active: the branch the run is on now")
    children: list[str]


class BranchCreated(BaseModel):
    branch: BranchPublic
    run: RunDetail


class BranchTree(BaseModel):
    run_id: str
    active_branch_id: str
    items: list[BranchPublic] = Field(description="main first, then in creation order; parents name the tree")


def _one_source(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in ("workflow", "version_id")
    ]


class ResumeRequest(Strict):
    """Exactly one of `workflow` (stored as a version of the run's template) or `version_id`."""

    model_config = ConfigDict(json_schema_extra=_one_source)

    workflow: WorkflowDocument | None = None
    version_id: str | None = Field(default=None, max_length=64, json_schema_extra=documented(pattern=id_pattern("ver")))


class ResumeConfirm(Strict):
    choice: Literal["continue_with_new", "continue_with_original", "start_fresh"]
    version_id: str = Field(
        max_length=64,
        description="the submitted_version of the VERSION_MISMATCH being confirmed",
        json_schema_extra=documented(pattern=id_pattern("ver")),
    )
