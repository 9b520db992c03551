"""Shared pieces of request and response bodies: pages, strict request models, the workflow document."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from relay.services.templates import TEMPLATE_NAME_PATTERN
from relay.workflows.models import Workflow, integral_float_to_int

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
