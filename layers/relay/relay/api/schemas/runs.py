"""Run, pause and event bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from relay.domain import PendingInput, Progress, Run, RunError, RunStatus
from relay.domain.branches import ResumeOffer
from relay.ids import id_pattern
from relay.workflows.models import ID_PATTERN

from .common import Strict, TemplateName, WorkflowDocument, documented


def _exactly_one_source(schema: dict[str, Any]) -> None:
    # What RunService enforces (INVALID_RUN_REQUEST): exactly one of the three is given and
    # not null (a null is as good as absent, as generated clients send them).
    schema["oneOf"] = [
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
        for name in ("template_name", "version_id", "workflow", "like_run_id")
    ]
    schema["examples"] = [{"template_name": "greeting", "project_name": "demo"}]


class ModelPreferences(Strict):
    """For api.llm modules that name no `provider`/`model`: the run's choice, over the
    server's defaults. Keys never come from clients (they are server-managed)."""

    default_provider: Literal["openai", "anthropic", "echo"] | None = None
    default_model: str | None = Field(default=None, min_length=1, max_length=200)


class RunCreate(Strict):
    """Exactly one of `template_name` (its latest version), `version_id`, `workflow` or
    `like_run_id` (a run of yours: its version, project, inputs and model preferences, with
    `project_name`, `inputs` (merged key by key) and `model_preferences` given here on top)."""

    model_config = ConfigDict(json_schema_extra=_exactly_one_source)

    template_name: TemplateName | None = None
    version_id: str | None = Field(default=None, max_length=64, json_schema_extra=documented(pattern=id_pattern("ver")))
    workflow: WorkflowDocument | None = Field(
        default=None, description="an inline workflow: stored as a template named by its workflow_id, then run"
    )
    project_name: str | None = Field(default=None, max_length=256)
    inputs: dict[str, Any] = Field(default_factory=dict, description="the run's initial state; at most 64 KiB as JSON (else 413)")
    model_preferences: ModelPreferences | None = Field(
        default=None, description="provider/model for api.llm modules that name none (else the server's defaults)"
    )
    like_run_id: str | None = Field(
        default=None,
        max_length=64,
        description="re-run one of your runs: same version, project, inputs (these fields override); "
        "another user's or an unknown run is a 404",
        json_schema_extra=documented(pattern=id_pattern("run")),
    )


class ArtifactToJudge(BaseModel):
    artifact_id: str
    artifact_name: str
    version: int
    status: str
    format: str
    content_type: str = Field(description="what the preview serves it as (application/octet-stream: an attachment)")
    declared_content_type: str | None = Field(default=None, description="what was declared, when it is served as something else")
    size_bytes: int
    preview_url: str = Field(
        description="content kept in S3: a presigned GET (inline for images, audio, video, text and JSON; else an "
        "attachment); inline content: its `GET /v1/artifacts/{id}/content` path"
    )


class PendingInputPublic(BaseModel):
    input_id: str
    run_id: str | None = None
    step_id: str
    module_id: str
    prompt: str | None = Field(default=None, description="the question (also in request)")
    options: list[dict[str, Any]] | None = Field(default=None, description="for user.select (also in request)")
    request: dict[str, Any] = Field(description="everything the module asks: prompt, options, max_length …")
    created_at: str
    expires_at: str
    artifact: ArtifactToJudge | None = Field(
        default=None, description="user.approve: the latest version, to judge (on GET /v1/runs/{id}; null in lists)"
    )

    @model_validator(mode="before")
    @classmethod
    def _lift_prompt_and_options(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("request"), dict):
            data = {**data, "prompt": data["request"].get("prompt"), "options": data["request"].get("options")}
        return data


class RunPublic(BaseModel):
    run_id: str
    template_id: str
    template_name: str
    version_id: str = Field(description="the version the run is on now")
    initial_version_id: str
    project_name: str | None
    status: RunStatus
    error: RunError | None
    current_step: str | None
    progress: Progress
    branch_id: str
    pending_input: PendingInputPublic | None
    created_at: str
    updated_at: str
    ended_at: str | None
    llm_usage: dict[str, Any] = Field(
        default_factory=dict,
        description="totals of the run's provider calls: input, output, cached, reasoning tokens, calls, "
        "cost_usd (a decimal string; absent until a priced call), unpriced_calls (models with no price)",
    )

    @classmethod
    def fields_of(cls, run: Run, artifact: dict[str, Any] | None = None) -> dict[str, Any]:
        """`artifact`: what an open user.approve pause asks about (only GET /v1/runs/{id} looks it up)."""
        pending = None
        if run.pending_input is not None and not run.pending_input.answered:
            pending = PendingInputPublic(run_id=run.run_id, **run.pending_input.model_dump(), artifact=artifact)
        return {
            **run.model_dump(exclude={"pending_input"}),
            "version_id": run.current_version_id,
            "pending_input": pending,
        }

    @classmethod
    def of(cls, run: Run) -> RunPublic:
        return cls.model_validate(cls.fields_of(run))


class RunDetail(RunPublic):
    inputs: dict[str, Any]
    state: dict[str, Any]
    model_preferences: dict[str, Any] | None = None
    like_run_id: str | None = Field(default=None, description="the run this one re-runs (started with like_run_id)")
    pending_resume: ResumeOffer | None = Field(
        default=None, description="the VERSION_MISMATCH that POST /resume offered, until /resume/confirm applies a choice"
    )

    @classmethod
    def of(cls, run: Run, artifact: dict[str, Any] | None = None) -> RunDetail:
        return cls.model_validate(cls.fields_of(run, artifact))


class InputAccepted(RunDetail):
    input_id: str = Field(description="the pending input this answer decided; a concurrent answer's 409 names it too")


class InputCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"step_id": "ask", "value": "Ada"}]})

    step_id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    value: Any = Field(default=None, description="what the pause asks for; at most 64 KiB as JSON (else 413)")


class EventPublic(BaseModel):
    seq: int
    event_id: str
    event_type: str
    branch_id: str
    workflow_version_id: str
    correlation_id: str
    step_id: str | None
    data: dict[str, Any]
    timestamp: str


def pending_public(pending: PendingInput) -> PendingInputPublic:
    return PendingInputPublic.model_validate(pending.model_dump())
