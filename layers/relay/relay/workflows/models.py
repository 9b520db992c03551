"""The shape of a workflow. Types are strict (no "60" for 60, though 60.0 is 60 as in JSON
Schema) so that the validated model and the stored resolved JSON never disagree. Unknown keys are allowed at the workflow level
(free-form metadata) and refused in steps and modules, where they are almost always typos."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

# Patterns are written once, for Python (`fullmatch`) and JSON Schema (ECMA-262) alike: only
# ASCII classes, so both read them the same, and the OpenAPI document cannot drift from them.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
MAX_TIMEOUT_SECONDS = 365 * 24 * 3600  # 31,536,000
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
STATE_PATH_PATTERN = rf"^{_IDENTIFIER}(?:\.{_IDENTIFIER})*$"
OUTPUT_NAME_PATTERN = rf"^{_IDENTIFIER}$"
STATE_PATH = re.compile(STATE_PATH_PATTERN)
OUTPUT_NAME = re.compile(OUTPUT_NAME_PATTERN)


def integral_float_to_int(value: Any) -> Any:
    """JSON Schema's `integer` counts `60.0` as 60, and so does Relay (strict mode would not);
    `60.5`, `"60"` and `true` stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


TimeoutSeconds = Annotated[int, Field(ge=1, le=MAX_TIMEOUT_SECONDS), BeforeValidator(integral_float_to_int)]


class ModuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    module_id: str = Field(min_length=1, max_length=128)
    name: str | None = None
    description: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs_to_state: dict[str, str] = Field(
        default_factory=dict,
        description="module output name → state key or dotted path (`draft.title`) it is stored at",
        # What `_state_targets` checks, for the JSON Schema (pydantic cannot see a validator).
        json_schema_extra={
            "propertyNames": {"pattern": OUTPUT_NAME_PATTERN},
            "additionalProperties": {"type": "string", "pattern": STATE_PATH_PATTERN},
        },
    )

    @field_validator("outputs_to_state")
    @classmethod
    def _state_targets(cls, mapping: dict[str, str]) -> dict[str, str]:
        problems = []
        for output, target in mapping.items():
            if not OUTPUT_NAME.fullmatch(output):
                problems.append(f"output name {output!r} must be an identifier")
            if not STATE_PATH.fullmatch(target):
                problems.append(
                    f"state target {target!r} (for {output!r}) must be a state key or a dotted path of identifiers, without '$'"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return mapping


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    step_id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    name: str | None = None
    description: str | None = None
    timeout_seconds: TimeoutSeconds | None = None
    modules: list[ModuleSpec] = Field(min_length=1, max_length=100)


class Workflow(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    workflow_id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    name: str | None = None
    schema_version: str = Field(min_length=1, max_length=64)
    steps: list[Step] = Field(min_length=1, max_length=200)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.step_id == step_id:
                return step
        raise KeyError(step_id)
