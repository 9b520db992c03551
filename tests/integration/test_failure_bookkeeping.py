"""A failure whose own bookkeeping cannot be committed still ends the run and the execution.

The run's history is made to refuse RecordFailure's commit: an event is put at the sequence
number RecordFailure will take (as a writer that appended behind the run's back would). The
pause then times out. RecordFailure retries its commit, then ends the run without an event."""

from __future__ import annotations

import time

from documents import greeting
from executions import execution_arn
from polling import wait_for_status
from test_run_failures import _start


def test_unrecordable_failure_ends_run_and_execution(client, relay):
    run_id = _start(client, greeting("unrecordable", timeout_seconds=2))
    wait_for_status(client, run_id, "awaiting_input")
    settings = relay.settings
    run = relay.run_repository.get(run_id)
    relay.dynamodb.put_item(
        TableName=settings.events_table,
        Item={
            "run_id": {"S": run_id},
            "seq": {"N": str(run.event_seq + 1)},
            "event_type": {"S": "foreign"},
            "run_branch": {"S": f"{run_id}#main"},
        },
    )

    failed = wait_for_status(client, run_id, "error", timeout=30)
    assert failed["error"]["code"] == "BOOKKEEPING_FAILED"
    assert "INPUT_TIMEOUT" in failed["error"]["message"]
    assert failed["pending_input"] is None and failed["ended_at"] is not None
    assert client.get("/v1/runs", params={"status": "error"}).json()["items"][0]["run_id"] == run_id

    sfn = relay.stepfunctions
    deadline = time.monotonic() + 30
    while (status := sfn.describe_execution(executionArn=execution_arn(relay, run_id))["status"]) == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.1)
    assert status == "FAILED"
    late = client.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "late"})
    assert late.status_code == 409
