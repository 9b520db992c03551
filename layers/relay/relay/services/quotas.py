"""Per-user quotas: what a user may use and uses now; an admin's overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from relay.domain import User
from relay.domain.quotas import FREES_WHEN, Quota

if TYPE_CHECKING:
    from relay.adapters.quotas import QuotaRepository
    from relay.services.users import UserService


@dataclass(frozen=True)
class QuotaReport:
    quota: Quota
    limit: int
    default: int
    overridden: bool
    used: int
    frees_when: str
    resets_at: str | None  # runs_per_day: the next UTC midnight


class QuotaService:
    def __init__(self, quotas: QuotaRepository, users: UserService) -> None:
        self._quotas = quotas
        self._users = users

    def report(self, user: User) -> list[QuotaReport]:
        state = self._quotas.state(user.user_id)
        defaults = self._quotas.defaults()
        return [
            QuotaReport(
                quota=quota,
                limit=state.limits[quota],
                default=defaults[quota],
                overridden=quota in state.overridden,
                used=state.used[quota],
                frees_when=FREES_WHEN[quota],
                resets_at=state.day_resets_at if quota is Quota.runs_per_day else None,
            )
            for quota in Quota
        ]

    def report_of(self, user_id: str) -> tuple[User, list[QuotaReport]]:
        """For an admin: any user's (404 for none)."""
        user = self._users.get(user_id)
        return user, self.report(user)

    def set_limits(self, user_id: str, overrides: Mapping[Quota, int | None]) -> tuple[User, list[QuotaReport]]:
        """Replace the user's overrides: a quota given a number is that; one left out (or
        null) is the deployment's default again. What is used now is kept, even over a
        lowered limit (nothing new is taken until it is under)."""
        user = self._users.get(user_id)
        self._quotas.set_limits(user.user_id, {q: n for q, n in overrides.items() if n is not None})
        return user, self.report(user)
