"""api.llm's use case: resolve the media a message names, call the provider, check structured
output, and record every call (ApiCallsTable + bodies and images in S3).

The service is wired once per container; `relay.runtime.services.run_llm.RunLlm` binds it to
one run and one RunStep attempt (what a run's modules see as `ctx.llm`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relay.domain.api_calls import (
    INLINE_BODY_MAX_BYTES,
    RETENTION_TAG_ERROR,
    RETENTION_TAG_OK,
    ApiCall,
    body_key,
    image_key,
)
from relay.domain.limits import json_size
from relay.ids import is_id, now_iso
from relay.runtime.modules.exceptions import ModuleError
from relay.runtime.ports import ApiCallObjects, ApiCallRecords, ArtifactBook, MediaObjects, MediaRecords
from relay.runtime.providers import (
    Image,
    LlmProvider,
    ProviderConfig,
    get_provider,
)

_KEY_NAMES = {"openai": "openai_api_key", "anthropic": "anthropic_api_key"}


def retention_of(call: ApiCall) -> str:
    """A failed call is kept (its record has no TTL either); any other one 30 days."""
    return RETENTION_TAG_ERROR if call.status == "error" else RETENTION_TAG_OK


class MediaRefError(ModuleError):
    code = "INVALID_MEDIA_REF"


class ProviderNotConfiguredError(ModuleError):
    code = "PROVIDER_NOT_CONFIGURED"


@dataclass(frozen=True)
class LlmConfig:
    keys_secret: str | None
    base_urls: dict[str, str | None]
    timeout_seconds: float
    max_retries: int
    default_provider: str
    default_models: dict[str, str]


def secret_keys(name: str | None) -> dict[str, str]:
    """The provider keys from Secrets Manager through Powertools Parameters (cached 5 min)."""
    if not name:
        return {}
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(name, transform="json", max_age=300)
    return value if isinstance(value, dict) else {}


class LlmService:
    def __init__(
        self,
        calls: ApiCallRecords,
        storage: ApiCallObjects,
        media_repository: MediaRecords | None,
        media_storage: MediaObjects | None,
        artifacts: ArtifactBook | None,
        config: LlmConfig,
        keys: Callable[[str | None], dict[str, str]] = secret_keys,
    ) -> None:
        self._calls = calls
        self._storage = storage
        self._media = media_repository
        self._media_storage = media_storage
        self._artifacts = artifacts
        self.config = config
        self._keys = keys
        self._providers: dict[str, tuple[str | None, LlmProvider]] = {}

    # -- for RunStep ------------------------------------------------------------------------
    def provider(self, name: str) -> LlmProvider:
        """One client per provider per container (the SDKs pool connections). The key is read
        (cached) on every call, so a rotated secret is picked up within the cache's age."""
        if name == "echo":
            return get_provider("echo", ProviderConfig(None, None, 0, 0))
        key = self._keys(self.config.keys_secret).get(_KEY_NAMES[name]) or None
        if not key:
            raise ProviderNotConfiguredError(
                f"no {_KEY_NAMES[name]} in the provider keys secret ({self.config.keys_secret or 'none configured'})"
            )
        cached = self._providers.get(name)
        if cached is None or cached[0] != key:
            config = ProviderConfig(key, self.config.base_urls.get(name), self.config.timeout_seconds, self.config.max_retries)
            cached = self._providers[name] = (key, get_provider(name, config))
        return cached[1]

    def record(self, call: ApiCall, request_body: dict[str, Any], response_body: Any, images: list[Image]) -> None:
        retention = retention_of(call)
        for image in images:
            key = image_key(image.sha256, retention)
            self._storage.put_image_once(key, image.data, image.media_type, retention)
            call.images.append(
                {"sha256": image.sha256, "media_type": image.media_type, "size_bytes": len(image.data), "key": key}
            )
        for name, body in (("request", request_body), ("response", response_body)):
            if body is None:
                continue
            if json_size(body) <= INLINE_BODY_MAX_BYTES:
                setattr(call, name, body)
            else:
                key = body_key(call.run_id, call.call_id, name)
                self._storage.put_json(key, body, retention)
                setattr(call, f"{name}_key", key)
        self._calls.put(call)

    def media_image(self, media_id: str, run_id: str, user_id: str) -> Image:
        media = self._media.get(media_id) if is_id(media_id, "media") else None
        if media is None or media.user_id != user_id or media.expired(now_iso()):
            raise MediaRefError(f"media {media_id[:64]} not found")
        if media.status.value != "ready":
            raise MediaRefError(f"media {media_id} is {media.status.value}, not ready")
        if media.run_id not in (None, run_id):
            raise MediaRefError(f"media {media_id} is attached to another run")
        if not media.content_type.startswith("image/"):
            raise MediaRefError(f"media {media_id} is {media.content_type}, not an image")
        data = self._media_storage.read(media.key)
        if data is None:
            raise MediaRefError(f"the content of media {media_id} is gone")
        return Image(media.content_type, data, hashlib.sha256(data).hexdigest())
