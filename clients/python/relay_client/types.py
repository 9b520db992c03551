"""What the API answers, as typed dictionaries (the JSON as it comes, with its types named).

Each TypedDict has exactly the members of the OpenAPI schema OPENAPI_SCHEMAS names, each of its
type: tests/unit/client/test_client_types.py checks them against the server's own document."""

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
    declared_content_type: str | None
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


class ResumeOffer(TypedDict):
    """A resume that asked to choose (409 VERSION_MISMATCH), until it is confirmed."""

    current_version_id: str
    submitted_version_id: str
    offered_at: str


class RunDetail(Run):
    inputs: dict[str, Any]
    state: dict[str, Any]
    model_preferences: dict[str, Any] | None
    like_run_id: str | None
    pending_resume: ResumeOffer | None


class Event(TypedDict):
    seq: int
    event_id: str
    event_type: str
    branch_id: str
    workflow_version_id: str
    correlation_id: str
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
    declared_size: int
    size_bytes: int | None
    sha256: str | None
    status: str
    reason: str | None
    created_at: str
    verified_at: str | None
    expires_at: str | None
    download_url: str | None
    download_expires_at: str | None


class Artifact(TypedDict):
    artifact_id: str
    run_id: str
    step_id: str | None
    artifact_name: str
    artifact_type: str
    format: str
    content_type: str
    declared_content_type: str | None
    size_bytes: int
    sha256: str
    version: int
    parent_artifact_id: str | None
    is_latest: bool
    status: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    retention: str
    created_at: str
    expires_at: str | None


class RunOfPause(TypedDict):
    run_id: str
    template_name: str
    project_name: str | None
    status: RunStatus
    current_step: str | None
    created_at: str


class InboxItem(PendingInput):
    run: RunOfPause


class LogLine(TypedDict):
    timestamp: str
    log_group: str
    log_stream: str
    event_id: str
    level: str | None
    message: str
    run_id: str | None
    step_id: str | None
    correlation_id: str | None
    record: dict[str, Any]


class RunExport(TypedDict):
    export_id: str
    run_id: str
    size_bytes: int
    sha256: str
    artifacts: int
    events: int
    download_url: str
    expires_at: str


# Each TypedDict → the components/schemas entry it mirrors.
OPENAPI_SCHEMAS: dict[str, str] = {
    "Progress": "Progress",
    "RunError": "RunError",
    "ArtifactToJudge": "ArtifactToJudge",
    "PendingInput": "PendingInputPublic",
    "Run": "RunPublic",
    "RunDetail": "RunDetail",
    "Event": "EventPublic",
    "Template": "TemplatePublic",
    "Version": "VersionPublic",
    "UploadForm": "UploadForm",
    "Media": "MediaDetail",
    "Artifact": "ArtifactPublic",
    "InboxItem": "InboxItem",
    "LogLine": "LogLine",
    "RunExport": "RunExportPublic",
    "ResumeOffer": "ResumeOffer",
    "RunOfPause": "RunOfPause",
}


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
