"""What the OpenAI and Anthropic back ends share: one SDK client per provider object, made
with the first call (the SDK is imported then, never at import), and SDK errors translated
to Relay's provider errors. A back end names its SDK client and reads its reply."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from . import LlmReply, LlmRequest, ProviderConfig
from .errors import translate


class SdkProvider(ABC):
    name: str
    default_base_url: str

    def __init__(self, config: ProviderConfig) -> None:
        self._config = config
        self._client: Any = None

    def _sdk(self) -> Any:
        if self._client is None:
            self._client = self._make_client(
                api_key=self._config.api_key or "missing",
                base_url=self._config.base_url or self.default_base_url,
                timeout=self._config.timeout_seconds,
                max_retries=self._config.max_retries,
            )
        return self._client

    def complete(self, request: LlmRequest) -> LlmReply:
        client = self._sdk()
        try:
            response = self._create(client, request)
        except Exception as exc:
            raise translate(self.name, exc) from exc
        return self._reply(request, response)

    # -- what a back end implements ---------------------------------------------------------
    @abstractmethod
    def _make_client(self, **options: Any) -> Any:
        """The SDK client, made with these options."""

    @abstractmethod
    def _create(self, client: Any, request: LlmRequest) -> Any:
        """One API call."""

    @abstractmethod
    def _reply(self, request: LlmRequest, response: Any) -> LlmReply:
        """The reply, read from the response."""
