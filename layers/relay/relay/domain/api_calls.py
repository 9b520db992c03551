"""API-call records: one per provider call (seed 000 §5). Pure: no AWS.

Retention: 30 days (DynamoDB TTL and the `relay:retention=30d` tag the artifacts bucket's
ApiCallBodies30Days rule expires); a call that failed is kept (no TTL, bodies tagged `keep`).
Bodies are inline when small, else in S3 whole (`api-calls/<run_id>/<call_id>/…`); images are
stored once per sha256 (`api-calls/images/<retention>/<sha256>`) and referenced."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

RETENTION_DAYS = 30
RETENTION_TAG_OK = "30d"
RETENTION_TAG_ERROR = "keep"
INLINE_BODY_MAX_BYTES = 16 * 1024


def body_key(run_id: str, call_id: str, part: str) -> str:
    return f"api-calls/{run_id}/{call_id}/{part}.json"


def image_key(sha256: str, retention: str) -> str:
    return f"api-calls/images/{retention}/{sha256}"


class Usage(BaseModel):
    input: int = 0
    output: int = 0
    cached: int = 0
    reasoning: int = 0


class CallError(BaseModel):
    code: str
    message: str
    status_code: int | None = None


class ApiCall(BaseModel):
    run_id: str
    call_id: str
    user_id: str
    step_id: str
    module_index: int
    provider: str
    model: str
    correlation_id: str
    attempt: int = Field(1, description="1, or 2 for the retry after a reply that did not fit response_schema")
    status: str  # ok | invalid_output | error
    started_at: str
    duration_ms: int
    usage: Usage = Field(default_factory=Usage)
    cost_usd: str | None = None  # a decimal string; None: the model has no price in relay.runtime.providers.prices
    prices_as_of: str | None = None
    error: CallError | None = None
    # Bodies: inline (small) or an S3 key in the artifacts bucket.
    request: Any = None
    request_key: str | None = None
    response: Any = None
    response_key: str | None = None
    images: list[dict[str, Any]] = Field(default_factory=list)  # {sha256, media_type, size_bytes, key}
    ttl: int | None = None
