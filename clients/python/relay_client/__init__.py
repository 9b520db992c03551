"""The Relay client: `from relay_client import Relay`.

Names are imported on first use (PEP 562), so `relay --help` does not pay for httpx."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


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
