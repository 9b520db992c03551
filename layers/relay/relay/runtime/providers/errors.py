"""SDK exceptions → Relay's provider errors (both SDKs share the same exception shapes)."""

from __future__ import annotations

from . import ProviderError, ProviderThrottledError, ProviderUnavailableError


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(getattr(exc, "message", None) or exc)


def translate(provider: str, exc: Exception) -> ProviderError:
    """The SDK has retried what it retries (max_retries) before this."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status == 429:
        return ProviderThrottledError(f"{provider}: 429 {_message(exc)}", status_code=429)
    if isinstance(status, int) and status >= 500:
        return ProviderUnavailableError(f"{provider}: {status} {_message(exc)}", status_code=status)
    if name in ("APITimeoutError", "APIConnectionError"):
        return ProviderUnavailableError(f"{provider}: {name}: {_message(exc)}")
    if isinstance(status, int):
        return ProviderError(f"{provider}: {status} {_message(exc)}", status_code=status)
    return ProviderError(f"{provider}: {name}: {_message(exc)}")
