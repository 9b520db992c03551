"""LLM providers behind one small interface: `complete(LlmRequest) -> LlmReply`.

`openai` (Responses API) and `anthropic` (Messages API) import their SDKs inside the call
path only (never when this package or the step function module is imported); `echo` is
offline. Errors: `ProviderError` (PROVIDER_ERROR, the run fails), and the transient ones Step
Functions retries by their class names: `ProviderThrottledError` (429) and
`ProviderUnavailableError` (5xx, timeouts, connection failures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from relay.exceptions import RelayError

PROVIDERS = ("openai", "anthropic", "echo")


class ProviderError(RelayError):
    """The provider refused or failed the call for good: the run ends with PROVIDER_ERROR."""

    code = "PROVIDER_ERROR"
    status = 502
    # Transient: the engine lets it out of RunStep so Step Functions retries the task.
    retryable = False

    def __init__(self, detail: str, *, status_code: int | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.status_code = status_code


class ProviderThrottledError(ProviderError):
    """429 after the SDK's own retries. Step Functions `Retry` matches this class name."""

    retryable = True


class ProviderUnavailableError(ProviderError):
    """5xx, a timeout or no connection after the SDK's own retries (Step Functions retries)."""

    retryable = True


class InvalidStructuredOutputError(ProviderError):
    """With `response_schema`: the reply did not validate, twice."""

    code = "INVALID_LLM_OUTPUT"


class _NotJson:
    def __repr__(self) -> str:
        return "<no JSON object>"


# LlmReply.data when a response_schema was asked for but the reply held no JSON object.
NOT_JSON: Any = _NotJson()


@dataclass(frozen=True)
class Image:
    media_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class Message:
    role: str  # system | user | assistant
    parts: list[str | Image]


@dataclass(frozen=True)
class LlmRequest:
    model: str
    messages: list[Message]
    temperature: float | None = None
    max_tokens: int | None = None
    response_schema: dict[str, Any] | None = None
    schema_name: str = "response"


@dataclass
class LlmReply:
    text: str
    data: Any = None  # the parsed object (structured output), not yet validated
    usage: dict[str, int] = field(default_factory=lambda: {"input": 0, "output": 0, "cached": 0, "reasoning": 0})
    model: str | None = None  # what the provider says answered
    body: Any = None  # the provider's response, as JSON, for the api-call record


@dataclass(frozen=True)
class ProviderConfig:
    api_key: str | None
    base_url: str | None
    timeout_seconds: float
    max_retries: int


class LlmProvider(Protocol):
    """One provider's client: a request in, a reply out (ProviderError subclasses on failure)."""

    def complete(self, request: LlmRequest) -> LlmReply: ...


def get_provider(name: str, config: ProviderConfig) -> LlmProvider:
    if name == "openai":
        from .openai_provider import OpenAIProvider

        return OpenAIProvider(config)
    if name == "anthropic":
        from .anthropic_provider import AnthropicProvider

        return AnthropicProvider(config)
    if name == "echo":
        from .echo import EchoProvider

        return EchoProvider()
    raise ProviderError(f"unknown provider {name!r}; known: {', '.join(PROVIDERS)}")
