"""Request and response bodies (`XCreate` in, `XPublic` out)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from relay.domain import PendingInput, Progress, Run, RunError, RunStatus, Template, User, Version

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- users ------------------------------------------------------------------------------
class UserCreate(Strict):
    username: str = Field(min_length=2, max_length=63)
    email: str = Field(min_length=3, max_length=254)
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
class TemplateCreate(Strict):
    workflow: dict[str, Any]
    template_name: str | None = Field(default=None, max_length=128)
    display_name: str | None = Field(default=None, max_length=256)
    content_hash: str | None = Field(default=None, max_length=80)


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
class RunCreate(Strict):
    template_name: str | None = Field(default=None, max_length=128)
    version_id: str | None = Field(default=None, max_length=64)
    workflow: dict[str, Any] | None = None
    project_name: str | None = Field(default=None, max_length=256)
    inputs: dict[str, Any] = Field(default_factory=dict)


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

    @classmethod
    def of(cls, run: Run) -> RunDetail:
        return cls.model_validate(cls.fields_of(run))


class InputCreate(Strict):
    step_id: str = Field(min_length=1, max_length=128)
    value: Any = None


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
