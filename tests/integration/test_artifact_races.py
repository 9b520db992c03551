"""Races on artifacts through the local cloud, many times over.

- The two doors of one user.approve pause: approving and rejecting the artifact, answering
  the run's input with approve or reject, and an edit, all at once from several clients.
  Exactly one decision wins (the others 409), the artifact's status is that decision, the run
  does what it says, exactly one version is latest and no version is lost.
- Concurrent edits of one artifact: exactly one per parent wins, versions are numbered
  without gap or duplicate, one latest.

`RELAY_ARTIFACT_RACE_TRIALS` (default 10) sets the number of trials."""

from __future__ import annotations

import itertools
import os
import threading
from typing import Any

import httpx

from polling import wait_for_status
from test_artifacts import approval_workflow

TRIALS = int(os.environ.get("RELAY_ARTIFACT_RACE_TRIALS", "10"))
WORKFLOW = approval_workflow("art-race")


def at_once(base_url: str, key: str, requests: list[tuple[str, str, dict[str, Any] | None]]) -> list[httpx.Response]:
    """Send every (label, path, json) POST at the same instant, each from its own client."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def send(i: int, path: str, body: dict[str, Any] | None) -> None:
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
            http.get("/healthz")
            barrier.wait()
            results[i] = http.post(path, json=body)

    threads = [threading.Thread(target=send, args=(i, path, body)) for i, (_, path, body) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def check_lineage(client: httpx.Client, artifact_id: str) -> list[dict[str, Any]]:
    versions = client.get(f"/v1/artifacts/{artifact_id}/versions").json()["items"]
    assert [v["version"] for v in versions] == list(range(1, len(versions) + 1)), versions
    assert sum(v["is_latest"] for v in versions) == 1 and versions[-1]["is_latest"]
    for parent, child in itertools.pairwise(versions):
        assert child["parent_artifact_id"] == parent["artifact_id"]
    return versions


def test_the_two_doors_race_for_one_pause(make_client):
    client = make_client()
    key = client.headers["Authorization"].removeprefix("Bearer ")
    assert client.post("/v1/templates", json={"workflow": WORKFLOW}).status_code in (200, 201)
    for trial in range(TRIALS):
        run_id = client.post("/v1/runs", json={"template_name": "art-race"}).json()["run_id"]
        paused = wait_for_status(client, run_id, "awaiting_input")
        art = paused["state"]["stored_id"]
        requests = [
            ("door:approve", f"/v1/artifacts/{art}/approve", {"reason": f"door {trial}"}),
            ("door:approve", f"/v1/artifacts/{art}/approve", None),
            ("door:reject", f"/v1/artifacts/{art}/reject", {"reason": "door no"}),
            ("input:approve", f"/v1/runs/{run_id}/input", {"step_id": "review", "value": {"decision": "approve"}}),
            (
                "input:reject",
                f"/v1/runs/{run_id}/input",
                {"step_id": "review", "value": {"decision": "reject", "reason": "input no"}},
            ),
            ("edit", f"/v1/artifacts/{art}/versions", {"content": {"title": f"edit {trial}"}}),
        ]
        responses = at_once(str(client.base_url), key, requests)
        outcome = [(label, r.status_code, r.json()) for (label, _, _), r in zip(requests, responses, strict=True)]

        decisions = [o for o in outcome if o[0] != "edit"]
        winners = [o for o in decisions if o[1] in (200, 202)]
        assert len(winners) == 1, outcome
        assert all(o[1] == 409 for o in decisions if o not in winners), outcome
        label, _, body = winners[0]
        decision = label.split(":")[1]
        input_id = body["input_id"]
        assert input_id == paused["pending_input"]["input_id"]
        for _, _, problem in (o for o in decisions if o not in winners):
            assert problem["code"] in ("INPUT_ALREADY_ANSWERED", "NOT_LATEST_VERSION", "ARTIFACT_NOT_PENDING"), problem
            if problem["code"] == "INPUT_ALREADY_ANSWERED":
                assert problem["input_id"] == input_id

        edit = outcome[-1]
        assert edit[1] in (201, 409), edit
        versions = check_lineage(client, art)
        assert len(versions) == (2 if edit[1] == 201 else 1)  # no version lost, none made twice

        decided = [v for v in versions if v["decided_by"]]
        assert len(decided) == 1, versions
        assert decided[0]["status"] == ("approved" if decision == "approve" else "rejected")
        done = wait_for_status(client, run_id, "completed", "error")
        if decision == "approve":
            assert done["status"] == "completed", done
            assert done["state"]["approved_id"] == decided[0]["artifact_id"]
        else:
            assert done["status"] == "error" and done["error"]["code"] == "REJECTED", done
        events = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert [e["data"]["input_id"] for e in events if e["event_type"] == "input_received"] == [input_id]


def test_concurrent_edits_leave_one_latest_and_lose_no_version(make_client):
    client = make_client()
    key = client.headers["Authorization"].removeprefix("Bearer ")
    assert client.post("/v1/templates", json={"workflow": WORKFLOW}).status_code in (200, 201)
    run_id = client.post("/v1/runs", json={"template_name": "art-race"}).json()["run_id"]
    latest = wait_for_status(client, run_id, "awaiting_input")["state"]["stored_id"]
    made = 0
    for trial in range(TRIALS):
        responses = at_once(
            str(client.base_url),
            key,
            [("edit", f"/v1/artifacts/{latest}/versions", {"content": {"n": trial, "c": c}}) for c in range(5)],
        )
        created = [r.json() for r in responses if r.status_code == 201]
        assert len(created) == 1, [(r.status_code, r.text[:200]) for r in responses]
        assert all(r.status_code == 409 and r.json()["code"] == "NOT_LATEST_VERSION" for r in responses if r.status_code != 201)
        made += 1
        assert created[0]["version"] == made + 1 and created[0]["parent_artifact_id"] == latest
        latest = created[0]["artifact_id"]
        versions = check_lineage(client, latest)
        assert len(versions) == made + 1 and versions[-1]["artifact_id"] == latest
    # The pause approves the latest edit.
    accepted = client.post(f"/v1/runs/{run_id}/input", json={"step_id": "review", "value": {"decision": "approve"}})
    assert accepted.status_code == 202, accepted.text
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["state"]["approved_id"] == latest and done["state"]["approved_version"] == made + 1
    assert done["state"]["published"] == {"n": TRIALS - 1, "c": done["state"]["published"]["c"]}
