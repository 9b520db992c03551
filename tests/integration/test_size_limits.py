"""Size limits: what would not fit a DynamoDB item or a Step Functions payload is refused with
a 413 problem (and changes nothing), or ends the run with a clear error (and loses nothing)."""

from __future__ import annotations

import json

from documents import module, step, workflow
from polling import wait_for_status
from problems import assert_problem

KIB = 1024


def _submit(client, wf) -> None:
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)


def test_run_inputs_over_the_limit_start_nothing(client):
    _submit(client, workflow("big_inputs", step("s", module("transform.format", {"template": "ok"}, value="v"))))
    before = client.get("/v1/runs").json()["items"]
    response = client.post("/v1/runs", json={"template_name": "big_inputs", "inputs": {"text": "x" * (65 * KIB)}})
    problem = assert_problem(response, 413, "INPUTS_TOO_LARGE")
    assert "65536" in problem["detail"]
    assert client.get("/v1/runs").json()["items"] == before

    ok = client.post("/v1/runs", json={"template_name": "big_inputs", "inputs": {"text": "x" * (60 * KIB)}})
    assert ok.status_code == 201, ok.text[:300]
    assert wait_for_status(client, ok.json()["run_id"], "completed")["state"]["text"] == "x" * (60 * KIB)


def test_an_answer_over_the_limit_is_refused_and_the_pause_goes_on(client):
    _submit(client, workflow("big_answer", step("ask", module("user.text_input", {"prompt": "Script?"}, value="s"))))
    run_id = client.post("/v1/runs", json={"template_name": "big_answer"}).json()["run_id"]
    before = wait_for_status(client, run_id, "awaiting_input")
    url = f"/v1/runs/{run_id}/input"

    assert_problem(client.post(url, json={"step_id": "ask", "value": "y" * (65 * KIB)}), 413, "VALUE_TOO_LARGE")
    assert client.get(f"/v1/runs/{run_id}").json() == before

    assert client.post(url, json={"step_id": "ask", "value": "y" * (60 * KIB)}).status_code == 202
    assert wait_for_status(client, run_id, "completed")["state"]["s"] == "y" * (60 * KIB)


def test_state_over_the_limit_ends_the_run_with_the_last_good_state(client):
    wf = workflow(
        "state_grows",
        step("copy", module("transform.format", {"template": "{t}", "values": {"t": "$state.text"}}, value="a")),
        step("grow", module("transform.format", {"template": "{t}{t}{t}", "values": {"t": "$state.a"}}, value="b")),
    )
    _submit(client, wf)
    text = "z" * (50 * KIB)
    run_id = client.post("/v1/runs", json={"template_name": "state_grows", "inputs": {"text": text}}).json()["run_id"]

    failed = wait_for_status(client, run_id, "error")
    assert failed["error"]["code"] == "STATE_TOO_LARGE"
    assert failed["current_step"] == "grow"
    assert failed["state"] == {"text": text, "a": text}  # as the last module that fitted left it

    events = client.get(f"/v1/runs/{run_id}/events").json()["items"]
    assert [e["event_type"] for e in events][-2:] == ["module_failed", "run_failed"]
    assert events[-2]["step_id"] == "grow"
    assert events[-1]["data"]["error"]["code"] == "STATE_TOO_LARGE"


def test_a_run_whose_events_outgrow_one_transaction_is_committed_in_pieces(client):
    # Each step writes ~120 KiB of outputs and a ~160 KiB state snapshot: thirteen steps are
    # ~3.6 MB of events, too much for one TransactWriteItems (4 MB with the run item), so
    # the engine commits them across several RunSteps (each its own correlation id).
    seed = module("transform.format", {"template": "{t}{t}{t}", "values": {"t": "$state.text"}}, value="big")
    copy = module("transform.format", {"template": "{b}", "values": {"b": "$state.big"}}, value="big")
    _submit(client, workflow("many_big", step("seed", seed), *[step(f"s{i}", copy) for i in range(12)]))
    text = "w" * (40 * KIB)
    run_id = client.post("/v1/runs", json={"template_name": "many_big", "inputs": {"text": text}}).json()["run_id"]
    done = wait_for_status(client, run_id, "completed")
    assert done["state"]["big"] == text * 3

    events, cursor = [], None
    while True:
        page = client.get(f"/v1/runs/{run_id}/events", params={"cursor": cursor} if cursor else {}).json()
        events += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["event_type"] == "step_completed" for e in events) == 13
    per_commit: dict[str, int] = {}
    for event in events:
        per_commit[event["correlation_id"]] = per_commit.get(event["correlation_id"], 0) + len(
            json.dumps(event["data"], separators=(",", ":"))
        )
    engine_commits = [size for size in per_commit.values() if size > 100 * KIB]
    assert len(engine_commits) >= 2
    assert max(per_commit.values()) < 3 * 1024 * KIB
