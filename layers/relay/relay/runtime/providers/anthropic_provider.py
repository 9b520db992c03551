"""Anthropic through the Messages API (`client.messages.create`). The SDK is imported when the
first call is made, never when this module is imported.

Structured output: a tool whose `input_schema` is the response schema, forced with
`tool_choice`; the tool call's `input` is the object. That works on every current Claude
model, and the SDK returns the input already parsed (the JSON-output beta is newer and not on
every model)."""

from __future__ import annotations

import base64
import json
from typing import Any

from . import NOT_JSON, Image, LlmReply, LlmRequest
from .sdk import SdkProvider

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_MAX_TOKENS = 4096


def _content(parts: list[str | Image]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, Image):
            data = base64.b64encode(part.data).decode("ascii")
            out.append({"type": "image", "source": {"type": "base64", "media_type": part.media_type, "data": data}})
        else:
            out.append({"type": "text", "text": part})
    return out


def build_params(request: LlmRequest) -> dict[str, Any]:
    system = "\n\n".join(p for m in request.messages if m.role == "system" for p in m.parts if isinstance(p, str))
    params: dict[str, Any] = {
        "model": request.model,
        "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
        "messages": [{"role": m.role, "content": _content(m.parts)} for m in request.messages if m.role != "system"],
    }
    if system:
        params["system"] = system
    if request.temperature is not None:
        # Sent as a body field: the SDK installed here no longer has a `temperature` argument
        # (newer models fix it), while the Messages API still documents it for older ones.
        params["extra_body"] = {"temperature": request.temperature}
    if request.response_schema is not None:
        params["tools"] = [
            {
                "name": request.schema_name,
                "description": "Answer with an object that fits this schema.",
                "input_schema": request.response_schema,
            }
        ]
        params["tool_choice"] = {"type": "tool", "name": request.schema_name}
    return params


def usage_of(usage: Any) -> dict[str, int]:
    """Anthropic counts cache reads and writes apart from `input_tokens`: `input` here is all
    of them, `cached` the reads (as OpenAI reports). Thinking tokens are in `output`."""
    if usage is None:
        return {"input": 0, "output": 0, "cached": 0, "reasoning": 0}
    read = int(getattr(usage, "cache_read_input_tokens", 0) or 0)
    written = int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
    return {
        "input": int(getattr(usage, "input_tokens", 0) or 0) + read + written,
        "output": int(getattr(usage, "output_tokens", 0) or 0),
        "cached": read,
        "reasoning": 0,
    }


class AnthropicProvider(SdkProvider):
    name = "anthropic"
    default_base_url = DEFAULT_BASE_URL

    def _make_client(self, **options: Any) -> Any:
        import anthropic  # only here: the call path

        return anthropic.Anthropic(**options)

    def _create(self, client: Any, request: LlmRequest) -> Any:
        return client.messages.create(**build_params(request))

    def _reply(self, request: LlmRequest, response: Any) -> LlmReply:
        texts = [b.text for b in response.content if getattr(b, "type", None) == "text"]
        data = None
        if request.response_schema is not None:
            tool = next((b for b in response.content if getattr(b, "type", None) == "tool_use"), None)
            data = tool.input if tool is not None else NOT_JSON
            text = json.dumps(data, ensure_ascii=False) if tool is not None else "".join(texts)
        else:
            text = "".join(texts)
        return LlmReply(
            text=text,
            data=data,
            usage=usage_of(response.usage),
            model=response.model,
            body=response.model_dump(mode="json"),
        )
