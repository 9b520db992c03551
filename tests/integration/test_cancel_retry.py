"""Cancel and retry through the local cloud: the run item, its events, its pending input and
its Step Functions executions."""

from __future__ import annotations

import time

from documents import greeting, module, step, workflow
from executions import execution_arn
from media_helpers import PNG, create, upload, wait_for_media
from polling import wait_for_status
from problems import assert_problem


def _start(client, wf, **body):
    response = client.post("/v1/runs", json={"workflow": wf, **body})
    assert response.status_code == 201, response.text
    return response.json()


def _events(client, run_id, **params):
    page = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500, **params})
    assert page.status_code == 200, page.text
    return page.json()["items"]


def _execution(relay, arn, *statuses, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        described = relay.stepfunctions.describe_execution(executionArn=arn)
        if described["status"] in statuses:
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"{arn} stayed {described['status']}, wanted {statuses}")
        time.sleep(0.05)


def _seqs_ok(events):
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_cancel_a_waiting_run_stops_it_and_closes_its_pause(client, relay):
    run = _start(client, greeting("cancel-waiting"))
    run_id = run["run_id"]
    paused = wait_for_status(client, run_id, "awaiting_input")
    input_id = paused["pending_input"]["input_id"]

    cancelled = client.post(f"/v1/runs/{run_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["pending_input"] is None and body["ended_at"]
    _execution(relay, execution_arn(relay, run_id), "ABORTED")

    pending = relay.run_repository.get_pending(run_id, input_id)
    assert pending.status == "cancelled"
    # The closed pause takes no answer, and a second cancel changes nothing.
    assert_problem(client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "Ada"}), 409, "NOT_AWAITING_INPUT")
    before = _events(client, run_id)
    again = assert_problem(client.post(f"/v1/runs/{run_id}/cancel"), 409, "RUN_ENDED")
    assert again["run_status"] == "cancelled"
    events = _events(client, run_id)
    assert events == before
    _seqs_ok(events)
    assert events[-1]["event_type"] == "run_cancelled"
    assert events[-1]["data"]["previous_status"] == "awaiting_input" and events[-1]["data"]["input_id"] == input_id
    assert client.get(f"/v1/runs/{run_id}").json()["status"] == "cancelled"


def test_cancel_while_a_step_runs_wins_over_that_step(client, relay, fake_providers):
    """The provider answers after 3 s: the cancel lands while RunStep runs; RunStep's commit is
    refused (the rev moved) and its retry finds the run ended."""
    wf = workflow(
        "cancel-running",
        step(
            "slow",
            module(
                "api.llm",
                {"provider": "openai", "model": "m-slow-cancel", "messages": [{"role": "user", "content": "x"}]},
                text="t",
            ),
        ),
        step("after", module("transform.format", {"template": "never"}, value="v")),
    )
    run = _start(client, wf)
    run_id = run["run_id"]
    deadline = time.monotonic() + 10
    while not fake_providers.calls_of("m-slow-cancel"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cancelled = client.post(f"/v1/runs/{run_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    _execution(relay, execution_arn(relay, run_id), "ABORTED", "FAILED", timeout=30)
    time.sleep(3.5)  # the slow call has returned by now
    final = client.get(f"/v1/runs/{run_id}").json()
    assert final["status"] == "cancelled" and final["state"] == {}
    events = _events(client, run_id)
    _seqs_ok(events)
    assert events[-1]["event_type"] == "run_cancelled" and events[-1]["data"]["previous_status"] == "running"
    assert not [e for e in events if e["event_type"] in ("module_completed", "step_completed")]


def test_cancel_of_an_ended_run_and_of_anothers_run(client, make_client):
    wf = workflow("cancel-done", step("only", module("transform.format", {"template": "hi"}, value="v")))
    run_id = _start(client, wf)["run_id"]
    wait_for_status(client, run_id, "completed")
    body = assert_problem(client.post(f"/v1/runs/{run_id}/cancel"), 409, "RUN_ENDED")
    assert body["run_status"] == "completed"
    assert_problem(make_client().post(f"/v1/runs/{run_id}/cancel"), 404, "NOT_FOUND")
    assert_problem(client.post("/v1/runs/run_doesnotexist/cancel"), 404, "NOT_FOUND")


def _failing_on_media(client, name):
    """echo with an image that is not uploaded yet: the second module fails INVALID_MEDIA_REF."""
    media = create(client, PNG)
    wf = workflow(
        name,
        step(
            "s",
            module("transform.format", {"template": "before"}, value="before"),
            module(
                "api.llm",
                {
                    "provider": "echo",
                    "messages": [
                        {
                            "role": "user",
                            "content": [{"type": "text", "text": "look"}, {"type": "media_ref", "content": media["media_id"]}],
                        }
                    ],
                },
                text="seen",
            ),
        ),
        step("t", module("transform.format", {"template": "done {x}", "values": {"x": "$state.before"}}, value="after")),
    )
    return media, wf


def test_retry_continues_from_the_failed_module_with_its_state(client, relay):
    media, wf = _failing_on_media(client, "retry-media")
    run = _start(client, wf)
    run_id = run["run_id"]
    failed = wait_for_status(client, run_id, "error", "completed")
    assert failed["status"] == "error" and failed["error"]["code"] == "INVALID_MEDIA_REF"
    assert failed["state"] == {"before": "before"}
    first_execution = execution_arn(relay, run_id)

    assert upload(media, PNG).status_code == 204
    wait_for_media(client, media["media_id"], "ready")
    retried = client.post(f"/v1/runs/{run_id}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "running" and retried.json()["error"] is None
    assert "execution_arn" not in retried.json() and execution_arn(relay, run_id) == first_execution + "-g2"
    done = wait_for_status(client, run_id, "completed", "error")
    assert done["status"] == "completed", done
    assert done["state"]["before"] == "before" and done["state"]["after"] == "done before" and done["state"]["seen"]
    _execution(relay, execution_arn(relay, run_id), "SUCCEEDED")

    events = _events(client, run_id)
    _seqs_ok(events)
    types = [e["event_type"] for e in events]
    assert types.count("run_retried") == 1 and types.count("run_failed") == 1
    retry_event = events[types.index("run_retried")]
    assert retry_event["data"]["error"]["code"] == "INVALID_MEDIA_REF"
    assert retry_event["data"]["execution"] == f"{run_id}-g2" and "execution_arn" not in retry_event["data"]
    # Not repeated: the first module, and the step's start.
    firsts = [
        e for e in events if e["event_type"] == "module_completed" and e["data"]["module_index"] == 0 and e["step_id"] == "s"
    ]
    assert len(firsts) == 1
    assert [e["step_id"] for e in events if e["event_type"] == "step_started"] == ["s", "t"]
    assert_problem(client.post(f"/v1/runs/{run_id}/retry"), 409, "RUN_NOT_FAILED")


def test_retry_only_from_error(client, make_client):
    run_id = _start(client, greeting("retry-not-failed"))["run_id"]
    wait_for_status(client, run_id, "awaiting_input")
    before = _events(client, run_id)
    body = assert_problem(client.post(f"/v1/runs/{run_id}/retry"), 409, "RUN_NOT_FAILED")
    assert body["run_status"] == "awaiting_input"
    assert_problem(make_client().post(f"/v1/runs/{run_id}/retry"), 404, "NOT_FOUND")
    assert client.post(f"/v1/runs/{run_id}/cancel").status_code == 200
    assert_problem(client.post(f"/v1/runs/{run_id}/retry"), 409, "RUN_NOT_FAILED")
    assert len(_events(client, run_id)) == len(before) + 1  # only the cancel
