"""OpenAI through the Responses API (`client.responses.create`). The SDK is imported when the
first call is made, never when this module is imported."""

from __future__ import annotations

import base64
import json
from typing import Any

from . import NOT_JSON, Image, LlmReply, LlmRequest
from .sdk import SdkProvider

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def _content(role: str, parts: list[str | Image]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, Image):
            data = base64.b64encode(part.data).decode("ascii")
            out.append({"type": "input_image", "image_url": f"data:{part.media_type};base64,{data}"})
        else:
            out.append({"type": "output_text" if role == "assistant" else "input_text", "text": part})
    return out


def build_params(request: LlmRequest) -> dict[str, Any]:
    """The keyword arguments of `responses.create` (system messages become `instructions`)."""
    instructions = "\n\n".join(p for m in request.messages if m.role == "system" for p in m.parts if isinstance(p, str))
    params: dict[str, Any] = {
        "model": request.model,
        "input": [{"role": m.role, "content": _content(m.role, m.parts)} for m in request.messages if m.role != "system"],
        "store": False,
    }
    if instructions:
        params["instructions"] = instructions
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.max_tokens is not None:
        params["max_output_tokens"] = request.max_tokens
    if request.response_schema is not None:
        params["text"] = {
            "format": {
                "type": "json_schema",
                "name": request.schema_name,
                "schema": request.response_schema,
                "strict": True,
            }
        }
    return params


def usage_of(usage: Any) -> dict[str, int]:
    if usage is None:
        return {"input": 0, "output": 0, "cached": 0, "reasoning": 0}
    input_details = getattr(usage, "input_tokens_details", None)
    output_details = getattr(usage, "output_tokens_details", None)
    return {
        "input": int(getattr(usage, "input_tokens", 0) or 0),
        "output": int(getattr(usage, "output_tokens", 0) or 0),
        "cached": int(getattr(input_details, "cached_tokens", 0) or 0),
        "reasoning": int(getattr(output_details, "reasoning_tokens", 0) or 0),
    }


class OpenAIProvider(SdkProvider):
    name = "openai"
    default_base_url = DEFAULT_BASE_URL

    def _make_client(self, **options: Any) -> Any:
        import openai  # only here: the call path

        return openai.OpenAI(**options)

    def _create(self, client: Any, request: LlmRequest) -> Any:
        return client.responses.create(**build_params(request))

    def _reply(self, request: LlmRequest, response: Any) -> LlmReply:
        text = response.output_text or ""
        data = None
        if request.response_schema is not None:
            try:
                data = json.loads(text)
            except ValueError:
                data = NOT_JSON
        return LlmReply(
            text=text,
            data=data,
            usage=usage_of(response.usage),
            model=response.model,
            body=response.model_dump(mode="json"),
        )
