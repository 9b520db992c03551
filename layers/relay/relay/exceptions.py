"""Domain errors. Each carries a stable `code` the API maps to problem+json, and the class
name is the error name Step Functions `Retry`/`Catch` match when a task Lambda raises it."""

from __future__ import annotations

from typing import Any


class RelayError(Exception):
    """Base of every error Relay raises on purpose."""

    code = "RELAY_ERROR"
    status = 500

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra


class InvalidRequestError(RelayError):
    code = "INVALID_REQUEST"
    status = 400


class UnauthorizedError(RelayError):
    code = "UNAUTHORIZED"
    status = 401


class ForbiddenError(RelayError):
    code = "FORBIDDEN"
    status = 403


class NotFoundError(RelayError):
    """Also what another tenant's ids answer: never 403, never data."""

    code = "NOT_FOUND"
    status = 404


class ConflictError(RelayError):
    code = "CONFLICT"
    status = 409


class ConcurrentUpdateError(ConflictError):
    """An optimistic-lock condition failed; the writer should reload and retry."""

    code = "CONCURRENT_UPDATE"


class AlreadyDecidedError(ConflictError):
    """A pending input was decided already: answered, expired or superseded."""

    code = "INPUT_ALREADY_ANSWERED"


class PayloadTooLargeError(RelayError):
    """A body, or one value in it, is over a documented size limit."""

    code = "PAYLOAD_TOO_LARGE"
    status = 413


class UnprocessableError(RelayError):
    code = "UNPROCESSABLE"
    status = 422


class ServiceUnavailableError(RelayError):
    code = "SERVICE_UNAVAILABLE"
    status = 503
