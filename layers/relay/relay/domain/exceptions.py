"""The domain's errors: what a record's rules refuse, whoever finds it (a service, or an
adapter translating a failed condition with `raise … from exc`).

Each is a `relay.exceptions.RelayError` of the kind it answers as (ConflictError: 409, …)
with a stable `code` (registered in relay.api.problems). Services and adapters import
errors from here, never from an adapter module.
"""

from __future__ import annotations

from typing import Any

from relay.exceptions import ConflictError, InvalidRequestError, RelayError

from .quotas import FREES_WHEN, Quota


class QuotaExceededError(RelayError):
    """A request would take a user over one of their quotas: nothing was changed."""

    code = "QUOTA_EXCEEDED"
    status = 429

    def __init__(
        self,
        quota: Quota,
        *,
        limit: int,
        used: int,
        requested: int,
        retry_after: int | None = None,
        frees_at: str | None = None,
    ) -> None:
        detail = f"quota {quota.value} is full: {used} of {limit} used, {requested} more asked; it frees {FREES_WHEN[quota]}"
        extra: dict[str, Any] = {
            "quota": quota.value,
            "limit": limit,
            "used": used,
            "requested": requested,
            "frees_when": FREES_WHEN[quota],
        }
        if frees_at is not None:
            extra["frees_at"] = frees_at
        if retry_after is not None:
            extra["retry_after_seconds"] = retry_after
        super().__init__(detail, **extra)
        self.quota = quota
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


class NotLatestVersionError(ConflictError):
    code = "NOT_LATEST_VERSION"


class ArtifactExistsError(ConflictError):
    """A put of an artifact id that is taken (a retried store finds its own record)."""


class InputExpiredError(ConflictError):
    """The pause is over (timed out or the execution ended): the answer cannot be delivered."""

    code = "INPUT_EXPIRED"


class UsernameTakenError(ConflictError):
    code = "USERNAME_TAKEN"


class EmailTakenError(ConflictError):
    code = "EMAIL_TAKEN"


class InvalidBranchPointError(InvalidRequestError):
    code = "INVALID_BRANCH_POINT"


class InvalidNodeAllowListError(ValueError):
    """ComfyUINodeAllowList names something that cannot be a node class (fails at cold start)."""


class InvalidChainError(InvalidRequestError):
    """A chain definition refused at submit (relay.domain.chains). `code` says which rule,
    `step_id` names the step (and `cycle` the steps of a cycle); nothing is stored."""

    code = "INVALID_CHAIN"


class ChainCycleError(InvalidChainError):
    code = "CHAIN_CYCLE"


class ChainUnknownDependencyError(InvalidChainError):
    code = "CHAIN_UNKNOWN_DEPENDENCY"


class ChainInputNotDependencyError(InvalidChainError):
    code = "CHAIN_INPUT_NOT_DEPENDENCY"


class ChainUnknownArtifactError(InvalidChainError):
    code = "CHAIN_UNKNOWN_ARTIFACT"


class ChainUnknownTemplateError(InvalidChainError):
    code = "CHAIN_UNKNOWN_TEMPLATE"
