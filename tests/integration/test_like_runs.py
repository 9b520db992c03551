"""POST /v1/runs {like_run_id} through the local cloud: a new run with the version, project,
inputs and model preferences of a run of mine; what the body gives on top; the source's
version even after the template moved on; 404 for another tenant's or an unknown run;
exclusive with the other sources; Idempotency-Key."""

from __future__ import annotations

from documents import greeting, module, step, workflow
from polling import wait_for_status
from problems import assert_problem


def _echo_wf(workflow_id: str, template: str = "{topic} by {tone}") -> dict:
    return workflow(
        workflow_id,
        step(
            "write",
            module(
                "transform.format",
                {
                    "template": template,
                    "values": {"topic": "$run.inputs.topic", "tone": "$run.inputs.tone"},
                },
                value="text",
            ),
        ),
    )


def _submit(client, wf: dict) -> str:
    submitted = client.post("/v1/templates", json={"workflow": wf})
    assert submitted.status_code in (200, 201), submitted.text
    return submitted.json()["version"]["version_id"]


def _source(client, workflow_id: str = "like-src") -> dict:
    version_id = _submit(client, _echo_wf(workflow_id))
    started = client.post(
        "/v1/runs",
        json={
            "template_name": workflow_id,
            "project_name": "launch",
            "inputs": {"topic": "cyberpunk city", "tone": "warm"},
            "model_preferences": {"default_provider": "echo", "default_model": "echo-1"},
        },
    )
    assert started.status_code == 201, started.text
    done = wait_for_status(client, started.json()["run_id"], "completed", "error")
    assert done["status"] == "completed" and done["version_id"] == version_id
    return done


def test_like_run_copies_version_project_inputs_and_preferences(client):
    source = _source(client)
    # The template moves on: the re-run keeps the source's version.
    newer = _submit(client, _echo_wf("like-src", template="{topic} / {tone}"))
    assert newer != source["version_id"]

    response = client.post("/v1/runs", json={"like_run_id": source["run_id"]})
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/runs/{response.json()['run_id']}"
    again = wait_for_status(client, response.json()["run_id"], "completed", "error")
    assert again["run_id"] != source["run_id"] and again["status"] == "completed"
    assert again["version_id"] == again["initial_version_id"] == source["version_id"]
    assert again["template_id"] == source["template_id"]
    assert again["project_name"] == "launch"
    assert again["inputs"] == source["inputs"] and again["model_preferences"] == source["model_preferences"]
    assert again["state"]["text"] == source["state"]["text"] == "cyberpunk city by warm"
    assert again["like_run_id"] == source["run_id"] and source["like_run_id"] is None

    created = client.get(f"/v1/runs/{again['run_id']}/events").json()["items"][0]
    assert created["event_type"] == "run_created"
    assert created["data"]["like_run_id"] == source["run_id"]
    assert created["data"]["version_id"] == source["version_id"]


def test_what_the_body_gives_goes_on_top(client):
    source = _source(client, "like-over")
    response = client.post(
        "/v1/runs",
        json={
            "like_run_id": source["run_id"],
            "project_name": "relaunch",
            "inputs": {"tone": "formal"},
            "model_preferences": {"default_model": "echo-2"},
        },
    )
    assert response.status_code == 201, response.text
    run = wait_for_status(client, response.json()["run_id"], "completed", "error")
    assert run["project_name"] == "relaunch"
    assert run["inputs"] == {"topic": "cyberpunk city", "tone": "formal"}  # merged key by key
    assert run["state"]["text"] == "cyberpunk city by formal"
    assert run["model_preferences"] == {"default_provider": "echo", "default_model": "echo-2"}


def test_like_a_paused_run_starts_from_the_beginning(client):
    _submit(client, greeting("like-paused"))
    first = client.post("/v1/runs", json={"template_name": "like-paused", "inputs": {"seed": 1}}).json()
    wait_for_status(client, first["run_id"], "awaiting_input")
    second = client.post("/v1/runs", json={"like_run_id": first["run_id"]})
    assert second.status_code == 201, second.text
    paused = wait_for_status(client, second.json()["run_id"], "awaiting_input")
    assert paused["pending_input"]["step_id"] == "ask" and paused["state"] == {"seed": 1}


def test_foreign_unknown_and_conflicting_sources_are_refused_and_change_nothing(client, make_client):
    source = _source(client, "like-bad")
    other = make_client()
    _submit(other, _echo_wf("like-bad"))
    before = client.get("/v1/runs", params={"limit": 100}).json()["items"]

    assert_problem(other.post("/v1/runs", json={"like_run_id": source["run_id"]}), 404, "NOT_FOUND")
    assert_problem(client.post("/v1/runs", json={"like_run_id": "run_doesnotexist"}), 404, "NOT_FOUND")
    assert_problem(client.post("/v1/runs", json={"like_run_id": "nope"}), 404, "NOT_FOUND")
    for extra in ({"template_name": "like-bad"}, {"version_id": source["version_id"]}, {"workflow": _echo_wf("x")}):
        assert_problem(client.post("/v1/runs", json={"like_run_id": source["run_id"], **extra}), 400, "INVALID_RUN_REQUEST")
    assert_problem(client.post("/v1/runs", json={"like_run_id": 5}), 400, "INVALID_REQUEST")
    too_big = {"like_run_id": source["run_id"], "inputs": {"x": "a" * 70_000}}
    assert_problem(client.post("/v1/runs", json=too_big), 413, "INPUTS_TOO_LARGE")

    assert client.get("/v1/runs", params={"limit": 100}).json()["items"] == before
    assert other.get("/v1/runs").json()["items"] == []


def test_idempotency_key_with_like_run_id(client):
    source = _source(client, "like-idem")
    body = {"like_run_id": source["run_id"]}
    first = client.post("/v1/runs", json=body, headers={"Idempotency-Key": "like-1"})
    again = client.post("/v1/runs", json=body, headers={"Idempotency-Key": "like-1"})
    assert first.status_code == 201 and again.status_code == 201, (first.text, again.text)
    assert first.json()["run_id"] == again.json()["run_id"]
    other_source = _source(client, "like-idem2")
    reused = client.post("/v1/runs", json={"like_run_id": other_source["run_id"]}, headers={"Idempotency-Key": "like-1"})
    assert_problem(reused, 422, "IDEMPOTENCY_KEY_REUSED")
