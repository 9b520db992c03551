"""A run's provider calls (api.llm): summaries, and one call in full with its bodies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from relay.api.deps import CurrentUser, Cursor, Limit, RelayDep, RunId
from relay.api.schemas.common import Page
from relay.domain.api_calls import ApiCall, CallError, Usage
from relay.ids import id_pattern

router = APIRouter(tags=["api-calls"])

CallId = Annotated[str, Path(description="an api call's id", json_schema_extra={"pattern": id_pattern("call")})]


class ApiCallSummary(BaseModel):
    call_id: str
    run_id: str
    step_id: str
    module_index: int
    provider: str
    model: str
    correlation_id: str = Field(description="the RunStep invocation (Lambda request id) that made the call")
    attempt: int = Field(description="1, or 2 for the retry after a reply that did not fit response_schema")
    status: str = Field(description="ok | invalid_output (did not fit response_schema) | error")
    started_at: str
    duration_ms: int
    usage: Usage
    cost_usd: str | None = Field(
        description="a decimal string from the price table as of prices_as_of; null: no price for this model"
    )
    prices_as_of: str | None
    error: CallError | None
    expires_at: str | None = Field(description="when the record expires (30 days); null for failed calls, which are kept")

    @classmethod
    def fields_of(cls, call: ApiCall) -> dict[str, Any]:
        from datetime import UTC, datetime

        expires = datetime.fromtimestamp(call.ttl, UTC).isoformat().replace("+00:00", "Z") if call.ttl else None
        return {**call.model_dump(), "expires_at": expires}

    @classmethod
    def of(cls, call: ApiCall) -> ApiCallSummary:
        return cls.model_validate(cls.fields_of(call))


class ApiCallDetail(ApiCallSummary):
    request: Any = Field(description="model, messages (images as {sha256, media_type, size_bytes, key}), options")
    response: Any = Field(description="the provider's response as it sent it; null when the call failed")
    images: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, call: ApiCall) -> ApiCallDetail:
        return cls.model_validate(cls.fields_of(call))


@router.get("/v1/runs/{run_id}/api-calls", response_model=Page[ApiCallSummary])
def list_api_calls(run_id: RunId, user: CurrentUser, relay: RelayDep, cursor: Cursor = None, limit: Limit = 20):
    """The run's provider calls, oldest first (a Query on ByStarted), without bodies."""
    items, next_cursor = relay.api_calls.list_for_run(user, run_id, cursor, limit)
    return Page(items=[ApiCallSummary.of(c) for c in items], next_cursor=next_cursor)


@router.get("/v1/runs/{run_id}/api-calls/{call_id}", response_model=ApiCallDetail)
def get_api_call(run_id: RunId, call_id: CallId, user: CurrentUser, relay: RelayDep):
    """One call in full: request and response bodies (loaded from S3 when they were large)."""
    return ApiCallDetail.of(relay.api_calls.get(user, run_id, call_id))
