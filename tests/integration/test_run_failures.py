"""Runs that end in error: an input timeout, a module that raises. Nothing is lost."""

from __future__ import annotations

from documents import greeting, module, step, workflow
from polling import wait_for_status


def _start(client, wf, **body):
    assert client.post("/v1/templates", json={"workflow": wf}).status_code in (200, 201)
    response = client.post("/v1/runs", json={"template_name": wf["workflow_id"], **body})
    assert response.status_code == 201, response.text
    return response.json()["run_id"]


def test_input_timeout_ends_the_run_in_error(client):
    run_id = _start(client, greeting("times_out", timeout_seconds=1))
    paused = wait_for_status(client, run_id, "awaiting_input")
    assert paused["pending_input"]["expires_at"] > paused["pending_input"]["created_at"]

    failed = wait_for_status(client, run_id, "error", timeout=30)
    assert failed["error"]["code"] == "INPUT_TIMEOUT"
    assert failed["pending_input"] is None

    late = client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "late"})
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/approvals").json()["items"] == []

    events = client.get(f"/v1/runs/{run_id}/events").json()["items"]
    assert events[-1]["event_type"] == "run_failed"
    assert events[-1]["data"]["error"]["code"] == "INPUT_TIMEOUT"
    assert events[-1]["data"]["cause"]["error"] == "States.Timeout"


def test_module_error_is_recorded_and_ends_the_run(client):
    wf = workflow(
        "breaks",
        step("fine", module("transform.format", {"template": "ok"}, value="a")),
        step("broken", module("transform.format", {"template": "{missing}", "values": {}}, value="b")),
        step("never", module("transform.format", {"template": "no"}, value="c")),
    )
    run_id = _start(client, wf)
    failed = wait_for_status(client, run_id, "error")
    assert failed["error"]["code"] == "FORMAT_ERROR"
    assert "missing" in failed["error"]["message"]
    assert failed["current_step"] == "broken"
    assert failed["state"] == {"a": "ok"}  # what ran before the failure is kept

    events = client.get(f"/v1/runs/{run_id}/events").json()["items"]
    module_failed = [e for e in events if e["event_type"] == "module_failed"]
    assert len(module_failed) == 1
    assert module_failed[0]["step_id"] == "broken"
    assert module_failed[0]["data"]["module_id"] == "transform.format"
    assert module_failed[0]["data"]["error"]["code"] == "FORMAT_ERROR"
    assert events[-1]["event_type"] == "run_failed"
    assert not any(e["step_id"] == "never" for e in events)


def test_reference_to_missing_state_fails_the_run(client):
    wf = workflow(
        "dangling",
        step("only", module("transform.format", {"template": "{x}", "values": {"x": "$state.nothing.here"}}, value="y")),
    )
    run_id = _start(client, wf)
    failed = wait_for_status(client, run_id, "error")
    assert failed["error"]["code"] == "UNRESOLVED_REFERENCE"
    assert "$state.nothing.here" in failed["error"]["message"]
