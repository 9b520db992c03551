"""A long run continues as a new execution (here after 4 RunSteps; 1000 by default) and
nothing is lost across the hand-over: state, events and the pause all carry on."""

from __future__ import annotations

from documents import module, step, workflow
from executions import execution_arn
from polling import wait_for_status


def test_long_run_hands_over_to_new_executions_and_completes(client, relay):
    questions = [f"q{i}" for i in range(7)]
    wf = workflow(
        "long_run",
        *[step(q, module("user.text_input", {"prompt": f"Answer {q}"}, value=q)) for q in questions],
        step(
            "sum",
            module("transform.format", {"template": "{a}..{b}", "values": {"a": "$state.q0", "b": "$state.q6"}}, value="summary"),
        ),
    )
    client.post("/v1/templates", json={"workflow": wf})
    run = client.post("/v1/runs", json={"template_name": "long_run"}).json()
    run_id = run["run_id"]
    executions = {execution_arn(relay, run_id)}

    for q in questions:
        paused = wait_for_status(client, run_id, "awaiting_input")
        assert paused["pending_input"]["step_id"] == q
        executions.add(execution_arn(relay, run_id))
        assert client.post(f"/v1/runs/{run_id}/input", json={"step_id": q, "value": f"A{q}"}).status_code == 202

    done = wait_for_status(client, run_id, "completed")
    last = execution_arn(relay, run_id)
    executions.add(last)
    assert done["state"]["summary"] == "Aq0..Aq6"
    assert done["state"] == {**{q: f"A{q}" for q in questions}, "summary": "Aq0..Aq6"}

    names = sorted(arn.rsplit(":", 1)[-1] for arn in executions)
    assert names[0] == run_id and f"{run_id}-g2" in names  # named by the run, generation after

    sfn = relay.stepfunctions
    for arn in executions - {last}:
        assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"  # handed over, not failed
    assert sfn.describe_execution(executionArn=last)["status"] == "SUCCEEDED"

    events = client.get(f"/v1/runs/{run_id}/events", params={"limit": 500}).json()["items"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    started = [e["step_id"] for e in events if e["event_type"] == "step_started"]
    assert started == [*questions, "sum"]  # no step started twice across hand-overs
    assert [e["data"]["value"] for e in events if e["event_type"] == "input_received"] == [f"A{q}" for q in questions]
