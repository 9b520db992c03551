"""RunLlm (ctx.llm) with in-memory fakes: media references resolved and read once per
invocation, refusals, provider/model choice, structured output retried once, and what every
call records (usage, cost, images by sha256, large bodies apart, retention)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from relay.domain.media import Media, MediaStatus
from relay.runtime.modules.exceptions import ModuleError
from relay.runtime.providers import InvalidStructuredOutputError, LlmReply, Message, ProviderUnavailableError
from relay.runtime.services.llm import LlmConfig, LlmService
from relay.runtime.services.run_llm import RunLlm

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}


class Calls:
    def __init__(self):
        self.items = []

    def put(self, call):
        self.items.append(call)


class Storage:
    def __init__(self):
        self.json, self.images = {}, {}

    def put_json(self, key, value, retention):
        self.json[key] = (value, retention)

    def put_image_once(self, key, data, media_type, retention):
        self.images[key] = (data, retention)


class MediaRepo:
    def __init__(self, *media):
        self.media = {m.media_id: m for m in media}

    def get(self, media_id):
        return self.media.get(media_id)


class MediaStore:
    def __init__(self):
        self.reads = 0

    def read(self, key):
        self.reads += 1
        return PNG


class Scripted:
    def __init__(self, *replies):
        self.replies = list(replies)
        self.requests = []

    def complete(self, request):
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def media(media_id, user_id="usr_a", **extra):
    fields = {
        "media_id": media_id,
        "user_id": user_id,
        "filename": "p.png",
        "content_type": "image/png",
        "declared_size": 48,
        "status": MediaStatus.ready,
        "key": f"uploads/{user_id}/{media_id}/p.png",
        "retention": "1d",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    fields.update(extra)
    return Media(**fields)


@pytest.fixture
def parts():
    calls, storage, store = Calls(), Storage(), MediaStore()
    config = LlmConfig(
        keys_secret="s",
        base_urls={},
        timeout_seconds=5,
        max_retries=0,
        default_provider="echo",
        default_models={"openai": "gpt-5-mini", "anthropic": "claude-haiku-4-5", "echo": "echo-1"},
    )
    service = LlmService(
        calls,
        storage,
        MediaRepo(media("media_mine"), media("media_theirs", "usr_b"), media("media_pending", status=MediaStatus.pending)),
        store,
        None,
        config,
        keys=lambda name: {"openai_api_key": "k"},
    )
    run = SimpleNamespace(run_id="run_1", user_id="usr_a", model_preferences=None)
    return SimpleNamespace(calls=calls, storage=storage, store=store, service=service, llm=RunLlm(service, run, "corr-1"))


def test_an_image_is_read_once_per_invocation_and_recorded_by_sha256(parts):
    first = parts.llm.image("media_mine")
    assert parts.llm.image({"media_id": "media_mine"}) is first
    assert parts.store.reads == 1 and first.sha256 == hashlib.sha256(PNG).hexdigest()
    provider = Scripted(LlmReply(text="ok", usage={"input": 10, "output": 5, "cached": 0, "reasoning": 0}, body={"r": 1}))
    parts.service._providers["openai"] = ("k", provider)
    out = parts.llm.complete(
        step_id="s",
        module_index=0,
        provider="openai",
        model="gpt-5-mini",
        messages=[Message("user", ["look", first, first])],
        temperature=None,
        max_tokens=None,
        response_schema=None,
    )
    call = parts.calls.items[0]
    assert out["call_id"] == call.call_id and out["text"] == "ok"
    key = f"api-calls/images/30d/{first.sha256}"
    assert parts.storage.images == {key: (PNG, "30d")} and len(call.images) == 1
    assert call.request["messages"][0]["content"][1] == {
        "type": "image",
        "media_type": "image/png",
        "sha256": first.sha256,
        "size_bytes": len(PNG),
        "key": key,
    }
    assert call.cost_usd == "0.0000125" and call.ttl and call.status == "ok"
    assert parts.llm.totals == {"input": 10, "output": 5, "cached": 0, "reasoning": 0, "calls": 1, "cost_usd": "0.0000125"}


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("media_theirs", "not found"),
        ("media_pending", "not ready"),
        ("media_nothing", "not found"),
        ("tpl_abc", "neither"),
        (42, "not int"),
        ({"other": 1}, "media_id or artifact_id"),
    ],
)
def test_media_refs_that_name_no_usable_image_are_refused(parts, ref, says):
    with pytest.raises(ModuleError) as caught:
        parts.llm.image(ref)
    assert caught.value.code == "INVALID_MEDIA_REF"
    assert says.replace("not int", "int") in caught.value.detail


def test_preferences_then_server_defaults_choose(parts):
    assert parts.llm.choose(None, None) == ("echo", "echo-1")
    assert parts.llm.choose("openai", None) == ("openai", "gpt-5-mini")
    parts.llm._run.model_preferences = {"default_provider": "anthropic", "default_model": "claude-x"}
    assert parts.llm.choose(None, None) == ("anthropic", "claude-x")
    assert parts.llm.choose("openai", None) == ("openai", "gpt-5-mini")  # the preferred model is anthropic's
    assert parts.llm.choose(None, "m") == ("anthropic", "m")


def test_a_reply_that_does_not_fit_is_asked_again_once(parts):
    bad = LlmReply(text="{}", data={}, usage={"input": 1, "output": 1, "cached": 0, "reasoning": 0})
    good = LlmReply(text='{"a": "x"}', data={"a": "x"}, usage={"input": 1, "output": 1, "cached": 0, "reasoning": 0})
    parts.service._providers["openai"] = ("k", Scripted(bad, good))
    kwargs = {
        "step_id": "s",
        "module_index": 0,
        "provider": "openai",
        "model": "unpriced",
        "messages": [Message("user", ["q"])],
        "temperature": None,
        "max_tokens": None,
        "response_schema": SCHEMA,
    }
    assert parts.llm.complete(**kwargs)["data"] == {"a": "x"}
    assert [(c.status, c.attempt, c.cost_usd) for c in parts.calls.items] == [("invalid_output", 1, None), ("ok", 2, None)]
    assert parts.llm.totals["unpriced_calls"] == 2
    parts.service._providers["openai"] = ("k", Scripted(bad, bad))
    with pytest.raises(InvalidStructuredOutputError) as caught:
        parts.llm.complete(**kwargs)
    assert caught.value.code == "INVALID_LLM_OUTPUT" and "'a' is a required property" in caught.value.detail


def test_a_failed_call_is_recorded_kept_and_raised(parts):
    parts.service._providers["openai"] = ("k", Scripted(ProviderUnavailableError("openai: 500 down", status_code=500)))
    image = parts.llm.image("media_mine")
    with pytest.raises(ProviderUnavailableError):
        parts.llm.complete(
            step_id="s",
            module_index=0,
            provider="openai",
            model="gpt-5-mini",
            messages=[Message("user", [image])],
            temperature=None,
            max_tokens=None,
            response_schema=None,
        )
    call = parts.calls.items[0]
    assert call.status == "error" and call.ttl is None and call.response is None
    assert (call.error.code, call.error.status_code) == ("PROVIDER_ERROR", 500)
    assert list(parts.storage.images.values()) == [(PNG, "keep")]


def test_large_bodies_go_to_storage_whole(parts):
    long = "x" * 40_000
    parts.service._providers["openai"] = ("k", Scripted(LlmReply(text=long, body={"text": long})))
    parts.llm.complete(
        step_id="s",
        module_index=0,
        provider="openai",
        model="gpt-5-mini",
        messages=[Message("user", [long])],
        temperature=None,
        max_tokens=None,
        response_schema=None,
    )
    call = parts.calls.items[0]
    assert call.request is None and call.response is None
    assert parts.storage.json[call.request_key][0]["messages"][0]["content"][0]["text"] == long
    assert parts.storage.json[call.response_key] == ({"text": long}, "30d")


def test_a_provider_without_a_key_is_not_configured(parts):
    with pytest.raises(ModuleError) as caught:
        parts.service.provider("anthropic")
    assert caught.value.code == "PROVIDER_NOT_CONFIGURED"
