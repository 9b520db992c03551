"""The Relay client: `from relay_client import Relay`.

Names are imported on first use (PEP 562), so `relay --help` does not pay for httpx."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relay_workflow.lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Relay": "client",
    "RetryPolicy": "transport",
    "AuthenticationError": "exceptions",
    "ClientInputError": "exceptions",
    "ConfigError": "exceptions",
    "ConflictError": "exceptions",
    "NotFoundError": "exceptions",
    "RelayAPIError": "exceptions",
    "RelayConnectionError": "exceptions",
    "RelayError": "exceptions",
    "VersionMismatchError": "exceptions",
}
# Literal, so that linters and type checkers see the re-exports (a test holds it to the table).
__all__ = [
    "AuthenticationError",
    "ClientInputError",
    "ConfigError",
    "ConflictError",
    "NotFoundError",
    "Relay",
    "RelayAPIError",
    "RelayConnectionError",
    "RelayError",
    "RetryPolicy",
    "VersionMismatchError",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from .client import Relay
    from .exceptions import (
        AuthenticationError,
        ClientInputError,
        ConfigError,
        ConflictError,
        NotFoundError,
        RelayAPIError,
        RelayConnectionError,
        RelayError,
        VersionMismatchError,
    )
    from .transport import RetryPolicy
