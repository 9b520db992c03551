"""The SDK's HTTP layer against httpx.MockTransport: problems as typed errors, retries with
backoff on 429/503/connection errors honouring Retry-After, and never a retry of a
non-idempotent call without its Idempotency-Key."""

from __future__ import annotations

import json

import httpx
import pytest

from relay_client import Relay, RelayAPIError, RelayConnectionError, RetryPolicy
from relay_client.exceptions import AuthenticationError, NotFoundError, VersionMismatchError
from relay_client.transport import Transport, retry_after_seconds

RUN = {"run_id": "run_1", "status": "running"}


def problem(status: int, code: str, detail: str = "d") -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": "about:blank", "title": "T", "status": status, "detail": detail, "code": code},
        headers={"content-type": "application/problem+json"},
    )


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def relay_with(recorder: Recorder, sleeps: list[float] | None = None) -> Relay:
    relay = Relay("http://api.test", "rk_secret_key", transport=httpx.MockTransport(recorder))
    relay.transport._sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return relay


def test_a_problem_becomes_an_error_with_code_status_title_detail():
    relay = relay_with(Recorder(problem(404, "NOT_FOUND", "no run run_x")))
    with pytest.raises(NotFoundError) as caught:
        relay.runs.get("run_x")
    error = caught.value
    assert (error.code, error.status, error.title, error.detail) == ("NOT_FOUND", 404, "T", "no run run_x")
    assert isinstance(error, RelayAPIError)


def test_401_is_an_authentication_error_and_the_key_is_sent_as_bearer():
    recorder = Recorder(problem(401, "INVALID_API_KEY"))
    with pytest.raises(AuthenticationError):
        relay_with(recorder).runs.get("run_1")
    assert recorder.requests[0].headers["authorization"] == "Bearer rk_secret_key"


def test_a_non_json_error_body_still_gives_a_problem():
    relay = relay_with(Recorder(httpx.Response(502, text="Bad Gateway upstream")))
    relay.transport.retry = RetryPolicy(attempts=1)
    with pytest.raises(RelayAPIError) as caught:
        relay.runs.get("run_1")
    assert caught.value.status == 502 and "Bad Gateway upstream" in caught.value.detail


def test_get_is_retried_on_503_waiting_at_least_retry_after():
    sleeps: list[float] = []
    recorder = Recorder(
        httpx.Response(503, headers={"Retry-After": "2"}, json={"code": "SERVICE_UNAVAILABLE"}),
        httpx.Response(429, json={"code": "THROTTLED"}),
        httpx.Response(200, json=RUN),
    )
    assert relay_with(recorder, sleeps).runs.get("run_1") == RUN
    assert len(recorder.requests) == 3
    assert sleeps[0] >= 2.0 and 0 <= sleeps[1] <= RetryPolicy().base_seconds * 2


def test_connection_errors_are_retried_then_reported():
    sleeps: list[float] = []
    recorder = Recorder(*[httpx.ConnectError("refused")] * 5)
    with pytest.raises(RelayConnectionError) as caught:
        relay_with(recorder, sleeps).runs.get("run_1")
    assert len(recorder.requests) == 5 and len(sleeps) == 4
    assert caught.value.code == "CONNECTION_ERROR"


def test_backoff_is_exponential_with_full_jitter_and_capped():
    policy = RetryPolicy(base_seconds=0.5, max_seconds=4)
    assert [policy.delay(n, None, rand=lambda: 1.0) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.delay(3, None, rand=lambda: 0.0) == 0.0
    assert policy.delay(0, 100.0, rand=lambda: 0.0) == policy.max_retry_after


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_start_carries_an_idempotency_key_and_is_retried_with_the_same_key():
    recorder = Recorder(
        httpx.Response(503, json={"code": "SERVICE_UNAVAILABLE"}), httpx.ConnectError("reset"), httpx.Response(201, json=RUN)
    )
    assert relay_with(recorder).runs.start(template_name="greeting") == RUN
    keys = {r.headers["idempotency-key"] for r in recorder.requests}
    assert len(recorder.requests) == 3 and len(keys) == 1 and keys.pop().startswith("relay-client-")


def test_a_non_idempotent_post_without_a_key_is_never_retried():
    recorder = Recorder(httpx.Response(503, json={"code": "SERVICE_UNAVAILABLE"}), httpx.Response(200, json=RUN))
    with pytest.raises(RelayAPIError) as caught:
        relay_with(recorder).runs.answer("run_1", "ask", "Ada")
    assert caught.value.status == 503 and len(recorder.requests) == 1
    recorder = Recorder(httpx.ConnectError("reset"), httpx.Response(200, json=RUN))
    with pytest.raises(RelayConnectionError):
        relay_with(recorder).runs.cancel("run_1")
    assert len(recorder.requests) == 1


def test_resume_with_a_choice_confirms_the_version_mismatch():
    mismatch = httpx.Response(
        409,
        json={
            "code": "VERSION_MISMATCH",
            "title": "Conflict",
            "detail": "other version",
            "current_version": "ver_a",
            "submitted_version": "ver_b",
            "options": ["continue_with_new", "continue_with_original", "start_fresh"],
        },
    )
    recorder = Recorder(mismatch, httpx.Response(200, json=RUN))
    assert relay_with(recorder).runs.resume("run_1", version_id="ver_b", on_mismatch="continue_with_new") == RUN
    assert json.loads(recorder.requests[1].content) == {"choice": "continue_with_new", "version_id": "ver_b"}
    with pytest.raises(VersionMismatchError) as caught:
        relay_with(Recorder(mismatch)).runs.resume("run_1", version_id="ver_b")
    assert caught.value.submitted_version_id == "ver_b" and "start_fresh" in caught.value.options


def test_lists_iterate_over_every_page_with_the_cursor():
    pages = Recorder(
        httpx.Response(200, json={"items": [{"run_id": "run_1"}, {"run_id": "run_2"}], "next_cursor": "c1"}),
        httpx.Response(200, json={"items": [{"run_id": "run_3"}], "next_cursor": None}),
    )
    runs = list(relay_with(pages).runs.list(status="completed", limit=10))
    assert [r["run_id"] for r in runs] == ["run_1", "run_2", "run_3"]
    assert "cursor" not in pages.requests[0].url.params and pages.requests[1].url.params["cursor"] == "c1"
    assert pages.requests[0].url.params["status"] == "completed"


def test_the_key_is_not_in_reprs():
    transport = Transport("http://api.test", "rk_secret_key")
    relay = Relay("http://api.test", "rk_secret_key")
    assert "rk_secret_key" not in repr(relay) and "rk_secret_key" not in repr(transport.retry)
    relay.close()
    transport.close()


def test_the_default_transport_builds_tls_only_for_https_and_verifies_it(monkeypatch):
    """A plain-http API never loads the CA bundle (it costs every command tens of ms); https is
    httpx's verified default; one transport per scheme, shared by the keyed and the plain client."""
    from relay_client import transport as module

    made: list[object] = []

    class Recording(httpx.HTTPTransport):
        def __init__(self, *, verify: object) -> None:
            made.append(verify)
            super().__init__(verify=verify)

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"scheme": request.url.scheme, "auth": request.headers.get("Authorization")})

    monkeypatch.setattr(module.httpx, "HTTPTransport", Recording)
    api = Transport("http://api.test", "rk_secret_key")
    assert made == []  # nothing built before a request
    assert api.json("GET", "/v1/runs") == {"scheme": "http", "auth": "Bearer rk_secret_key"}
    assert api.json("GET", "/v1/runs") == {"scheme": "http", "auth": "Bearer rk_secret_key"}
    assert made == [False]
    assert api.fetch("https://bucket.s3.test/key?X-Amz-Signature=s") == b'{"scheme":"https","auth":null}'
    assert made == [False, True]  # verified TLS for https, built once; the presigned GET carries no key
    api.close()
