"""Request and response bodies (`XCreate` in, `XPublic` out)."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from relay.domain import PendingInput, Progress, Run, RunError, RunStatus, Template, User, Version
from relay.domain.branches import ResumeOffer
from relay.ids import id_pattern
from relay.services.templates import TEMPLATE_NAME_PATTERN
from relay.services.users import EMAIL_MAX_LENGTH, EMAIL_PATTERN, USERNAME_PATTERN
from relay.workflows.canonical import CONTENT_HASH_PATTERN
from relay.workflows.models import ID_PATTERN, Workflow, integral_float_to_int

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


# The README's first workflow: the example of every request that carries a workflow.
GREETING_WORKFLOW: dict[str, Any] = {
    "workflow_id": "greeting",
    "schema_version": "1.0",
    "steps": [
        {
            "step_id": "ask",
            "modules": [
                {
                    "module_id": "user.text_input",
                    "inputs": {"prompt": "Your name?", "max_length": 40},
                    "outputs_to_state": {"value": "name"},
                }
            ],
        },
        {
            "step_id": "pick",
            "modules": [
                {
                    "module_id": "user.select",
                    "inputs": {"prompt": "Tone?", "options": ["warm", "formal"]},
                    "outputs_to_state": {"value": "tone"},
                }
            ],
        },
        {
            "step_id": "write",
            "modules": [
                {
                    "module_id": "transform.format",
                    "inputs": {
                        "template": "Hello {name} ({tone})",
                        "values": {"name": "$state.name", "tone": "$state.tone"},
                    },
                    "outputs_to_state": {"value": "greeting"},
                }
            ],
        },
    ],
}


def _takes_int(annotation: Any) -> bool:
    return annotation is int or (int in get_args(annotation) and float not in get_args(annotation))


class Strict(BaseModel):
    """Request bodies: unknown fields refused, JSON types taken as they are (no "1" for 1, no
    "true" for true), but an integer as JSON Schema counts them (`2.0` is 2)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _integral_floats(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return integral_float_to_int(value) if field is not None and _takes_int(field.annotation) else value


def documented(**schema: Any) -> dict[str, Any]:
    """`json_schema_extra` for a rule the service enforces itself, with its own stable code
    (INVALID_USERNAME …) or a 404 for ids: the same pattern, stated in the document."""
    return schema


class _AsWorkflow:
    """A workflow stays a plain object in the body: relay.workflows.validate_workflow checks
    it and lists every problem (INVALID_WORKFLOW). Its JSON Schema is the `Workflow` model's,
    the one that validator uses, so the document and the server cannot drift."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        return handler(Workflow.__pydantic_core_schema__)


WorkflowDocument = Annotated[dict[str, Any], _AsWorkflow()]
# An empty name is no name (the workflow's workflow_id), as from a blank form field.
TEMPLATE_NAME_OR_EMPTY = f"^(?:{TEMPLATE_NAME_PATTERN[1:-1]})?$"
TemplateName = Annotated[str, Field(max_length=128, json_schema_extra=documented(pattern=TEMPLATE_NAME_OR_EMPTY))]


# -- users ------------------------------------------------------------------------------
class UserCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "alice", "email": "alice@example.com"}]})

    username: str = Field(
        min_length=2,
        max_length=63,
        description="stored lowercased; unique regardless of case",
        json_schema_extra=documented(pattern=USERNAME_PATTERN),
    )
    email: str = Field(
        min_length=3,
        max_length=EMAIL_MAX_LENGTH,
        description="stored lowercased; unique regardless of case",
        json_schema_extra=documented(format="email", pattern=EMAIL_PATTERN),
    )
    is_admin: bool = False


class UserPublic(BaseModel):
    user_id: str
    username: str
    email: str
    is_admin: bool
    created_at: str

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls.model_validate(user.model_dump())


class UserCreated(BaseModel):
    user: UserPublic
    api_key: str = Field(description="shown once; only its SHA-256 is stored")


# -- templates --------------------------------------------------------------------------
class SubmitFields(Strict):
    """What a template submission names besides the workflow (JSON fields, multipart fields,
    or query parameters with an application/zip body)."""

    template_name: TemplateName | None = Field(default=None, description="default: the workflow's workflow_id")
    display_name: str | None = Field(default=None, max_length=256, description="default: the workflow's name")
    content_hash: str | None = Field(
        default=None,
        max_length=80,
        description="the canonical hash the client computed; a different one is a 400 HASH_MISMATCH",
        json_schema_extra=documented(pattern=CONTENT_HASH_PATTERN),
    )


class SubmitQuery(Strict):
    """The same three as query parameters, for any body (a field the body gives wins). Checked
    here whatever the body says, so a bad one is a 400 even when the body overrides it."""

    model_config = ConfigDict(extra="ignore")

    template_name: str | None = Field(default=None, max_length=128, pattern=TEMPLATE_NAME_OR_EMPTY)
    display_name: str | None = Field(default=None, max_length=256)
    content_hash: str | None = Field(default=None, max_length=80, pattern=CONTENT_HASH_PATTERN)


class TemplateCreate(SubmitFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{"workflow": GREETING_WORKFLOW}]})

    workflow: WorkflowDocument


class TemplatePublic(BaseModel):
    template_id: str
    template_name: str
    display_name: str | None
    latest_version_id: str | None
    version_count: int
    created_at: str
    updated_at: str
    last_used_at: str | None

    @classmethod
    def of(cls, template: Template) -> TemplatePublic:
        return cls.model_validate(template.model_dump())


class VersionPublic(BaseModel):
    version_id: str
    template_id: str
    content_hash: str
    source_type: str
    workflow_id: str
    size_bytes: int
    created_at: str

    @classmethod
    def of(cls, version: Version) -> VersionPublic:
        return cls.model_validate(version.model_dump())


class VersionDetail(VersionPublic):
    workflow: dict[str, Any] = Field(description="the resolved workflow ($refs inlined)")


class TemplateSubmitted(BaseModel):
    template: TemplatePublic
    version: VersionPublic
    created: bool = Field(description="true when this content made a new version")


# -- runs -------------------------------------------------------------------------------
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
    workflow: WorkflowDocument | None = Field(default=None, description="an inline workflow: stored as a template named by its workflow_id, then run")
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
    content_type: str
    size_bytes: int
    preview_url: str = Field(
        description="content kept in S3: a presigned GET; inline content: its `GET /v1/artifacts/{id}/content` path"
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
    artifact: ArtifactToJudge | None = Field(default=None, description="user.approve: the latest version, to judge")

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
    execution_arn: str | None
    created_at: str
    updated_at: str
    ended_at: str | None
    llm_usage: dict[str, Any] = Field(
        default_factory=dict,
        description="totals of the run's provider calls: input, output, cached, reasoning tokens, calls, "
        "cost_usd (a decimal string; absent until a priced call), unpriced_calls (models with no price)",
    )

    @classmethod
    def fields_of(cls, run: Run) -> dict[str, Any]:
        pending = None
        if run.pending_input is not None and not run.pending_input.answered:
            pending = PendingInputPublic(run_id=run.run_id, **run.pending_input.model_dump())
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
    def of(cls, run: Run) -> RunDetail:
        return cls.model_validate(cls.fields_of(run))


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
