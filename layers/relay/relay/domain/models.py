"""Users, templates, versions, runs, events and pending inputs as stored (DESIGN §4)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .branches import ResumeOffer


class User(BaseModel):
    user_id: str
    username: str
    email: str
    is_admin: bool = False
    created_at: str


class Template(BaseModel):
    template_id: str
    user_id: str
    template_name: str
    display_name: str | None = None
    latest_version_id: str | None = None
    version_count: int = 0
    created_at: str
    updated_at: str
    last_used_at: str | None = None


class Version(BaseModel):
    version_id: str
    template_id: str
    user_id: str
    content_hash: str
    source_type: str  # json | zip
    workflow_id: str
    size_bytes: int
    workflow: dict[str, Any] | None = None  # inline when small
    workflow_key: str | None = None  # S3 key in the artifacts bucket otherwise
    created_at: str


class RunStatus(StrEnum):
    running = "running"
    awaiting_input = "awaiting_input"
    completed = "completed"
    error = "error"
    cancelled = "cancelled"


TERMINAL_STATUSES = frozenset({RunStatus.completed, RunStatus.error, RunStatus.cancelled})


class Progress(BaseModel):
    value: float = 0.0
    stage: str | None = None
    message: str | None = None


class RunError(BaseModel):
    code: str
    message: str


class Cursor(BaseModel):
    """Where the interpreter resumes: the next module to run (or the pausing one)."""

    step_index: int = 0
    module_index: int = 0
    started: bool = False  # step_started was written for step_index (a retry must not repeat it)
    # The outside job (e.g. a ComfyUI prompt) the module at the cursor waits on (Module.poll).
    job: dict[str, Any] | None = None


class PendingSummary(BaseModel):
    """The run's current pause, as shown on the run and checked when an answer arrives."""

    input_id: str
    step_id: str
    module_index: int
    module_id: str
    request: dict[str, Any]
    created_at: str
    expires_at: str
    answered: bool = False


class Run(BaseModel):
    run_id: str
    user_id: str
    template_id: str
    template_name: str
    initial_version_id: str
    current_version_id: str
    project_name: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    status: RunStatus = RunStatus.running
    error: RunError | None = None
    current_step: str | None = None
    progress: Progress = Field(default_factory=Progress)
    branch_id: str = "main"
    execution_arn: str | None = None
    state: dict[str, Any] = Field(default_factory=dict)
    cursor: Cursor = Field(default_factory=Cursor)
    pending_input: PendingSummary | None = None
    event_seq: int = 0  # sequence number of the last event written
    rev: int = 0  # optimistic lock: every write is conditional on it
    # What POST /v1/runs asked for api.llm modules without provider/model: {default_provider?, default_model?}.
    model_preferences: dict[str, Any] | None = None
    # Totals of the run's provider calls: {input, output, cached, reasoning, calls, cost_usd?, unpriced_calls?}.
    llm_usage: dict[str, Any] = Field(default_factory=dict)
    # A 409 VERSION_MISMATCH of POST /resume waiting for /resume/confirm (services/resume.py).
    pending_resume: ResumeOffer | None = None
    like_run_id: str | None = None  # the run this one re-runs (POST /v1/runs {like_run_id})
    # It holds one of its user's `active_runs` (relay.adapters.quotas): set by the write that
    # took the slot, cleared by the one that gives it back, so a slot is given back only once.
    holds_slot: bool = False
    created_at: str
    updated_at: str
    ended_at: str | None = None


class NewEvent(BaseModel):
    """An event as the engine emits it; the repository numbers and stamps it."""

    event_type: str
    step_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Event(BaseModel):
    run_id: str
    seq: int
    event_id: str
    event_type: str
    branch_id: str
    workflow_version_id: str
    correlation_id: str
    step_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    timestamp: str

    def public(self) -> dict[str, Any]:
        """The event as the API shows it (GET …/events, the SSE stream, the export): without
        its run_id and without AWS resource names that older events carried in their data."""
        shown = self.model_dump(mode="json", exclude={"run_id"})
        shown["data"] = {k: v for k, v in shown["data"].items() if k not in INTERNAL_EVENT_KEYS}
        return shown


# Event data keys kept from API answers: `execution_arn` names the account and the state
# machine (retries and resumes before issue 15 recorded it; they now record `execution`, the
# execution's name, which is how operators find it in the console).
INTERNAL_EVENT_KEYS = frozenset({"execution_arn"})


class PendingInput(BaseModel):
    """A stored task token: the approvals inbox. A second decision on it is a 409."""

    run_id: str
    input_id: str
    user_id: str
    step_id: str
    module_index: int
    module_id: str
    request: dict[str, Any]
    task_token: str
    status: str = "pending"  # pending | answered | expired | superseded
    value: Any = None
    decided_by: str | None = None
    decided_at: str | None = None
    created_at: str
    expires_at: str
