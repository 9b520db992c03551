"""Every error the client raises: a `RelayError` with a stable `code`.

`RelayAPIError` is a problem the server answered (application/problem+json): its `code`,
`status`, `title` and `detail`, and the whole `problem` document. The others happen on this
side: the server could not be reached, or the input was refused before anything was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RelayError(Exception):
    """Base of every client error."""

    code: str = "RELAY_ERROR"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class RelayAPIError(RelayError):
    """A problem answered by the server (any 4xx/5xx)."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.problem: dict[str, Any] = dict(problem)
        self.title = str(problem.get("title") or f"HTTP {status}")
        super().__init__(str(problem.get("detail") or self.title), code=str(problem.get("code") or f"HTTP_{status}"))

    def __str__(self) -> str:
        return f"{self.title}: {self.detail} ({self.code}, HTTP {self.status})"


class AuthenticationError(RelayAPIError):
    """401: no key, or a key that belongs to no user."""


class NotFoundError(RelayAPIError):
    """404: no such thing, or another user's (the server never says which)."""


class ConflictError(RelayAPIError):
    """409: the thing changed meanwhile (already answered, not the latest version …)."""


class VersionMismatchError(ConflictError):
    """409 VERSION_MISMATCH from resume: the submitted version is not the run's; choose."""

    @property
    def submitted_version_id(self) -> str:
        return str(self.problem.get("submitted_version") or self.problem.get("submitted_version_id") or "")

    @property
    def options(self) -> list[str]:
        return list(self.problem.get("options") or [])


class RelayConnectionError(RelayError):
    """The server could not be reached (after the retries)."""

    code = "CONNECTION_ERROR"


class ClientInputError(RelayError):
    """Input refused on this side before anything was sent (a missing file, a `$ref` leaving
    the folder, an unknown input name, a file over the cap …)."""

    code = "INVALID_INPUT"


class ConfigError(RelayError):
    """No URL or key configured, or an unreadable profile."""

    code = "CONFIG_ERROR"


_BY_STATUS: dict[int, type[RelayAPIError]] = {401: AuthenticationError, 404: NotFoundError, 409: ConflictError}


def api_error(status: int, problem: Mapping[str, Any]) -> RelayAPIError:
    """The most specific error class for a problem."""
    if status == 409 and problem.get("code") == "VERSION_MISMATCH":
        return VersionMismatchError(status, problem)
    return _BY_STATUS.get(status, RelayAPIError)(status, problem)
