"""The body of `GET /v1/runs/compare` (relay.services.compare builds it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Pair(BaseModel):
    """One thing of both runs: `a`'s value, `b`'s, and whether they are the same."""

    a: Any = None
    b: Any = None
    same: bool


class RunBrief(BaseModel):
    run_id: str
    template_name: str
    project_name: str | None
    status: str
    created_at: str
    ended_at: str | None


class Versions(BaseModel):
    initial: Pair = Field(description="the versions the runs started on")
    current: Pair = Field(description="the versions they are on now")


class Difference(BaseModel):
    path: str = Field(description="JSON Pointer (RFC 6901) into the state; empty: the whole state")
    change: Literal["added", "removed", "changed"] = Field(description="added: only in b; removed: only in a")
    a: Any = None
    b: Any = None


class StateDiff(BaseModel):
    same: bool
    differences: list[Difference] = Field(description="at most 500, objects by key and arrays by index")
    truncated: bool = Field(description="there were more differences than listed")


class ArtifactBrief(BaseModel):
    artifact_id: str
    version: int
    artifact_type: str
    format: str
    status: str
    size_bytes: int
    sha256: str


class ArtifactPair(BaseModel):
    a: ArtifactBrief | None = Field(description="the latest version of this name in run a (null: none)")
    b: ArtifactBrief | None
    same: bool = Field(description="both have it, with the same content (sha256)")


class CostPair(Pair):
    difference: str | None = Field(description="b - a in USD (a decimal string); null when either is unpriced")


class Ended(BaseModel):
    a: bool
    b: bool


class DurationPair(Pair):
    ended: Ended = Field(description="whether each run has ended (else its duration runs to now)")
    difference: float | None = Field(description="b - a in seconds")


class RunComparison(BaseModel):
    a: RunBrief
    b: RunBrief
    template: Pair
    versions: Versions
    status: Pair
    project_name: Pair
    inputs: dict[str, Pair] = Field(description="every input key of either run")
    state: StateDiff
    artifacts: dict[str, ArtifactPair] = Field(description="by artifact name, the latest version in each run")
    llm_usage: dict[str, Pair] = Field(description="token counts, calls and cost_usd of the runs' LLM calls")
    cost_usd: CostPair
    duration_seconds: DurationPair
