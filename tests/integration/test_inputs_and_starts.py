"""Bad answers and bad starts get a 4xx problem and change nothing; Idempotency-Key."""

from __future__ import annotations

from documents import greeting, module, step, workflow
from polling import wait_for_status
from problems import assert_problem


def _paused_run(client, wf_id="answers"):
    client.post("/v1/templates", json={"workflow": greeting(wf_id)})
    run_id = client.post("/v1/runs", json={"template_name": wf_id}).json()["run_id"]
    return run_id, wait_for_status(client, run_id, "awaiting_input")


def test_bad_answers_are_rejected_and_change_nothing(client):
    run_id, before = _paused_run(client)
    url = f"/v1/runs/{run_id}/input"
    assert_problem(client.post(url, json={"step_id": "ask", "value": "x" * 21}), 400, "INVALID_INPUT_VALUE")
    assert_problem(client.post(url, json={"step_id": "ask", "value": 42}), 400, "INVALID_INPUT_VALUE")
    assert_problem(client.post(url, json={"step_id": "pick", "value": "warm"}), 409, "NOT_AWAITING_INPUT")
    assert_problem(client.post(url, json={"step_id": "nope", "value": "x"}), 409, "NOT_AWAITING_INPUT")
    assert_problem(client.post(url, json={"value": "x"}), 400, "INVALID_REQUEST")
    after = client.get(f"/v1/runs/{run_id}").json()
    assert after == before  # nothing changed: same pause, same state, same revision

    assert client.post(url, json={"step_id": "ask", "value": "Ada"}).status_code == 202
    second = client.post(url, json={"step_id": "ask", "value": "Eve"})
    assert second.status_code == 409
    assert second.json()["code"] in ("INPUT_ALREADY_ANSWERED", "NOT_AWAITING_INPUT")

    paused = wait_for_status(client, run_id, "awaiting_input")
    assert paused["current_step"] == "pick"
    assert_problem(client.post(url, json={"step_id": "pick", "value": "loud"}), 400, "INVALID_INPUT_VALUE")
    assert_problem(client.post(url, json={"step_id": "pick", "value": ["warm"]}), 400, "INVALID_INPUT_VALUE")
    assert client.get(f"/v1/runs/{run_id}").json()["state"] == {"name": "Ada"}


def test_multiple_select_takes_a_list_of_offered_options(client):
    wf = workflow(
        "multi",
        step("tags", module("user.select", {"prompt": "Tags?", "options": ["a", "b", "c"], "multiple": True}, value="tags")),
    )
    client.post("/v1/templates", json={"workflow": wf})
    run_id = client.post("/v1/runs", json={"template_name": "multi"}).json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    url = f"/v1/runs/{run_id}/input"
    assert_problem(client.post(url, json={"step_id": "tags", "value": "a"}), 400, "INVALID_INPUT_VALUE")
    assert_problem(client.post(url, json={"step_id": "tags", "value": ["a", "z"]}), 400, "INVALID_INPUT_VALUE")
    assert_problem(client.post(url, json={"step_id": "tags", "value": ["a", "a"]}), 400, "INVALID_INPUT_VALUE")
    assert client.post(url, json={"step_id": "tags", "value": ["c", "a"]}).status_code == 202
    assert wait_for_status(client, run_id, "completed")["state"] == {"tags": ["c", "a"]}


def test_text_input_default_applies_to_an_empty_answer(client):
    wf = workflow("defaults", step("s", module("user.text_input", {"prompt": "?", "default": "fallback"}, value="v")))
    client.post("/v1/templates", json={"workflow": wf})
    run_id = client.post("/v1/runs", json={"template_name": "defaults"}).json()["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "s", "value": None}).status_code == 202
    assert wait_for_status(client, run_id, "completed")["state"] == {"v": "fallback"}


def test_bad_starts(client):
    assert_problem(client.post("/v1/runs", json={"template_name": "never_submitted"}), 404, "TEMPLATE_NOT_FOUND")
    assert_problem(client.post("/v1/runs", json={}), 400, "INVALID_RUN_REQUEST")
    client.post("/v1/templates", json={"workflow": greeting("starts")})
    version_id = client.get("/v1/templates").json()["items"][0]["latest_version_id"]
    assert_problem(
        client.post("/v1/runs", json={"template_name": "starts", "version_id": version_id}), 400, "INVALID_RUN_REQUEST"
    )
    assert_problem(client.post("/v1/runs", json={"version_id": "ver_missing"}), 404, "NOT_FOUND")
    assert_problem(client.post("/v1/runs", json={"template_name": "starts", "inputs": [1]}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs", params={"status": "sleeping"}), 400, "INVALID_REQUEST")
    assert_problem(client.get("/v1/runs/run_missing"), 404, "NOT_FOUND")
    assert client.get("/v1/runs").json()["items"] == []  # no bad start made a run


def test_idempotency_key_returns_the_same_run(client):
    client.post("/v1/templates", json={"workflow": greeting("idem")})
    body = {"template_name": "idem", "project_name": "p"}
    first = client.post("/v1/runs", json=body, headers={"Idempotency-Key": "start-1"})
    again = client.post("/v1/runs", json=body, headers={"Idempotency-Key": "start-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["run_id"] == again.json()["run_id"]
    assert len(client.get("/v1/runs").json()["items"]) == 1

    other = client.post("/v1/runs", json=body, headers={"Idempotency-Key": "start-2"})
    assert other.json()["run_id"] != first.json()["run_id"]
    reused = client.post("/v1/runs", json={**body, "project_name": "q"}, headers={"Idempotency-Key": "start-1"})
    assert_problem(reused, 422, "IDEMPOTENCY_KEY_REUSED")
    assert len(client.get("/v1/runs").json()["items"]) == 2


def test_idempotency_keys_are_per_user(make_client):
    alice, bob = make_client(), make_client()
    for c in (alice, bob):
        c.post("/v1/templates", json={"workflow": greeting("idem_users")})
    a = alice.post("/v1/runs", json={"template_name": "idem_users"}, headers={"Idempotency-Key": "same"})
    b = bob.post("/v1/runs", json={"template_name": "idem_users"}, headers={"Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json()["run_id"] != b.json()["run_id"]
