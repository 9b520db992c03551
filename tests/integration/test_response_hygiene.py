"""Issue 15, items 2 and 3: no AWS resource names in any answer (the execution ARN stays in
the run's record), `X-Content-Type-Options: nosniff` on every response and
`Cache-Control: no-store` on every answer that is not a public document — successes, errors,
404s, the event stream, the one-time API key."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx

from documents import greeting, module, step, workflow
from executions import execution_arn
from media_helpers import PNG, create
from polling import wait_for_status

_AWS_NAMES = ("arn:aws", ":stateMachine:", ":execution:")


def _assert_no_aws_names(value: Any, where: str) -> None:
    """Walk the JSON: no `execution_arn` key, and no string that names an AWS resource."""
    if isinstance(value, dict):
        assert "execution_arn" not in value, where
        for key, item in value.items():
            _assert_no_aws_names(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _assert_no_aws_names(item, f"{where}[{i}]")
    elif isinstance(value, str):
        assert not any(name in value for name in _AWS_NAMES), (where, value)


def _retried_run(client, relay) -> str:
    """A run that failed, was retried and failed again: it has a second execution."""
    media = create(client, PNG)  # never uploaded: the llm step fails every time
    wf = workflow(
        "hygiene-fail",
        step(
            "s",
            module(
                "api.llm",
                {
                    "provider": "echo",
                    "messages": [{"role": "user", "content": [{"type": "media_ref", "content": media["media_id"]}]}],
                },
                text="t",
            ),
        ),
    )
    run = client.post("/v1/runs", json={"workflow": wf}).json()
    assert wait_for_status(client, run["run_id"], "error")["status"] == "error"
    assert client.post(f"/v1/runs/{run['run_id']}/retry").status_code == 200
    wait_for_status(client, run["run_id"], "error")
    assert execution_arn(relay, run["run_id"]).endswith(run["run_id"] + "-g2")  # kept in the record
    return run["run_id"]


def test_no_answer_names_the_execution(make_client, relay):
    admin = make_client(admin=True)  # an admin sees no more than anyone
    paused_id = admin.post("/v1/runs", json={"workflow": greeting("hygiene-wait")}).json()["run_id"]
    wait_for_status(admin, paused_id, "awaiting_input")
    retried_id = _retried_run(admin, relay)

    answers = {
        "start": admin.post("/v1/runs", json={"template_name": "hygiene-wait"}),
        "run": admin.get(f"/v1/runs/{paused_id}"),
        "retried run": admin.get(f"/v1/runs/{retried_id}"),
        "list": admin.get("/v1/runs"),
        "list by status": admin.get("/v1/runs", params={"status": "awaiting_input"}),
        "search": admin.get("/v1/runs", params={"q": "hygiene"}),
        "approvals": admin.get("/v1/approvals"),
        "events": admin.get(f"/v1/runs/{retried_id}/events", params={"limit": 500}),
        "branches": admin.get(f"/v1/runs/{paused_id}/branches"),
        "compare": admin.get("/v1/runs/compare", params={"a": paused_id, "b": retried_id}),
        "logs": admin.get(f"/v1/runs/{retried_id}/logs"),
        "answer": admin.post(f"/v1/runs/{paused_id}/input", json={"step_id": "ask", "value": "Ada"}),
        "cancel": admin.post(f"/v1/runs/{paused_id}/cancel"),
    }
    for name, response in answers.items():
        assert response.status_code < 300, (name, response.status_code, response.text[:300])
        _assert_no_aws_names(response.json(), name)
    retry_event = next(e for e in answers["events"].json()["items"] if e["event_type"] == "run_retried")
    assert retry_event["data"]["execution"] == f"{retried_id}-g2"  # the name operators look it up by

    with admin.stream("GET", f"/v1/runs/{retried_id}/events/stream") as stream:
        text = "".join(stream.iter_text())
    frames = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert frames and not any(name in text for name in ("execution_arn", *_AWS_NAMES))

    exported = admin.get(f"/v1/runs/{retried_id}/export").json()
    with zipfile.ZipFile(io.BytesIO(httpx.get(exported["download_url"], timeout=10).content)) as archive:
        _assert_no_aws_names(json.loads(archive.read("metadata.json")), "export")


def _assert_headers(response: httpx.Response, *, no_store: bool = True) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", (response.url, dict(response.headers))
    assert (response.headers.get("cache-control") == "no-store") is no_store, (response.url, dict(response.headers))


def test_security_headers_on_every_kind_of_answer(make_client, api_url):
    client, admin = make_client(), make_client(admin=True)
    anonymous = httpx.Client(base_url=api_url, timeout=30)
    run_id = client.post("/v1/runs", json={"workflow": greeting("hygiene-headers")}).json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input")

    created = admin.post("/v1/admin/users", json={"username": "keyholder", "email": "keyholder@example.com"})
    assert created.status_code == 201 and created.json()["api_key"].startswith("rk_")
    _assert_headers(created)  # the one-time key is never cached
    media = client.post("/v1/media", json={"filename": "p.png", "content_type": "image/png", "size_bytes": 10})
    assert media.status_code == 201
    _assert_headers(media)  # a presigned form
    for response in (
        client.get("/v1/runs"),
        client.get(f"/v1/runs/{run_id}"),
        client.get("/v1/runs/run_doesnotexist0000000"),  # 404 problem
        client.get("/v1/nothing/here"),  # no route
        client.post("/v1/runs", json={"bogus": 1}),  # 400/422 problem
        client.post("/v1/runs", content=b"{", headers={"content-type": "application/json"}),
        client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "x"}),  # 409
        anonymous.get("/v1/runs"),  # 401
        client.get("/healthz"),  # with credentials: not cacheable either
        client.get("/openapi.json"),
    ):
        assert response.status_code != 500, response.text
        _assert_headers(response)
    for public in ("/openapi.json", "/healthz", "/docs"):
        response = anonymous.get(public)
        assert response.status_code == 200
        _assert_headers(response, no_store=False)

    with client.stream("GET", f"/v1/runs/{run_id}/events/stream") as stream:
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        _assert_headers(stream)
        assert stream.headers.get_list("cache-control") == ["no-store"]  # replaces the stream's no-cache
        assert any(line.startswith("data: ") for line in stream.iter_lines())  # still streams
    anonymous.close()
