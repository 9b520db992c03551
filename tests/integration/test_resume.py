"""Resume with a workflow version (seed 001 "Resume Flow") through the local cloud: the same
version resumes; another is a 409 VERSION_MISMATCH whose confirm continues with the new
version, with the original, or starts a fresh run; events carry the version they ran under."""

from __future__ import annotations

from documents import greeting, module, step, workflow
from executions import execution_arn
from polling import wait_for_status
from problems import assert_problem


def _start(client, wf, **body):
    response = client.post("/v1/runs", json={"workflow": wf, **body})
    assert response.status_code == 201, response.text
    return response.json()


def _events(client, run_id):
    response = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _v2(name):
    """The greeting with other tones: another version of the same template."""
    wf = greeting(name)
    wf["steps"][1]["modules"][0]["inputs"]["options"] = ["cheeky", "grave"]
    return wf


def _waiting_at_pick(client, name):
    run = _start(client, greeting(name), project_name="p1", inputs={"lang": "en"})
    wait_for_status(client, run["run_id"], "awaiting_input")
    assert client.post(f"/v1/runs/{run['run_id']}/input", json={"step_id": "ask", "value": "Ada"}).status_code == 202
    waiting = wait_for_status(client, run["run_id"], "awaiting_input")
    assert waiting["current_step"] == "pick"
    return run, waiting


def _mismatch(client, run_id, wf):
    body = assert_problem(client.post(f"/v1/runs/{run_id}/resume", json={"workflow": wf}), 409, "VERSION_MISMATCH")
    assert body["options"] == ["continue_with_new", "continue_with_original", "start_fresh"]
    return body


def test_same_version_resumes_a_cancelled_run(client, relay):
    run, waiting = _waiting_at_pick(client, "resume-same")
    run_id = run["run_id"]
    assert client.post(f"/v1/runs/{run_id}/cancel").status_code == 200
    resumed = client.post(f"/v1/runs/{run_id}/resume", json={"version_id": run["version_id"]})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "running" and resumed.json()["ended_at"] is None
    again = wait_for_status(client, run_id, "awaiting_input")
    assert again["pending_input"]["step_id"] == "pick"
    assert again["pending_input"]["input_id"] != waiting["pending_input"]["input_id"]
    assert execution_arn(relay, run_id).endswith("-g2") and again["state"] == {"lang": "en", "name": "Ada"}
    # The same workflow again (JSON) is the same version; waiting, it changes nothing.
    same = client.post(f"/v1/runs/{run_id}/resume", json={"workflow": greeting("resume-same")})
    assert same.status_code == 200 and same.json()["pending_input"]["input_id"] == again["pending_input"]["input_id"]
    events = _events(client, run_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    resumed_event = [e for e in events if e["event_type"] == "run_resumed"]
    assert len(resumed_event) == 1 and resumed_event[0]["data"]["choice"] == "same_version"
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "warm"}).status_code == 202
    assert wait_for_status(client, run_id, "completed")["state"]["greeting"] == "Hello Ada (warm)"


def test_continue_with_new_moves_the_run_and_stamps_new_events(client):
    run, waiting = _waiting_at_pick(client, "resume-new")
    run_id, v1 = run["run_id"], run["version_id"]
    body = _mismatch(client, run_id, _v2("resume-new"))
    assert body["current_version"] == v1 and body["submitted_version"] != v1
    v2 = body["submitted_version"]
    unchanged = client.get(f"/v1/runs/{run_id}").json()
    assert unchanged["version_id"] == v1 and unchanged["status"] == "awaiting_input"
    assert unchanged["pending_input"]["input_id"] == waiting["pending_input"]["input_id"]
    offered = unchanged["pending_resume"]  # the offer shows on the run until confirmed
    assert (offered["current_version_id"], offered["submitted_version_id"]) == (v1, v2)
    count = len(_events(client, run_id))
    # Only the offered version can be confirmed.
    assert_problem(
        client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "continue_with_new", "version_id": v1}),
        409,
        "NO_PENDING_MISMATCH",
    )

    confirmed = client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "continue_with_new", "version_id": v2})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["version_id"] == v2 and confirmed.json()["initial_version_id"] == v1
    assert confirmed.json()["pending_resume"] is None
    again = wait_for_status(client, run_id, "awaiting_input")
    assert again["pending_input"]["step_id"] == "pick"
    assert [o["value"] for o in again["pending_input"]["options"]] == ["cheeky", "grave"]
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "grave"}).status_code == 202
    assert wait_for_status(client, run_id, "completed")["state"]["greeting"] == "Hello Ada (grave)"
    events = _events(client, run_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {e["workflow_version_id"] for e in events[:count]} == {v1}
    assert {e["workflow_version_id"] for e in events[count:]} == {v2}
    assert events[count]["event_type"] == "run_resumed" and events[count]["data"]["from_version_id"] == v1
    assert_problem(
        client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "continue_with_new", "version_id": v2}),
        409,
        "NO_PENDING_MISMATCH",
    )


def test_continue_with_original_keeps_the_pause(client, relay):
    run, waiting = _waiting_at_pick(client, "resume-orig")
    run_id = run["run_id"]
    v2 = _mismatch(client, run_id, _v2("resume-orig"))["submitted_version"]
    waiting_in = execution_arn(relay, run_id)
    confirmed = client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "continue_with_original", "version_id": v2})
    assert confirmed.status_code == 200, confirmed.text
    after = confirmed.json()
    assert after["version_id"] == run["version_id"] and after["status"] == "awaiting_input"
    assert after["pending_input"]["input_id"] == waiting["pending_input"]["input_id"]
    assert execution_arn(relay, run_id) == waiting_in
    assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": "pick", "value": "formal"}).status_code == 202
    assert wait_for_status(client, run_id, "completed")["state"]["greeting"] == "Hello Ada (formal)"


def test_start_fresh_makes_a_new_run_of_the_new_version(client):
    run, _ = _waiting_at_pick(client, "resume-fresh")
    run_id = run["run_id"]
    assert client.post(f"/v1/runs/{run_id}/cancel").status_code == 200
    v2 = _mismatch(client, run_id, _v2("resume-fresh"))["submitted_version"]
    fresh = client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "start_fresh", "version_id": v2})
    assert fresh.status_code == 201, fresh.text
    new = fresh.json()
    assert fresh.headers["location"] == f"/v1/runs/{new['run_id']}"
    assert new["run_id"] != run_id and new["version_id"] == new["initial_version_id"] == v2
    assert new["project_name"] == "p1" and new["inputs"] == {"lang": "en"} and new["template_id"] == run["template_id"]
    assert wait_for_status(client, new["run_id"], "awaiting_input")["current_step"] == "ask"
    old = client.get(f"/v1/runs/{run_id}").json()
    assert old["status"] == "cancelled" and old["version_id"] == run["version_id"]


def test_resume_refusals_change_nothing(client, make_client):
    run, _ = _waiting_at_pick(client, "resume-bad")
    run_id = run["run_id"]
    other = _start(client, workflow("resume-other", step("s", module("transform.format", {"template": "x"}, value="v"))))
    wait_for_status(client, other["run_id"], "completed")
    before = _events(client, run_id)

    assert_problem(client.post(f"/v1/runs/{run_id}/resume", json={}), 400, "INVALID_RESUME_REQUEST")
    assert_problem(
        client.post(f"/v1/runs/{run_id}/resume", json={"version_id": run["version_id"], "workflow": greeting("resume-bad")}),
        400,
        "INVALID_RESUME_REQUEST",
    )
    assert_problem(client.post(f"/v1/runs/{run_id}/resume", json={"version_id": other["version_id"]}), 400, "TEMPLATE_MISMATCH")
    assert_problem(client.post(f"/v1/runs/{run_id}/resume", json={"version_id": "ver_nosuchversion"}), 404, "NOT_FOUND")
    assert_problem(make_client().post(f"/v1/runs/{run_id}/resume", json={"version_id": run["version_id"]}), 404, "NOT_FOUND")
    assert_problem(
        client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "start_fresh", "version_id": run["version_id"]}),
        409,
        "NO_PENDING_MISMATCH",
    )
    assert_problem(
        client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "later", "version_id": run["version_id"]}),
        400,
        "INVALID_REQUEST",
    )
    assert_problem(
        client.post(f"/v1/runs/{other['run_id']}/resume", json={"version_id": other["version_id"]}), 409, "RUN_COMPLETED"
    )
    assert _events(client, run_id) == before

    # A new version without the step the run is at cannot be continued with.
    renamed = greeting("resume-bad")
    renamed["steps"][1]["step_id"] = "choose"
    v2 = _mismatch(client, run_id, renamed)["submitted_version"]
    assert_problem(
        client.post(f"/v1/runs/{run_id}/resume/confirm", json={"choice": "continue_with_new", "version_id": v2}),
        409,
        "STEP_NOT_IN_VERSION",
    )
    after = client.get(f"/v1/runs/{run_id}").json()
    assert after["status"] == "awaiting_input" and after["version_id"] == run["version_id"]
    assert _events(client, run_id) == before
