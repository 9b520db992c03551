"""Per-user quotas: my own usage; any user's, and their overrides, for admins."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from relay.api.deps import AdminUser, CurrentUser, RelayDep, UserId
from relay.api.schemas.quotas import QuotaLimits, QuotasPublic, QuotaUsage
from relay.services.quotas import QuotaReport

router = APIRouter(tags=["quotas"])


def _public(user_id: str, reports: list[QuotaReport]) -> QuotasPublic:
    return QuotasPublic(user_id=user_id, quotas=[QuotaUsage(**asdict(r)) for r in reports])


@router.get("/v1/quotas", response_model=QuotasPublic)
def my_quotas(user: CurrentUser, relay: RelayDep) -> QuotasPublic:
    """My limits and what I use of each now."""
    return _public(user.user_id, relay.quotas.report(user))


@router.get("/v1/admin/users/{user_id}/quotas", response_model=QuotasPublic)
def user_quotas(user_id: UserId, admin: AdminUser, relay: RelayDep) -> QuotasPublic:
    """A user's limits and usage (admins only)."""
    user, reports = relay.quotas.report_of(user_id)
    return _public(user.user_id, reports)


@router.put("/v1/admin/users/{user_id}/quotas", response_model=QuotasPublic)
def set_user_quotas(user_id: UserId, body: QuotaLimits, admin: AdminUser, relay: RelayDep) -> QuotasPublic:
    """Replace a user's overrides (admins only): each quota given is that user's limit, each
    left out or null is the deployment's default. Usage is kept; a limit lowered under it
    refuses new takes until usage is under the limit."""
    user, reports = relay.quotas.set_limits(user_id, body.overrides())
    return _public(user.user_id, reports)
