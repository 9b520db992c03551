"""api.llm through the local cloud: runs whose steps call the fake OpenAI and Anthropic
servers with the real SDKs (keys from the template's secret, base URLs from its parameters),
and echo offline; the api-call records over the API; PROVIDER_ERROR; tenancy."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import boto3
import pytest

from documents import module, step, workflow
from media_helpers import PNG, create, upload, wait_for_media
from polling import wait_for_status
from problems import assert_problem

SCHEMA = {
    "type": "object",
    "properties": {"title": {"type": "string", "minLength": 5}, "mood": {"enum": ["calm", "bright"]}},
    "required": ["title", "mood"],
    "additionalProperties": False,
}


def _run(client, wf, timeout=30, **body):
    response = client.post("/v1/runs", json={"workflow": wf, **body})
    assert response.status_code == 201, response.text
    return wait_for_status(client, response.json()["run_id"], "completed", "error", timeout=timeout)


def _ready_media(client):
    created = create(client, PNG)
    assert upload(created, PNG).status_code == 204
    return wait_for_media(client, created["media_id"], "ready")["media_id"]


def test_openai_with_an_uploaded_image_then_anthropic_structured_then_echo(client, fake_providers, relay):
    media_id = _ready_media(client)
    wf = workflow(
        "llm-mixed",
        step(
            "describe",
            module(
                "api.llm",
                {
                    "provider": "openai",
                    "model": "gpt-5-mini",
                    "messages": [
                        {"role": "system", "content": "Describe pictures."},
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": "What is in it?"},
                                {"type": "media_ref", "content": "$state.picture"},
                                {"type": "media_ref", "content": media_id},
                            ],
                        },
                    ],
                    "max_tokens": 200,
                },
                text="description",
                usage="describe_usage",
                call_id="describe_call",
            ),
        ),
        step(
            "title",
            module(
                "api.llm",
                {
                    "provider": "anthropic",
                    "model": "claude-haiku-4-5",
                    "messages": [{"role": "user", "content": "$state.description"}],
                    "response_schema": SCHEMA,
                },
                data="title",
            ),
            module(
                "api.llm",
                {"provider": "echo", "messages": [{"role": "user", "content": "hi"}], "response_schema": SCHEMA},
                data="echoed",
            ),
        ),
    )
    run = _run(client, wf, inputs={"picture": media_id})
    assert run["status"] == "completed", run.get("error")
    state = run["state"]
    assert state["description"] == "echo: What is in it? [images: 2]"
    assert state["describe_usage"] == {"input": 100, "output": 20, "cached": 40, "reasoning": 8}
    assert state["title"]["mood"] == "calm" and len(state["title"]["title"]) >= 5
    assert state["echoed"] == {"title": "hixxx", "mood": "calm"}

    # The image was read once and sent twice, as base64 in OpenAI's own format.
    body = fake_providers.calls_of("gpt-5-mini")[-1]
    images = [p for p in body["input"][0]["content"] if p["type"] == "input_image"]
    assert len(images) == 2 and images[0]["image_url"].startswith("data:image/png;base64,")

    calls = client.get(f"/v1/runs/{run['run_id']}/api-calls").json()["items"]
    assert [(c["provider"], c["model"], c["step_id"], c["status"]) for c in calls] == [
        ("openai", "gpt-5-mini", "describe", "ok"),
        ("anthropic", "claude-haiku-4-5", "title", "ok"),
        ("echo", "echo-1", "title", "ok"),
    ]
    first = calls[0]
    assert first["call_id"] == state["describe_call"]
    assert first["cost_usd"] == "0.000056"  # (60 fresh x 0.25 + 40 cached x 0.025 + 20 out x 2.00) / 1M
    assert first["prices_as_of"] and first["expires_at"] and first["duration_ms"] >= 0
    assert calls[1]["cost_usd"] is not None and calls[1]["usage"]["cached"] == 40

    detail = client.get(f"/v1/runs/{run['run_id']}/api-calls/{first['call_id']}").json()
    sha = hashlib.sha256(PNG).hexdigest()
    parts = detail["request"]["messages"][1]["content"]
    assert parts[1] == {
        "type": "image",
        "media_type": "image/png",
        "sha256": sha,
        "size_bytes": len(PNG),
        "key": f"api-calls/images/30d/{sha}",
    }
    assert detail["images"] == [
        {"sha256": sha, "media_type": "image/png", "size_bytes": len(PNG), "key": f"api-calls/images/30d/{sha}"}
    ]
    assert detail["response"]["output"][0]["content"][0]["text"] == state["description"]
    s3 = boto3.client("s3")
    bucket = relay.settings.artifacts_bucket
    assert s3.get_object(Bucket=bucket, Key=f"api-calls/images/30d/{sha}")["Body"].read() == PNG
    tags = s3.get_object_tagging(Bucket=bucket, Key=f"api-calls/images/30d/{sha}")["TagSet"]
    assert tags == [{"Key": "relay:retention", "Value": "30d"}]

    usage = client.get(f"/v1/runs/{run['run_id']}").json()["llm_usage"]
    assert usage["calls"] == 3
    for kind in ("input", "output", "cached", "reasoning"):
        assert usage[kind] == sum(c["usage"][kind] for c in calls)
    assert usage["cached"] == 80 and usage["reasoning"] == 8
    assert Decimal(usage["cost_usd"]) == sum(Decimal(c["cost_usd"]) for c in calls)


def test_large_bodies_go_to_s3_whole(client, relay):
    long_text = "word " * 8000  # 40 kB: over the inline limit
    run = _run(
        client,
        workflow(
            "llm-large",
            step(
                "s",
                module(
                    "api.llm",
                    {"provider": "openai", "model": "gpt-5-mini", "messages": [{"role": "user", "content": long_text}]},
                    text="out",
                ),
            ),
        ),
    )
    assert run["status"] == "completed", run.get("error")
    call = client.get(f"/v1/runs/{run['run_id']}/api-calls").json()["items"][0]
    detail = client.get(f"/v1/runs/{run['run_id']}/api-calls/{call['call_id']}").json()
    assert detail["request"]["messages"][0]["content"][0]["text"] == long_text
    stored = relay.api_call_repository.get(run["run_id"], call["call_id"])
    assert stored.request is None and stored.request_key == f"api-calls/{run['run_id']}/{call['call_id']}/request.json"


def test_model_preferences_choose_for_modules_that_name_none(client, fake_providers):
    wf = workflow("llm-prefs", step("s", module("api.llm", {"messages": [{"role": "user", "content": "pick"}]}, text="t")))
    run = _run(client, wf, model_preferences={"default_provider": "anthropic", "default_model": "claude-prefs-model"})
    assert run["status"] == "completed", run.get("error")
    assert run["model_preferences"] == {"default_provider": "anthropic", "default_model": "claude-prefs-model"}
    assert fake_providers.calls_of("claude-prefs-model")
    # None given: the server's default (echo)
    run = _run(client, wf)
    assert run["state"]["t"] == "pick"


def test_a_reply_that_does_not_fit_the_schema_is_retried_once_then_fails(client):
    ok = _run(
        client,
        workflow(
            "llm-invalid-once",
            step(
                "s",
                module(
                    "api.llm",
                    {
                        "provider": "openai",
                        "model": "m-invalid-once",
                        "messages": [{"role": "user", "content": "x"}],
                        "response_schema": SCHEMA,
                    },
                    data="d",
                ),
            ),
        ),
    )
    assert ok["status"] == "completed", ok.get("error")
    statuses = [c["status"] for c in client.get(f"/v1/runs/{ok['run_id']}/api-calls").json()["items"]]
    assert statuses == ["invalid_output", "ok"]

    bad = _run(
        client,
        workflow(
            "llm-invalid",
            step(
                "s",
                module(
                    "api.llm",
                    {
                        "provider": "anthropic",
                        "model": "m-invalid",
                        "messages": [{"role": "user", "content": "x"}],
                        "response_schema": SCHEMA,
                    },
                    data="d",
                ),
            ),
        ),
    )
    assert bad["status"] == "error" and bad["error"]["code"] == "INVALID_LLM_OUTPUT"
    assert "twice" in bad["error"]["message"]


def test_persistent_500_ends_the_run_with_provider_error(client, fake_providers):
    model = "m-status-500-run"
    run = _run(
        client,
        workflow(
            "llm-500",
            step(
                "s",
                module(
                    "api.llm", {"provider": "openai", "model": model, "messages": [{"role": "user", "content": "x"}]}, text="t"
                ),
            ),
        ),
        timeout=90,
    )
    assert run["status"] == "error"
    assert run["error"]["code"] == "PROVIDER_ERROR"
    assert "500" in run["error"]["message"] and "the fake provider is down" in run["error"]["message"]
    # SDK retries (1) within each of Step Functions' attempts (1 + 4 retries)
    assert len(fake_providers.calls_of(model)) == 2 * 5
    calls = client.get(f"/v1/runs/{run['run_id']}/api-calls?limit=100").json()["items"]
    assert len(calls) == 5 and {c["status"] for c in calls} == {"error"}
    paged, cursor = [], None
    while True:  # pages of 2, oldest first, by opaque cursor
        page = client.get(
            f"/v1/runs/{run['run_id']}/api-calls", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        paged += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [c["call_id"] for c in paged] == [c["call_id"] for c in calls]
    assert [c["started_at"] for c in calls] == sorted(c["started_at"] for c in calls)
    assert all(c["expires_at"] is None and c["error"]["status_code"] == 500 for c in calls)  # errors are kept


@pytest.mark.parametrize("call_before", [False, True])
def test_throttling_that_outlasts_the_sdk_is_retried(client, fake_providers, call_before):
    """ProviderMaxRetries is 1 here: the first call and its SDK retry are both 429, so
    ProviderThrottledError leaves the module, and the third request succeeds. Alone in its
    invocation, the error leaves RunStep and the state machine's Retry runs it again; after an
    echo call that completed, RunStep first commits that (continue) and the next RunStep starts
    at the throttled call, so the echo call is not repeated."""
    model = f"m-status-429-twice-{call_before}"
    modules = [
        module("api.llm", {"provider": "anthropic", "model": model, "messages": [{"role": "user", "content": "x"}]}, text="t")
    ]
    if call_before:
        modules.insert(
            0, module("api.llm", {"provider": "echo", "messages": [{"role": "user", "content": "before"}]}, text="before")
        )
    run = _run(client, workflow(f"llm-429-{str(call_before).lower()}", step("s", *modules)), timeout=60)
    assert run["status"] == "completed", run.get("error")
    assert run["state"]["t"] == "echo: x [images: 0]"
    assert len(fake_providers.calls_of(model)) == 3
    calls = client.get(f"/v1/runs/{run['run_id']}/api-calls").json()["items"]
    expected = [("anthropic", "error"), ("anthropic", "ok")]
    assert [(c["provider"], c["status"]) for c in calls] == ([("echo", "ok")] if call_before else []) + expected
    assert calls[-2]["error"]["status_code"] == 429
    # A retried invocation commits nothing, so only what a commit carried is in the totals. api.llm
    # is long-running: RunStep commits the echo call before the throttled call starts, which is
    # then alone in its (uncommitted) invocation either way.
    assert run["llm_usage"]["calls"] == (2 if call_before else 1)


def test_a_refusal_fails_at_once_and_a_bad_media_ref_is_clear(client, make_client):
    run = _run(
        client,
        workflow(
            "llm-400",
            step(
                "s",
                module(
                    "api.llm",
                    {"provider": "anthropic", "model": "m-status-400", "messages": [{"role": "user", "content": "x"}]},
                    text="t",
                ),
            ),
        ),
    )
    assert run["error"]["code"] == "PROVIDER_ERROR" and "refuses" in run["error"]["message"]

    other = make_client()
    theirs = _ready_media(other)
    run = _run(
        client,
        workflow(
            "llm-badref",
            step(
                "s",
                module(
                    "api.llm",
                    {"provider": "echo", "messages": [{"role": "user", "content": [{"type": "media_ref", "content": theirs}]}]},
                    text="t",
                ),
            ),
        ),
    )
    assert run["error"]["code"] == "INVALID_MEDIA_REF"


def test_another_users_api_calls_are_not_found(client, make_client):
    run = _run(
        client,
        workflow(
            "llm-mine",
            step("s", module("api.llm", {"provider": "echo", "messages": [{"role": "user", "content": "x"}]}, call_id="c")),
        ),
    )
    call_id = run["state"]["c"]
    other = make_client()
    assert_problem(other.get(f"/v1/runs/{run['run_id']}/api-calls"), 404, "NOT_FOUND")
    assert_problem(other.get(f"/v1/runs/{run['run_id']}/api-calls/{call_id}"), 404, "NOT_FOUND")
    assert_problem(client.get(f"/v1/runs/{run['run_id']}/api-calls/call_nothere"), 404, "NOT_FOUND")
    assert client.get(f"/v1/runs/{run['run_id']}/api-calls/{call_id}").status_code == 200
