"""api.llm's use case: resolve the media a message names, call the provider, check structured
output, and record every call (ApiCallsTable + bodies and images in S3).

`RunLlm` is what a run's modules see as `ctx.llm` (wired by RunStep, like `ctx.artifacts`):
the service bound to one run and one RunStep invocation. Images are read from S3 once per
invocation, however many messages or modules name them."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Callable

from relay.domain.api_calls import (
    INLINE_BODY_MAX_BYTES,
    RETENTION_DAYS,
    RETENTION_TAG_ERROR,
    RETENTION_TAG_OK,
    ApiCall,
    CallError,
    Usage,
    body_key,
    image_key,
)
from relay.domain.limits import json_size
from relay.exceptions import RelayError
from relay.ids import is_id, iso, new_id, now_iso, utcnow
from relay.runtime.modules.exceptions import ModuleError
from relay.runtime.providers import (
    NOT_JSON,
    Image,
    InvalidStructuredOutputError,
    LlmReply,
    LlmRequest,
    Message,
    ProviderConfig,
    ProviderError,
    get_provider,
)
from relay.runtime.providers.prices import AS_OF, cost_usd

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
        calls,  # ApiCallRepository
        storage,  # ApiCallStorage
        media_repository,
        media_storage,
        artifacts,  # ArtifactService
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
        self._providers: dict[str, Any] = {}

    # -- for RunStep ------------------------------------------------------------------------
    def provider(self, name: str) -> Any:
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


class RunLlm:
    """ctx.llm: the LLM service bound to one run and one RunStep invocation."""

    def __init__(self, service: LlmService, run: Any, correlation_id: str, artifacts: Any = None) -> None:
        self._service = service
        self._run = run
        self._correlation_id = correlation_id
        self._artifacts = artifacts  # RunArtifacts of the same invocation
        self._images: dict[str, Image] = {}
        self.totals: dict[str, Any] = {}

    # -- choosing ---------------------------------------------------------------------------
    def choose(self, provider: str | None, model: str | None) -> tuple[str, str]:
        prefs = self._run.model_preferences or {}
        config = self._service.config
        chosen = provider or prefs.get("default_provider") or config.default_provider
        if model is None and prefs.get("default_model") and prefs.get("default_provider") in (None, chosen):
            model = prefs["default_model"]
        return chosen, model or config.default_models.get(chosen, "echo-1")

    # -- images -----------------------------------------------------------------------------
    def image(self, ref: Any) -> Image:
        if isinstance(ref, dict):
            ids = [ref[k] for k in ("media_id", "artifact_id") if isinstance(ref.get(k), str)]
            if not ids:
                raise MediaRefError("a media_ref object must hold media_id or artifact_id")
            ref = ids[0]
        if not isinstance(ref, str):
            raise MediaRefError(f"a media_ref names a media or artifact id, not {type(ref).__name__}")
        if ref not in self._images:
            self._images[ref] = self._load(ref)
        return self._images[ref]

    def _load(self, ref: str) -> Image:
        if ref.startswith("media_"):
            return self._service.media_image(ref, self._run.run_id, self._run.user_id)
        if ref.startswith("art_"):
            artifact = self._artifacts.find(artifact_id=ref) if self._artifacts is not None else None
            if artifact is None:
                raise MediaRefError(f"artifact {ref[:64]} not found")
            if artifact.format.value != "binary" or not artifact.content_type.startswith("image/"):
                raise MediaRefError(f"artifact {ref} is {artifact.format.value} {artifact.content_type}, not an image")
            try:
                data = self._artifacts.content(artifact)
            except RelayError as exc:
                raise MediaRefError(f"artifact {ref}: {exc.detail}") from exc
            return Image(artifact.content_type, data, hashlib.sha256(data).hexdigest())
        raise MediaRefError(f"media_ref {ref[:64]!r} is neither a media_… nor an art_… id")

    # -- calling ----------------------------------------------------------------------------
    def complete(
        self,
        *,
        step_id: str,
        module_index: int,
        provider: str,
        model: str,
        messages: list[Message],
        temperature: float | None,
        max_tokens: int | None,
        response_schema: dict[str, Any] | None,
    ) -> dict[str, Any]:
        validator = None
        if response_schema is not None:
            from jsonschema.validators import validator_for

            validator = validator_for(response_schema)(response_schema)
        request = LlmRequest(model, messages, temperature, max_tokens, response_schema)
        client = self._service.provider(provider)
        problem = ""
        for attempt in (1, 2):
            reply, call = self._call(client, provider, request, step_id, module_index, attempt, validator)
            if validator is None or call.status == "ok":
                return {
                    "text": reply.text,
                    "data": reply.data if validator is not None else None,
                    "usage": call.usage.model_dump(),
                    "call_id": call.call_id,
                    "provider": provider,
                    "model": model,
                }
            problem = call.error.message if call.error else "invalid"
        raise InvalidStructuredOutputError(
            f"{provider} {model}: the reply did not fit response_schema twice ({problem})"
        )

    def _call(self, client: Any, provider: str, request: LlmRequest, step_id: str, module_index: int,
              attempt: int, validator: Any) -> tuple[LlmReply, ApiCall]:
        started = utcnow()
        clock = time.monotonic()
        reply: LlmReply | None = None
        error: ProviderError | None = None
        try:
            reply = client.complete(request)
        except ProviderError as exc:
            error = exc
        duration_ms = int((time.monotonic() - clock) * 1000)
        call = ApiCall(
            run_id=self._run.run_id,
            call_id=new_id("call"),
            user_id=self._run.user_id,
            step_id=step_id,
            module_index=module_index,
            provider=provider,
            model=request.model,
            correlation_id=self._correlation_id,
            attempt=attempt,
            status="ok",
            started_at=iso(started),
            duration_ms=duration_ms,
            prices_as_of=AS_OF,
        )
        if error is not None:
            call.status = "error"
            call.error = CallError(code=error.code, message=error.detail, status_code=error.status_code)
        else:
            assert reply is not None
            call.usage = Usage(**reply.usage)
            call.cost_usd = cost_usd(request.model, reply.usage)
            if validator is not None:
                invalid = self._invalid(reply.data, validator)
                if invalid:
                    call.status = "invalid_output"
                    call.error = CallError(code="INVALID_LLM_OUTPUT", message=invalid)
        if call.status != "error":  # kept 30 days; failed calls are kept
            call.ttl = int((started + timedelta(days=RETENTION_DAYS)).timestamp())
        images = self._images_of(request)
        self._service.record(call, self._request_body(request, call), reply.body if reply else None, images)
        self._add(call)
        if error is not None:
            raise error
        assert reply is not None
        return reply, call

    @staticmethod
    def _invalid(data: Any, validator: Any) -> str | None:
        if data is NOT_JSON:
            return "the reply is not a JSON object"
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        if not errors:
            return None
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(root)"
        return f"{where}: {first.message}"[:1000]

    @staticmethod
    def _images_of(request: LlmRequest) -> list[Image]:
        seen: dict[str, Image] = {}
        for message in request.messages:
            for part in message.parts:
                if isinstance(part, Image):
                    seen.setdefault(part.sha256, part)
        return list(seen.values())

    @staticmethod
    def _request_body(request: LlmRequest, call: ApiCall) -> dict[str, Any]:
        retention = retention_of(call)

        def part(p: str | Image) -> dict[str, Any]:
            if isinstance(p, Image):
                return {"type": "image", "media_type": p.media_type, "sha256": p.sha256,
                        "size_bytes": len(p.data), "key": image_key(p.sha256, retention)}
            return {"type": "text", "text": p}

        body: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": [part(p) for p in m.parts]} for m in request.messages],
        }
        for name in ("temperature", "max_tokens", "response_schema"):
            if getattr(request, name) is not None:
                body[name] = getattr(request, name)
        return body

    def _add(self, call: ApiCall) -> None:
        t = self.totals
        for name, value in call.usage.model_dump().items():
            t[name] = t.get(name, 0) + value
        t["calls"] = t.get("calls", 0) + 1
        if call.cost_usd is not None:
            t["cost_usd"] = str(Decimal(t.get("cost_usd", "0")) + Decimal(call.cost_usd))
        elif call.status != "error":
            t["unpriced_calls"] = t.get("unpriced_calls", 0) + 1

