"""A run through Step Functions: pause, answer, complete; the events it leaves."""

from __future__ import annotations

from documents import greeting, module, step, workflow
from executions import execution_arn
from polling import wait_for_status


def _start(client, wf, **body):
    assert client.post("/v1/templates", json={"workflow": wf}).status_code == 201
    response = client.post("/v1/runs", json={"template_name": wf["workflow_id"], **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_run_pauses_resumes_and_completes(client, relay):
    run = _start(client, greeting(), project_name="demo")
    assert run["status"] == "running" and "execution_arn" not in run  # no AWS names in answers
    assert execution_arn(relay, run["run_id"]).endswith(":" + run["run_id"])  # execution name = run id

    paused = wait_for_status(client, run["run_id"], "awaiting_input")
    assert paused["current_step"] == "ask"
    assert paused["pending_input"]["step_id"] == "ask"
    assert paused["pending_input"]["prompt"] == "Your name?"
    assert paused["pending_input"]["request"] == {"prompt": "Your name?", "default": None, "max_length": 20}
    assert paused["pending_input"]["expires_at"] > paused["pending_input"]["created_at"]

    answered = client.post(f"/v1/runs/{run['run_id']}/input", json={"step_id": "ask", "value": "Ada"})
    assert answered.status_code == 202, answered.text
    assert answered.json()["status"] == "running"

    paused = wait_for_status(client, run["run_id"], "awaiting_input")
    assert paused["current_step"] == "pick"
    assert (
        paused["pending_input"]["options"]
        == paused["pending_input"]["request"]["options"]
        == [
            {"value": "warm", "label": None},
            {"value": "formal", "label": None},
        ]
    )
    assert paused["state"] == {"name": "Ada"}
    assert client.post(f"/v1/runs/{run['run_id']}/input", json={"step_id": "pick", "value": "warm"}).status_code == 202

    done = wait_for_status(client, run["run_id"], "completed")
    assert done["state"]["greeting"] == "Hello Ada (warm)"
    assert done["progress"]["value"] == 1.0
    assert done["pending_input"] is None
    assert done["ended_at"] is not None


def test_events_are_ordered_append_only_and_paged(client):
    run = _start(client, greeting())
    run_id = run["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Bo"})
    wait_for_status(client, run_id, "awaiting_input")
    client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "formal"})
    wait_for_status(client, run_id, "completed")

    events, cursor = [], None
    while True:
        page = client.get(f"/v1/runs/{run_id}/events", params={"limit": 4, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        events += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    types = [e["event_type"] for e in events]
    assert types[0] == "run_created" and types[-1] == "run_completed"
    assert types.count("input_requested") == 2 and types.count("input_received") == 2
    received = [e for e in events if e["event_type"] == "input_received"]
    assert [e["data"]["value"] for e in received] == ["Bo", "formal"]
    for event in events:
        assert event["branch_id"] == "main"
        assert event["workflow_version_id"] == run["version_id"]
        assert event["correlation_id"]
        assert event["event_id"].startswith("evt_")
    completed = [e for e in events if e["event_type"] == "step_completed"]
    assert [e["step_id"] for e in completed] == ["ask", "pick", "write"]
    assert completed[-1]["data"]["state"]["greeting"] == "Hello Bo (formal)"

    by_branch = client.get(f"/v1/runs/{run_id}/events", params={"branch_id": "main", "limit": 500}).json()
    assert [e["seq"] for e in by_branch["items"]] == [e["seq"] for e in events]


def test_run_without_pauses_completes_on_its_own(client):
    wf = workflow(
        "no_pause",
        step(
            "one",
            module(
                "transform.format", {"template": "{a}-{b}", "values": {"a": "$run.project_name", "b": "$state.b"}}, value="ab"
            ),
        ),
        step("two", module("transform.format", {"template": "[{x}]", "values": {"x": "$state.ab"}}, value="wrapped")),
    )
    run = _start(client, wf, project_name="proj", inputs={"b": 7})
    done = wait_for_status(client, run["run_id"], "completed")
    assert done["state"] == {"b": 7, "ab": "proj-7", "wrapped": "[proj-7]"}
    assert done["inputs"] == {"b": 7}


def test_start_by_version_id_and_inline_workflow(client):
    wf = greeting("by_version")
    submitted = client.post("/v1/templates", json={"workflow": wf}).json()
    by_version = client.post("/v1/runs", json={"version_id": submitted["version"]["version_id"]})
    assert by_version.status_code == 201
    assert by_version.json()["version_id"] == submitted["version"]["version_id"]

    inline = client.post("/v1/runs", json={"workflow": wf})
    assert inline.status_code == 201
    assert inline.json()["version_id"] == submitted["version"]["version_id"]  # same content, same version


def test_list_runs_newest_first_by_status_with_cursor(client):
    wf = greeting("listing")
    client.post("/v1/templates", json={"workflow": wf})
    ids = [client.post("/v1/runs", json={"template_name": "listing"}).json()["run_id"] for _ in range(3)]
    for run_id in ids:
        wait_for_status(client, run_id, "awaiting_input")

    first = client.get("/v1/runs", params={"limit": 2}).json()
    second = client.get("/v1/runs", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    listed = [r["run_id"] for r in first["items"] + second["items"]]
    assert listed == list(reversed(ids))

    waiting = client.get("/v1/runs", params={"status": "awaiting_input"}).json()["items"]
    assert {r["run_id"] for r in waiting} == set(ids)
    assert client.get("/v1/runs", params={"status": "completed"}).json()["items"] == []

    approvals = client.get("/v1/approvals").json()["items"]
    assert {a["run_id"] for a in approvals} == set(ids)
    assert all("task_token" not in a for a in approvals)
