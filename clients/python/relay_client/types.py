"""What the API answers, as typed dictionaries (the JSON as it comes, with its types named).

Only the fields a client relies on are listed; the server may add members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict

RunStatus = Literal["running", "awaiting_input", "completed", "error", "cancelled"]
ENDED: frozenset[str] = frozenset({"completed", "error", "cancelled"})


class Progress(TypedDict):
    value: float
    stage: str | None
    message: str | None


class RunError(TypedDict):
    code: str
    message: str


class ArtifactToJudge(TypedDict):
    artifact_id: str
    artifact_name: str
    version: int
    status: str
    format: str
    content_type: str
    size_bytes: int
    preview_url: str


class PendingInput(TypedDict):
    input_id: str
    run_id: str | None
    step_id: str
    module_id: str
    prompt: str | None
    options: list[dict[str, Any]] | None
    request: dict[str, Any]
    created_at: str
    expires_at: str
    artifact: ArtifactToJudge | None


class Run(TypedDict):
    run_id: str
    template_id: str
    template_name: str
    version_id: str
    initial_version_id: str
    project_name: str | None
    status: RunStatus
    error: RunError | None
    current_step: str | None
    progress: Progress
    branch_id: str
    pending_input: PendingInput | None
    created_at: str
    updated_at: str
    ended_at: str | None
    llm_usage: dict[str, Any]


class RunDetail(Run):
    inputs: dict[str, Any]
    state: dict[str, Any]
    like_run_id: str | None
    pending_resume: dict[str, Any] | None


class Event(TypedDict):
    seq: int
    event_id: str
    event_type: str
    branch_id: str
    step_id: str | None
    data: dict[str, Any]
    timestamp: str


class Template(TypedDict):
    template_id: str
    template_name: str
    display_name: str | None
    latest_version_id: str | None
    version_count: int
    created_at: str
    updated_at: str
    last_used_at: str | None


class Version(TypedDict):
    version_id: str
    template_id: str
    content_hash: str
    source_type: str
    workflow_id: str
    size_bytes: int
    created_at: str


class UploadForm(TypedDict):
    url: str
    fields: dict[str, str]
    expires_at: str


class Media(TypedDict):
    media_id: str
    run_id: str | None
    filename: str
    content_type: str
    size_bytes: int | None
    sha256: str | None
    status: str
    reason: str | None
    expires_at: str | None


class Artifact(TypedDict):
    artifact_id: str
    run_id: str
    step_id: str | None
    artifact_name: str
    artifact_type: str
    format: str
    content_type: str
    size_bytes: int
    sha256: str
    version: int
    parent_artifact_id: str | None
    is_latest: bool
    status: str
    reason: str | None
    created_at: str


class InboxItem(PendingInput):
    run: dict[str, Any]


class LogLine(TypedDict):
    timestamp: str
    level: str | None
    message: str
    run_id: str | None
    step_id: str | None
    record: dict[str, Any]


class RunExport(TypedDict):
    export_id: str
    run_id: str
    size_bytes: int
    sha256: str
    download_url: str
    expires_at: str


@dataclass(frozen=True)
class Submitted:
    """A template submission: the version it names, and whether the server made it now."""

    template: Template
    version: Version
    created: bool
    content_hash: str  # computed here, and checked by the server (HASH_MISMATCH otherwise)


@dataclass(frozen=True)
class ArtifactContent:
    """An artifact's content: `data` for json (parsed) and text (str), `raw` bytes always."""

    format: str
    content_type: str
    raw: bytes
    data: Any = None
