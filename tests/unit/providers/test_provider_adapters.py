"""The provider adapters with the real openai and anthropic SDKs against a local server that
speaks their wire formats (tests/support/fake_providers.py): requests as each API wants them
(images as base64 in each one's own format, structured output), usage by type, and errors
after the SDK's retries as Relay's provider errors."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from fake_providers import FakeProviders
from relay.runtime.providers import (
    Image,
    LlmRequest,
    Message,
    ProviderConfig,
    ProviderError,
    ProviderThrottledError,
    ProviderUnavailableError,
    get_provider,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
IMAGE = Image("image/png", PNG, hashlib.sha256(PNG).hexdigest())
SCHEMA = {
    "type": "object",
    "properties": {"title": {"type": "string", "minLength": 3}, "tone": {"enum": ["warm", "formal"]}},
    "required": ["title", "tone"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def fake():
    server = FakeProviders(slow_seconds=2.0).start()
    yield server
    server.stop()


def provider(name: str, fake: FakeProviders, *, retries: int = 2, timeout: float = 10):
    base = fake.openai_base_url if name == "openai" else fake.url
    return get_provider(name, ProviderConfig("sk-test", base, timeout, retries))


def ask(model: str, *, schema=None, image: bool = False) -> LlmRequest:
    parts: list = ["Describe this", IMAGE] if image else ["Hello there"]
    return LlmRequest(
        model=model,
        messages=[Message("system", ["Be brief."]), Message("user", parts)],
        temperature=0.2,
        max_tokens=300,
        response_schema=schema,
    )


def test_openai_responses_api_with_an_image(fake):
    reply = provider("openai", fake).complete(ask("gpt-5-mini", image=True))
    assert reply.text == "echo: Describe this [images: 1]"
    assert reply.usage == {"input": 100, "output": 20, "cached": 40, "reasoning": 8}
    path, headers, body = fake.requests[-1]
    assert path == "/v1/responses"
    assert headers["authorization"] == "Bearer sk-test"
    assert body["instructions"] == "Be brief."
    assert body["max_output_tokens"] == 300 and body["temperature"] == 0.2
    image = body["input"][0]["content"][1]
    assert image == {"type": "input_image", "image_url": "data:image/png;base64," + base64.b64encode(PNG).decode()}


def test_openai_structured_output_through_text_format(fake):
    reply = provider("openai", fake).complete(ask("gpt-5-mini", schema=SCHEMA))
    assert reply.data == {"title": "Hello there", "tone": "warm"}
    fmt = fake.requests[-1][2]["text"]["format"]
    assert fmt == {"type": "json_schema", "name": "response", "schema": SCHEMA, "strict": True}


def test_anthropic_messages_api_with_an_image(fake):
    reply = provider("anthropic", fake).complete(ask("claude-haiku-4-5", image=True))
    assert reply.text == "echo: Describe this [images: 1]"
    # cache reads are counted apart from input_tokens by Anthropic; input is all of them
    assert reply.usage == {"input": 100, "output": 20, "cached": 40, "reasoning": 0}
    path, headers, body = fake.requests[-1]
    assert path == "/v1/messages"
    # the key travels as x-api-key, or as a bearer token in newer SDKs
    assert "sk-test" in (headers.get("x-api-key") or headers.get("authorization", ""))
    assert body["system"] == "Be brief." and body["max_tokens"] == 300 and body["temperature"] == 0.2
    image = body["messages"][0]["content"][1]
    assert image == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()},
    }


def test_anthropic_structured_output_through_a_forced_tool(fake):
    reply = provider("anthropic", fake).complete(ask("claude-haiku-4-5", schema=SCHEMA))
    assert reply.data == {"title": "Hello there", "tone": "warm"}
    body = fake.requests[-1][2]
    assert body["tools"][0]["input_schema"] == SCHEMA
    assert body["tool_choice"] == {"type": "tool", "name": "response"}


@pytest.mark.parametrize("name", ["openai", "anthropic"])
def test_a_429_then_success_is_retried_by_the_sdk(fake, name):
    model = f"m-{name}-status-429-once"
    reply = provider(name, fake, retries=2).complete(ask(model))
    assert reply.text.startswith("echo:")
    assert len(fake.calls_of(model)) == 2


@pytest.mark.parametrize("name", ["openai", "anthropic"])
def test_a_429_that_outlasts_the_sdk_retries_is_throttled(fake, name):
    model = f"m-{name}-status-429-once-b"
    with pytest.raises(ProviderThrottledError) as caught:
        provider(name, fake, retries=0).complete(ask(model))
    assert caught.value.code == "PROVIDER_ERROR" and caught.value.retryable
    assert "rate limited" in caught.value.detail


@pytest.mark.parametrize("name", ["openai", "anthropic"])
def test_persistent_500_is_unavailable_after_the_sdk_retries(fake, name):
    model = f"m-{name}-status-500"
    with pytest.raises(ProviderUnavailableError) as caught:
        provider(name, fake, retries=1).complete(ask(model))
    assert "500" in caught.value.detail and "down" in caught.value.detail
    assert len(fake.calls_of(model)) == 2  # the call and one SDK retry


@pytest.mark.parametrize("name", ["openai", "anthropic"])
def test_a_refusal_is_a_provider_error_not_retried(fake, name):
    model = f"m-{name}-status-400"
    with pytest.raises(ProviderError) as caught:
        provider(name, fake, retries=2).complete(ask(model))
    assert not caught.value.retryable and caught.value.status_code == 400
    assert len(fake.calls_of(model)) == 1


@pytest.mark.parametrize("name", ["openai", "anthropic"])
def test_a_timeout_is_unavailable(fake, name):
    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError) as caught:
        provider(name, fake, retries=0, timeout=0.3).complete(ask(f"m-{name}-slow"))
    assert "Timeout" in caught.value.detail
    assert time.monotonic() - started < 1.9


def test_echo_answers_offline_with_a_schema_valid_object():
    from jsonschema import validate

    echo = get_provider("echo", ProviderConfig(None, None, 0, 0))
    assert echo.complete(ask("echo-1")).text == "Hello there"
    nested = {
        "type": "object",
        "required": ["items", "n", "ok", "kind"],
        "properties": {
            "items": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/item"}},
            "n": {"type": "integer", "minimum": 3},
            "ok": {"type": "boolean"},
            "kind": {"anyOf": [{"type": "null"}, {"type": "string"}]},
        },
        "$defs": {"item": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 8}}}},
    }
    for schema in (SCHEMA, nested):
        reply = echo.complete(ask("echo-1", schema=schema))
        validate(reply.data, schema)


def test_prices_are_dated_and_unknown_models_cost_nothing_known():
    from relay.runtime.providers.prices import AS_OF, cost_usd

    assert AS_OF
    usage = {"input": 1_000_000, "cached": 400_000, "output": 100_000, "reasoning": 50_000}
    # gpt-5-mini: 600k fresh at 0.25 + 400k cached at 0.025 + 100k out at 2.00 per 1M
    assert cost_usd("gpt-5-mini", usage) == "0.36"
    assert cost_usd("claude-haiku-4-5-20251001", usage) is not None
    assert cost_usd("some-new-model", usage) is None
