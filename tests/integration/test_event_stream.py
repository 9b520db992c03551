"""GET /v1/runs/{id}/events/stream through the local cloud: Server-Sent Events of a run's
events, resumed with Last-Event-ID across short streams (EventStreamSeconds is 0.5 s in the
tests), each ending within its bound; the same gapless sequence for many concurrent followers
of a run that pauses and is answered meanwhile; bad positions, other tenants."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from documents import greeting, module, step, workflow
from polling import wait_for_status
from problems import assert_problem
from sse import Stream, follow, parse, read

BOUND = 0.5  # EventStreamSeconds in conftest
POLL = 1.0  # RELAY_EVENT_STREAM_POLL_SECONDS' default
# A stream polls once more after its time is up at most: bound + a poll, plus HTTP and moto.
CLOSES_WITHIN = BOUND + POLL + 2.0


def _start(client, wf):
    response = client.post("/v1/runs", json={"workflow": wf, "project_name": "stream"})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def _completed_run(client):
    wf = workflow(
        "streamed",
        step("a", module("transform.format", {"template": "x"}, value="x")),
        step("b", module("transform.format", {"template": "y"}, value="y")),
    )
    run_id = _start(client, wf)
    wait_for_status(client, run_id, "completed")
    return run_id


def _listed(client, run_id):
    return client.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]


def test_a_finished_runs_stream_sends_every_event_in_order_then_end(client):
    run_id = _completed_run(client)
    stream = read(client, run_id)
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
    assert stream.retry == 1000
    listed = _listed(client, run_id)
    assert [m["id"] for m in stream.events] == [e["seq"] for e in listed] == list(range(1, len(listed) + 1))
    assert [m["data"] for m in stream.events] == listed  # each message is the event as /events lists it
    assert [m["event"] for m in stream.events] == [e["event_type"] for e in listed]
    assert stream.end == {"run_id": run_id, "status": "completed", "last_event_id": len(listed)}
    assert stream.seconds < CLOSES_WITHIN


def test_last_event_id_resumes_after_it_and_wins_over_after(client):
    run_id = _completed_run(client)
    total = len(_listed(client, run_id))
    resumed = read(client, run_id, 3, after=1)  # a reconnecting EventSource sends the URL's ?after again
    assert [m["id"] for m in resumed.events] == list(range(4, total + 1))
    assert [m["id"] for m in read(client, run_id, after=total - 1).events] == [total]
    at_end = read(client, run_id, total)
    assert at_end.events == [] and at_end.end["status"] == "completed"


def test_a_live_stream_closes_within_its_bound_and_says_how_to_resume(client):
    run_id = _start(client, greeting("stream-paused"))
    wait_for_status(client, run_id, "awaiting_input")
    last = len(_listed(client, run_id))
    stream = read(client, run_id, last)
    assert stream.status == 200 and stream.events == [] and stream.end is None
    assert stream.seconds < CLOSES_WITHIN
    assert stream.comments == [f"time is up; reconnect with Last-Event-ID: {last}"]
    shorter = read(client, run_id, last, wait=0)  # ?wait= shortens the bound: one poll
    assert shorter.comments and shorter.seconds < CLOSES_WITHIN


def test_many_followers_of_a_run_answered_meanwhile_see_one_gapless_sequence(make_client):
    """Eight clients follow one run (each reconnecting with Last-Event-ID after every short
    stream) while its owner answers its two pauses as the stream shows them asked."""
    owner = make_client()
    run_id = _start(owner, greeting("stream-live"))
    answers = {"ask": "Ada", "pick": "warm"}
    answered: set[str] = set()
    lock = threading.Lock()

    def answer(message):
        if message["event"] != "input_requested":
            return
        step_id = message["data"]["step_id"]
        with lock:
            if step_id in answered:
                return
            answered.add(step_id)
        response = owner.post(f"/v1/runs/{run_id}/input", json={"step_id": step_id, "value": answers[step_id]})
        assert response.status_code == 202, response.text

    with ThreadPoolExecutor(8) as pool:
        followed = list(pool.map(lambda i: follow(owner, run_id, on_event=answer if i == 0 else None), range(8)))
    listed = _listed(owner, run_id)
    assert listed[-1]["event_type"] == "run_completed"
    for seen, streams in followed:
        assert [m["id"] for m in seen] == [e["seq"] for e in listed] == list(range(1, len(listed) + 1))
        assert [m["data"] for m in seen] == listed
        assert len(streams) >= 2 and all(s.seconds < CLOSES_WITHIN for s in streams)
        assert streams[-1].end["status"] == "completed"


@pytest.mark.parametrize("header", ["abc", "-1", "1.5", "99999"])
def test_a_bad_last_event_id_is_a_400(client, header):
    run_id = _completed_run(client)
    response = client.get(f"/v1/runs/{run_id}/events/stream", headers={"Last-Event-ID": header})
    assert_problem(response, 400, "INVALID_LAST_EVENT_ID")


def test_after_past_the_last_event_is_a_400_and_a_negative_one_invalid(client):
    run_id = _completed_run(client)
    assert_problem(client.get(f"/v1/runs/{run_id}/events/stream", params={"after": 99999}), 400, "INVALID_LAST_EVENT_ID")
    assert_problem(client.get(f"/v1/runs/{run_id}/events/stream", params={"after": -1}), 400, "INVALID_REQUEST")


def test_another_tenants_run_is_404_and_no_key_is_401(client, make_client, api_url):
    run_id = _completed_run(client)
    other = make_client()
    assert_problem(other.get(f"/v1/runs/{run_id}/events/stream"), 404, "NOT_FOUND")
    assert_problem(other.get("/v1/runs/run_doesnotexist/events/stream"), 404, "NOT_FOUND")
    assert_problem(httpx.get(f"{api_url}/v1/runs/{run_id}/events/stream"), 401, "MISSING_API_KEY")


def _lambda_event(path: str, key: str, headers: dict | None = None) -> dict:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"authorization": f"Bearer {key}", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "local.execute-api.us-east-1.amazonaws.com",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "req-sse",
            "routeKey": "$default",
            "stage": "$default",
            "time": "21/Nov/2026:12:00:00 +0000",
            "timeEpoch": 0,
        },
        "isBase64Encoded": False,
    }


def test_on_lambda_the_stream_arrives_whole_when_it_closes(cloud, relay, client):
    """The API function (Mangum, as API Gateway invokes it) buffers the stream: one response
    with every message, returned when the stream closes (the run ended, or its time is up)."""
    function = cloud.deployment.function("relay-ApiFunction")
    _, key = relay.users.create_user(f"sse-lambda-{time.time_ns()}", f"sse{time.time_ns()}@example.com")
    owner = httpx.Client(base_url=client.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    run_id = _completed_run(owner)
    total = len(_listed(owner, run_id))

    payload, error = cloud.runner.invoke(function, _lambda_event(f"/v1/runs/{run_id}/events/stream", key, {"last-event-id": "2"}))
    assert error is None
    response = json.loads(payload)
    assert response["statusCode"] == 200 and response["headers"]["content-type"].startswith("text/event-stream")
    stream = Stream(200, "text/event-stream")
    parse(response["body"], stream)
    assert [m["id"] for m in stream.events] == list(range(3, total + 1))
    assert stream.end["status"] == "completed"

    paused = _start(owner, greeting("stream-lambda-paused"))
    wait_for_status(owner, paused, "awaiting_input")
    started = time.monotonic()
    payload, error = cloud.runner.invoke(function, _lambda_event(f"/v1/runs/{paused}/events/stream", key))
    response = json.loads(payload)
    assert response["statusCode"] == 200 and time.monotonic() - started < CLOSES_WITHIN
    stream = Stream(200, "text/event-stream")
    parse(response["body"], stream)
    assert [m["id"] for m in stream.events] == list(range(1, len(_listed(owner, paused)) + 1))
    assert stream.end is None and stream.comments[-1].startswith("time is up")
    owner.close()
