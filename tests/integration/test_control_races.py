"""Concurrent control of one run, many clients at once, many times: concurrent cancels,
retries, branches, and cancels against answers. Exactly one wins, the others get a 409, the
run's events stay gapless, and at most one execution of the run is running afterwards.
`RELAY_CONTROL_TRIALS` / `RELAY_CONTROL_CLIENTS` make it a longer run."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any

import httpx

from documents import greeting, module, step, workflow
from executions import execution_arn
from media_helpers import PNG, create
from polling import wait_for_status

TRIALS = int(os.environ.get("RELAY_CONTROL_TRIALS", "5"))
CLIENTS = int(os.environ.get("RELAY_CONTROL_CLIENTS", "8"))


def _executions(relay, run_id, **status):
    """(name, status) of the run's executions, every page."""
    pages = relay.stepfunctions.get_paginator("list_executions").paginate(
        stateMachineArn=relay.settings.run_state_machine_arn, **status
    )
    return [
        (e["name"], e["status"])
        for page in pages
        for e in page["executions"]
        if e["name"] == run_id or e["name"].startswith(run_id + "-g")
    ]


def _race(client: httpx.Client, requests: list[tuple[str, str, dict[str, Any] | None]]) -> list[tuple[str, int, dict]]:
    """Send every (label, path, body) POST at the same instant, each from its own client."""
    key = client.headers["Authorization"]
    barrier = threading.Barrier(len(requests))
    results: list[tuple[str, int, dict]] = []
    lock = threading.Lock()

    def send(label: str, path: str, body: dict[str, Any] | None) -> None:
        with httpx.Client(base_url=str(client.base_url), headers={"Authorization": key}, timeout=60) as http:
            http.get("/healthz")
            barrier.wait()
            response = http.post(path, json=body) if body is not None else http.post(path)
        with lock:
            results.append((label, response.status_code, response.json()))

    threads = [threading.Thread(target=send, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _events(client, run_id):
    events, cursor = [], None
    while True:
        page = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500, **({"cursor": cursor} if cursor else {})}).json()
        events += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return events


def _check_history(client, relay, run_id):
    events = _events(client, run_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "gap or duplicate"
    deadline = time.monotonic() + 20
    while True:  # a stopped execution ends within moments; then at most one of the run's runs
        running = [name for name, _ in _executions(relay, run_id, statusFilter="RUNNING")]
        run = client.get(f"/v1/runs/{run_id}").json()
        expected = 0 if run["status"] in ("completed", "error", "cancelled") else 1
        current = execution_arn(relay, run_id)
        if len(running) == expected and (not running or current.endswith(":" + running[0])):
            return events, run
        assert time.monotonic() < deadline, (running, run["status"], current)
        time.sleep(0.1)


def _outcomes(results):
    return Counter((label, status) for label, status, _ in results)


def test_concurrent_cancels_one_wins(make_client, relay):
    client = make_client()
    for _ in range(TRIALS):
        run_id = client.post("/v1/runs", json={"workflow": greeting("race-cancel")}).json()["run_id"]
        wait_for_status(client, run_id, "awaiting_input")
        results = _race(client, [("cancel", f"/v1/runs/{run_id}/cancel", None)] * CLIENTS)
        assert _outcomes(results) == {("cancel", 200): 1, ("cancel", 409): CLIENTS - 1}, results
        assert {b["code"] for _, s, b in results if s == 409} <= {"RUN_ENDED", "CONCURRENT_UPDATE"}
        events, run = _check_history(client, relay, run_id)
        assert run["status"] == "cancelled"
        assert [e["event_type"] for e in events].count("run_cancelled") == 1


def test_cancel_against_answers(make_client, relay):
    """Half cancel, half answer the pause: at most one answer is taken, the run ends cancelled
    (a cancel after a taken answer stops the running step), exactly one cancel is recorded."""
    client = make_client()
    for _ in range(TRIALS):
        run_id = client.post("/v1/runs", json={"workflow": greeting("race-cancel-answer")}).json()["run_id"]
        wait_for_status(client, run_id, "awaiting_input")
        requests = [("cancel", f"/v1/runs/{run_id}/cancel", None)] * (CLIENTS // 2) + [
            ("answer", f"/v1/runs/{run_id}/input", {"step_id": "ask", "value": f"v{i}"}) for i in range(CLIENTS // 2)
        ]
        results = _race(client, requests)
        outcomes = _outcomes(results)
        assert outcomes[("cancel", 200)] == 1, results
        assert outcomes[("answer", 202)] <= 1, results
        assert outcomes[("cancel", 409)] + outcomes[("cancel", 200)] == CLIENTS // 2
        assert outcomes[("answer", 409)] + outcomes[("answer", 202)] == CLIENTS // 2, results
        events, run = _check_history(client, relay, run_id)
        assert run["status"] == "cancelled" and run["pending_input"] is None
        kinds = Counter(e["event_type"] for e in events)
        assert kinds["run_cancelled"] == 1 and kinds["input_answered"] == outcomes[("answer", 202)]
        assert events[-1]["event_type"] == "run_cancelled" or kinds["input_received"] <= 1
        assert kinds["input_requested"] <= 2 and kinds["run_completed"] == 0


def test_concurrent_retries_start_one_execution(make_client, relay):
    client = make_client()
    media = create(client, PNG)  # never uploaded: the run fails at the llm call every time
    wf = workflow(
        "race-retry",
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
    for _ in range(TRIALS):
        run = client.post("/v1/runs", json={"workflow": wf}).json()
        assert wait_for_status(client, run["run_id"], "error")["error"]["code"] == "INVALID_MEDIA_REF"
        first_execution = execution_arn(relay, run["run_id"])
        results = _race(client, [("retry", f"/v1/runs/{run['run_id']}/retry", None)] * CLIENTS)
        assert _outcomes(results) == {("retry", 200): 1, ("retry", 409): CLIENTS - 1}, results
        assert execution_arn(relay, run["run_id"]) == first_execution + "-g2"
        wait_for_status(client, run["run_id"], "error")
        assert execution_arn(relay, run["run_id"]) == first_execution + "-g2"
        events, _ = _check_history(client, relay, run["run_id"])
        assert [e["event_type"] for e in events].count("run_retried") == 1
        names = [name for name, _ in _executions(relay, run["run_id"])]
        assert sorted(names) == [run["run_id"], run["run_id"] + "-g2"]


def _waiting_at_pick(client, name):
    run_id = client.post("/v1/runs", json={"workflow": greeting(name)}).json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Ada"}).status_code == 202
    wait_for_status(client, run_id, "awaiting_input")
    history = _events(client, run_id)
    points = [e["event_id"] for e in history if e["event_type"] in ("step_completed", "input_requested")][:2]
    return run_id, points


def test_concurrent_branches_one_wins(make_client, relay):
    """Branches from two events of a waiting run at once: exactly one is made; the run is on
    it with one execution, the old pause superseded."""
    client = make_client()
    for _ in range(TRIALS):
        run_id, points = _waiting_at_pick(client, "race-branch")
        requests = [("branch", f"/v1/runs/{run_id}/branches", {"from_event_id": points[i % 2]}) for i in range(CLIENTS)]
        results = _race(client, requests)
        assert _outcomes(results) == {("branch", 201): 1, ("branch", 409): CLIENTS - 1}, results
        assert {b["code"] for _, s, b in results if s == 409} <= {"RUN_BUSY", "CONCURRENT_UPDATE"}
        winner = next(b for _, s, b in results if s == 201)
        events, run = _check_history(client, relay, run_id)
        assert run["branch_id"] == winner["branch"]["branch_id"]
        assert [b["branch_id"] for b in client.get(f"/v1/runs/{run_id}/branches").json()["items"]] == [
            "main",
            winner["branch"]["branch_id"],
        ]
        assert Counter(e["event_type"] for e in events)["branch_created"] == 1
        wait_for_status(client, run_id, "awaiting_input")
        client.post(f"/v1/runs/{run_id}/cancel")


def test_branches_against_cancels_stay_consistent(make_client, relay):
    """Branches and cancels at once on a waiting run. Each request that succeeded left exactly
    its event, in commit order (a cancel may follow a branch that won, a branch may follow a
    cancel: both are sequential histories); the run ends as its last control event says,
    with one execution at most, and it is the run's."""
    client = make_client()
    for _ in range(TRIALS):
        run_id, points = _waiting_at_pick(client, "race-branch-cancel")
        requests = [("branch", f"/v1/runs/{run_id}/branches", {"from_event_id": points[i % 2]}) for i in range(CLIENTS // 2)]
        requests += [("cancel", f"/v1/runs/{run_id}/cancel", None)] * (CLIENTS // 2)
        results = _race(client, requests)
        outcomes = _outcomes(results)
        assert all(s in (200, 201, 409) for _, s, _ in results), results
        assert outcomes[("branch", 201)] + outcomes[("cancel", 200)] >= 1
        events, run = _check_history(client, relay, run_id)
        kinds = Counter(e["event_type"] for e in events)
        assert kinds["branch_created"] == outcomes[("branch", 201)]
        assert kinds["run_cancelled"] == outcomes[("cancel", 200)]
        branches = client.get(f"/v1/runs/{run_id}/branches").json()["items"]
        assert len(branches) == 1 + outcomes[("branch", 201)]
        control = [e for e in events if e["event_type"] in ("branch_created", "run_cancelled")]
        if control[-1]["event_type"] == "run_cancelled":
            assert run["status"] == "cancelled"
        else:
            assert run["branch_id"] == control[-1]["branch_id"] and run["status"] in ("running", "awaiting_input")
            wait_for_status(client, run_id, "awaiting_input")
            client.post(f"/v1/runs/{run_id}/cancel")
