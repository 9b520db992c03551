"""`api.llm`: one LLM call with text and images, optionally with structured output.

The module does no I/O of its own: the run's LLM service comes injected as `ctx.llm`
(relay.runtime.services.run_llm.RunLlm, wired by RunStep), which resolves `media_ref`s, calls the
provider (whose SDK it imports only then), validates structured output and records the call.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import ModuleError, ModuleInputError

SCHEMA_NAME = "response"


class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text"]
    text: str = Field(max_length=1_000_000)


class MediaRefPart(BaseModel):
    """An image: a media id (`media_…`, a ready upload of the run's user), an artifact id
    (`art_…`, a binary image artifact), or an object holding either (what `user.media_upload`
    and `artifact.store` output), usually given as a `$state` reference."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["media_ref"]
    content: str | dict[str, Any]


Part = Annotated[TextPart | MediaRefPart, Field(discriminator="type")]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: str | list[Part] = Field(description="a string, or text and media_ref parts")


class LlmInputs(ModuleInputs):
    provider: Literal["openai", "anthropic", "echo"] | None = Field(
        default=None, description="omitted: the run's model_preferences, else the server's default"
    )
    model: str | None = Field(default=None, min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=500)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    response_schema: dict[str, Any] | None = Field(
        default=None, description="a JSON Schema: the reply is parsed into `data` and validated (retried once)"
    )


def schema_problem(schema: Any) -> str | None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        return f"response_schema is not a valid JSON Schema: {exc.message}"
    return None


class Llm(Module):
    """Outputs: `text`, `data` (the parsed object with `response_schema`, else null), `usage`
    ({input, output, cached, reasoning} tokens), `call_id` (its api-call record), and the
    `provider` and `model` that answered."""

    module_id = "api.llm"
    Inputs = LlmInputs
    long_running = True

    def check_inputs(self, inputs: dict[str, Any]) -> list[str]:
        problems = super().check_inputs(inputs)
        schema = inputs.get("response_schema") if isinstance(inputs, dict) else None
        if isinstance(schema, dict) and not problems:
            from .references import contains_reference

            if not contains_reference(schema):
                problem = schema_problem(schema)
                if problem:
                    problems.append(problem)
        return problems

    def execute(self, inputs: LlmInputs, ctx: ModuleContext) -> dict[str, Any]:
        llm = ctx.llm
        if llm is None:
            raise ModuleError("no LLM service is available to this run", code="LLM_UNAVAILABLE")
        if inputs.response_schema is not None:
            problem = schema_problem(inputs.response_schema)
            if problem:
                raise ModuleInputError(f"api.llm: {problem}")
        from relay.runtime.providers import Message

        messages = []
        for message in inputs.messages:
            if isinstance(message.content, str):
                parts: list[Any] = [message.content]
            else:
                parts = [p.text if isinstance(p, TextPart) else llm.image(p.content) for p in message.content]
            if message.role != "user" and any(not isinstance(p, str) for p in parts):
                raise ModuleInputError(f"api.llm: only user messages may hold images ({message.role} does)")
            messages.append(Message(message.role, parts))
        provider, model = llm.choose(inputs.provider, inputs.model)
        # A provider call can take minutes: the run shows what it waits for meanwhile.
        ctx.progress(0.0, stage="llm", message=f"waiting for {provider} ({model})")
        return llm.complete(
            step_id=ctx.step_id,
            module_index=ctx.module_index,
            provider=provider,
            model=model,
            messages=messages,
            temperature=inputs.temperature,
            max_tokens=inputs.max_tokens,
            response_schema=inputs.response_schema,
        )
