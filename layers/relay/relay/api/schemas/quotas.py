"""Quota bodies (GET /v1/quotas, GET/PUT /v1/admin/users/{user_id}/quotas)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from relay.domain.quotas import MAX_LIMIT, Quota

from .common import Strict

_Limit = Field(default=None, ge=0, le=MAX_LIMIT, description="the limit for this user; null or absent: the default")


class QuotaLimits(Strict):
    """PUT: the user's overrides, replacing any set before."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"active_runs": 5, "runs_per_day": 50}]})

    active_runs: int | None = _Limit
    runs_per_day: int | None = _Limit
    stored_bytes: int | None = _Limit
    pending_uploads: int | None = _Limit

    def overrides(self) -> dict[Quota, int | None]:
        return {Quota(name): getattr(self, name) for name in Quota.__members__}


class QuotaUsage(BaseModel):
    quota: Quota
    limit: int = Field(ge=0, description="in force for this user: `default` unless `overridden`")
    default: int = Field(ge=0, description="the deployment's (template parameter Quota*)")
    overridden: bool
    used: int = Field(ge=0)
    frees_when: str
    resets_at: str | None = Field(description="runs_per_day: when the count starts again (UTC midnight)")


class QuotasPublic(BaseModel):
    user_id: str
    quotas: list[QuotaUsage] = Field(description="one per quota: active_runs, runs_per_day, stored_bytes, pending_uploads")
