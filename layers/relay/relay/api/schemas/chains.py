"""Bodies of /v1/chains (issue 19). The request mirrors relay.domain.chains.ChainDefinition;
what JSON Schema cannot say (a cycle, a missing dependency, an unknown template …) is a 400
problem naming the step."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from relay.domain.chain_records import Chain, ChainStep, ChainStepStatus
from relay.domain.chains import MAX_STEPS, STEP_ID_PATTERN

from .common import GREETING_WORKFLOW, Strict


class ChainStepCreate(Strict):
    step_id: str = Field(min_length=1, max_length=64, pattern=STEP_ID_PATTERN)
    template_name: str | None = Field(
        default=None, min_length=1, max_length=128, description="exactly one of template_name or version_id"
    )
    version_id: str | None = Field(default=None, min_length=1, max_length=64)
    depends_on: list[str] = Field(default_factory=list, max_length=MAX_STEPS)
    inputs: dict[str, Any] = Field(
        default_factory=dict,
        description="literals, or `$steps.<step_id>.artifacts.<name>` (the latest approved version, by reference) "
        "or `$steps.<step_id>.state.<path>` of a step it depends on",
    )


class ChainCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "greet-twice",
                    "steps": [
                        {"step_id": "first", "template_name": GREETING_WORKFLOW["workflow_id"]},
                        {
                            "step_id": "second",
                            "template_name": GREETING_WORKFLOW["workflow_id"],
                            "depends_on": ["first"],
                            "inputs": {"name": "$steps.first.state.name"},
                        },
                    ],
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    project_name: str | None = Field(default=None, max_length=200)
    steps: list[ChainStepCreate] = Field(min_length=1, max_length=MAX_STEPS)


class ChainStepPublic(BaseModel):
    step_id: str
    level: int
    template_id: str
    template_name: str
    version_id: str
    depends_on: list[str]
    inputs: dict[str, Any]
    status: ChainStepStatus
    run_id: str | None = None
    error: dict[str, str] | None = None

    @classmethod
    def of(cls, step: ChainStep) -> ChainStepPublic:
        return cls.model_validate(step.model_dump())


class ChainPublic(BaseModel):
    chain_id: str
    name: str
    description: str | None = None
    project_name: str | None = None
    status: str = Field(description="initializing, executing_level_<N>, completed, failed or cancelled")
    current_level: int
    levels: list[list[str]] = Field(description="the step ids of each level, in the order they run")
    error: dict[str, str] | None = None
    created_at: str
    updated_at: str
    ended_at: str | None = None

    @classmethod
    def of(cls, chain: Chain) -> ChainPublic:
        return cls.model_validate(chain.model_dump(exclude={"definition", "user_id"}))


class ChainDetail(ChainPublic):
    definition: dict[str, Any]
    steps: list[ChainStepPublic]

    @classmethod
    def with_steps(cls, chain: Chain, steps: list[ChainStep]) -> ChainDetail:
        return cls.model_validate(
            {**chain.model_dump(exclude={"user_id"}), "steps": [ChainStepPublic.of(s).model_dump() for s in steps]}
        )
