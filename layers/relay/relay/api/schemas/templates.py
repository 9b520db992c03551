"""Template and version bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from relay.domain import Template, Version
from relay_workflow.canonical import CONTENT_HASH_PATTERN

from .common import GREETING_WORKFLOW, TEMPLATE_NAME_OR_EMPTY, Strict, TemplateName, WorkflowDocument, documented


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
