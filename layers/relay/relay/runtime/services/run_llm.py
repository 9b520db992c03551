"""`ctx.llm`: the LLM service bound to one run and one RunStep attempt. It chooses the model
(the run's preferences, then the deployment's defaults), reads each image a message names
once per attempt, however many messages or modules name it, calls the provider (twice when
structured output does not fit its schema), records every call and keeps the run's totals."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from relay.domain import Run
from relay.domain.api_calls import RETENTION_DAYS, ApiCall, CallError, Usage, image_key
from relay.exceptions import RelayError
from relay.ids import iso, new_id, utcnow
from relay.metrics import OTHER, PROVIDERS, bounded, publish
from relay.metrics import names as metric
from relay.runtime.modules.capabilities import ArtifactsCapability
from relay.runtime.providers import (
    NOT_JSON,
    Image,
    InvalidStructuredOutputError,
    LlmProvider,
    LlmReply,
    LlmRequest,
    Message,
    ProviderError,
)
from relay.runtime.providers.prices import AS_OF, cost_usd, priced_model

from .llm import LlmService, MediaRefError, retention_of

logger = logging.getLogger("relay.llm")


class RunLlm:
    """ctx.llm: the LLM service bound to one run and one RunStep invocation."""

    def __init__(self, service: LlmService, run: Run, correlation_id: str, artifacts: ArtifactsCapability | None = None) -> None:
        self._service = service
        self._run = run
        self._correlation_id = correlation_id
        self._artifacts = artifacts  # RunArtifacts of the same attempt
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
    def image(self, ref: object) -> Image:
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
        raise InvalidStructuredOutputError(f"{provider} {model}: the reply did not fit response_schema twice ({problem})")

    def _call(
        self,
        client: LlmProvider,
        provider: str,
        request: LlmRequest,
        step_id: str,
        module_index: int,
        attempt: int,
        validator: Any,
    ) -> tuple[LlmReply, ApiCall]:
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
        _observe(call)
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
                return {
                    "type": "image",
                    "media_type": p.media_type,
                    "sha256": p.sha256,
                    "size_bytes": len(p.data),
                    "key": image_key(p.sha256, retention),
                }
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


def _observe(call: ApiCall) -> None:
    """One log line per provider call (the LLM-calls-by-cost query reads it) and its metrics,
    by provider and model family (bounded: never the run or the user)."""
    logger.info(
        "llm call",
        extra={
            "step_id": call.step_id,
            "call_id": call.call_id,
            "provider": call.provider,
            "model": call.model,
            "status": call.status,
            "duration_ms": call.duration_ms,
            "input_tokens": call.usage.input,
            "output_tokens": call.usage.output,
            "cost_usd": float(call.cost_usd) if call.cost_usd is not None else None,
            "error_code": call.error.code if call.error else None,
        },
    )
    values: dict[metric.MetricSpec, float] = {
        metric.LLM_CALLS: 1,
        metric.LLM_CALL_ERRORS: 0 if call.status == "ok" else 1,
        metric.LLM_INPUT_TOKENS: call.usage.input,
        metric.LLM_OUTPUT_TOKENS: call.usage.output,
    }
    if call.cost_usd is not None:
        values[metric.LLM_COST_USD] = float(call.cost_usd)
    labels = {"provider": bounded(call.provider, PROVIDERS), "model": priced_model(call.model) or OTHER}
    publish(values, labels)
