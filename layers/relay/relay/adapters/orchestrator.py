"""Step Functions: start a run's execution, answer its task tokens."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from relay.domain.exceptions import InputExpiredError
from relay.exceptions import ServiceUnavailableError

from .dynamo import error_code

# Codes meaning the token will never be accepted again.
_DEAD_TOKEN = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken", "ExecutionDoesNotExist"}


class RunOrchestrator:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def execution_arn(self, run_id: str) -> str:
        """Known before the start: the execution is named by the run id."""
        return self._state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + run_id

    def start(self, run_id: str, execution_name: str | None = None) -> str:
        """Start an execution of the run (named by the run id, or `execution_name` for a
        continuation). Starting a name that already exists is a retry: its ARN is returned."""
        name = execution_name or run_id
        payload = json.dumps({"run_id": run_id, "input": None, "invocations": 0})
        try:
            response = self._client.start_execution(stateMachineArn=self._state_machine_arn, name=name, input=payload)
        except ClientError as exc:
            if error_code(exc) == "ExecutionAlreadyExists":
                return self._state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name
            if error_code(exc) in {"ThrottlingException", "ServiceUnavailable", "InternalServerError"}:
                raise ServiceUnavailableError("could not start the run; retry") from exc
            raise
        return response["executionArn"]

    def deliver(self, task_token: str, output: dict[str, Any]) -> None:
        try:
            self._client.send_task_success(taskToken=task_token, output=json.dumps(output))
        except ClientError as exc:
            if error_code(exc) in _DEAD_TOKEN:
                raise InputExpiredError("the run is no longer waiting for this input") from exc
            raise ServiceUnavailableError("could not deliver the input; retry") from exc

    def stop(self, execution_arn: str, cause: str) -> None:
        """Stop a run's execution (its waiting task token dies with it). One that has ended
        already is left as it is."""
        try:
            self._client.stop_execution(executionArn=execution_arn, cause=cause[:1000])
        except ClientError as exc:
            if error_code(exc) == "ExecutionDoesNotExist":
                return
            if error_code(exc) in {"ThrottlingException", "ServiceUnavailable", "InternalServerError"}:
                raise ServiceUnavailableError("could not stop the run's execution; retry") from exc
            raise
