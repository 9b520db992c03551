"""A chain and its steps as stored (ChainsTable: the chain item `sk = chain`, one item per
step `sk = step#<step_id>`; DESIGN §7)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ChainStepStatus(StrEnum):
    pending = "pending"  # its level has not started
    running = "running"  # its child run is under way
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


class ChainStep(BaseModel):
    chain_id: str
    step_id: str
    level: int
    template_id: str
    template_name: str
    version_id: str
    depends_on: list[str] = Field(default_factory=list)
    inputs: dict[str, Any] = Field(default_factory=dict)
    status: ChainStepStatus = ChainStepStatus.pending
    run_id: str | None = None  # the child run, once started
    error: dict[str, str] | None = None  # {code, message} of a failed child


class Chain(BaseModel):
    chain_id: str
    user_id: str
    name: str
    description: str | None = None
    project_name: str | None = None
    # initializing, executing_level_<N>, completed, failed, cancelled (seed 004's statuses)
    status: str = "initializing"
    current_level: int = 0
    levels: list[list[str]]
    definition: dict[str, Any]
    error: dict[str, str] | None = None  # {code, message, step_id} when failed
    created_at: str
    updated_at: str
    ended_at: str | None = None
