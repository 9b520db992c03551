"""AWS throttling that outlives botocore's retries leaves a task Lambda under a name the
state machine's Retry matches, and only that: other failures keep their own class."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from relay.exceptions import NotFoundError, ServiceUnavailableError
from relay.runtime.services.execution import ExecutionService

ASL = Path(__file__).resolve().parents[3] / "statemachines" / "run.asl.json"


class _Runs:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def get(self, run_id):
        if self.error:
            raise self.error
        return


def _service(error):
    return ExecutionService(_Runs(error), None, None, default_input_timeout_seconds=60)


def _throttled():
    return ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "GetItem")


def test_throttling_becomes_service_unavailable_in_run_step_and_await_input():
    with pytest.raises(ServiceUnavailableError) as caught:
        _service(_throttled()).run_step("run_a", None, "corr")
    assert isinstance(caught.value.__cause__, ClientError)
    with pytest.raises(ServiceUnavailableError):
        _service(_throttled()).await_input("run_a", {}, "token", "corr")


def test_other_errors_keep_their_class():
    with pytest.raises(NotFoundError):
        _service(None).run_step("run_a", None, "corr")
    refused = ClientError({"Error": {"Code": "ValidationException"}}, "GetItem")
    with pytest.raises(ClientError):
        _service(refused).run_step("run_a", None, "corr")


@pytest.mark.parametrize("state", ["RunStep", "AwaitInput", "RecordFailure"])
def test_the_state_machine_retries_it(state):
    retry = json.loads(ASL.read_text())["States"][state]["Retry"]
    assert any("ServiceUnavailableError" in r["ErrorEquals"] for r in retry)
