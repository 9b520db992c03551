"""SecurityHeaders (issue 15, item 3) on the app create_app builds, without AWS: nosniff on
every response, no-store on all but the public documents asked anonymously — an unhandled
error's 500 and a 405 included, and a streamed body still streamed."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from fastapi.testclient import TestClient

from relay.api import create_app
from relay.api.headers import SecurityHeaders


class Broken:
    def authenticate(self, api_key):
        raise RuntimeError("secret internals")


def test_an_unhandled_error_and_a_405_carry_the_headers():
    with TestClient(create_app(SimpleNamespace(users=Broken())), raise_server_exceptions=False) as client:
        failed = client.get("/v1/templates", headers={"Authorization": "Bearer rk_whatever_long_enough"})
        not_allowed = client.request("TRACE", "/v1/templates")
        health = client.get("/healthz")
    assert failed.status_code == 500 and not_allowed.status_code == 405
    for response in (failed, not_allowed):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    assert health.headers["x-content-type-options"] == "nosniff" and "cache-control" not in health.headers


def test_headers_replace_the_apps_own_and_the_body_is_passed_through_as_sent():
    sent: list[dict] = []

    async def streaming_app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"cache-control", b"no-cache"), (b"X-Content-Type-Options", b"sniff-away")],
            }
        )
        for part in (b"data: 1\n\n", b"data: 2\n\n"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "path": "/v1/runs/run_a/events/stream", "headers": [(b"authorization", b"Bearer x")]}
    asyncio.run(SecurityHeaders(streaming_app)(scope, receive, send))
    assert sent[0]["headers"] == [(b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]
    assert [m.get("body") for m in sent[1:]] == [b"data: 1\n\n", b"data: 2\n\n", b""]  # each part as it came


def test_public_documents_asked_with_credentials_are_not_cacheable():
    with TestClient(create_app(SimpleNamespace(users=Broken()))) as client:
        response = client.get("/healthz", headers={"Authorization": "Bearer rk_x"})
    assert response.headers["cache-control"] == "no-store"
