"""An execution older than the run's (a retry, branch or resume started `<run_id>-g<N+1>`)
leaves the run untouched in every task: RunStep ends it, AwaitInput refuses to store its
token, RecordFailure records nothing. The run's own execution and a continuation go on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relay.domain import Run, RunStatus
from relay.runtime.services.execution import ExecutionService, SupersededExecutionError

ASL = Path(__file__).resolve().parents[3] / "statemachines" / "run.asl.json"
SM = "arn:aws:states:us-east-1:1:execution:relay-run"


class _Runs:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.commits = 0
        self.forced = 0

    def get(self, run_id):
        return self.run

    def commit(self, *args, **kwargs):
        self.commits += 1
        raise AssertionError("a superseded execution must not commit")

    def force_error(self, *args, **kwargs):
        self.forced += 1


def _run(status=RunStatus.running, generation="-g3"):
    return Run(
        run_id="run_a",
        user_id="usr_a",
        template_id="tpl_a",
        template_name="t",
        initial_version_id="ver_a",
        current_version_id="ver_a",
        status=status,
        execution_arn=f"{SM}:run_a{generation}",
        created_at="2025-01-01T00:00:00.000000Z",
        updated_at="2025-01-01T00:00:00.000000Z",
    )


def _service(run):
    runs = _Runs(run)
    return ExecutionService(runs, None, None, default_input_timeout_seconds=60), runs


@pytest.mark.parametrize("old", [f"{SM}:run_a", f"{SM}:run_a-g2"])
def test_every_task_of_an_older_execution_leaves_the_run_alone(old):
    service, runs = _service(_run())
    assert service.run_step("run_a", None, "corr", execution_arn=old)["outcome"] == "failed"
    with pytest.raises(SupersededExecutionError):
        service.await_input("run_a", {"step_id": "s", "timeout_seconds": 60}, "token", "corr", execution_arn=old)
    assert service.record_failure("run_a", {"Error": "States.Timeout"}, "corr", execution_arn=old)["outcome"] == "failed"
    assert runs.commits == 0 and runs.forced == 0


def test_the_runs_own_and_newer_executions_are_not_superseded():
    run = _run()
    assert not ExecutionService._superseded(run, run.execution_arn)
    assert not ExecutionService._superseded(run, f"{SM}:run_a-g4")  # a continuation not yet recorded
    assert not ExecutionService._superseded(run, None)
    assert not ExecutionService._superseded(_run(generation=""), f"{SM}:run_a")


@pytest.mark.parametrize("state", ["RunStep", "AwaitInput", "RecordFailure"])
def test_every_task_is_told_its_execution(state):
    payload = json.loads(ASL.read_text())["States"][state]["Parameters"]["Payload"]
    assert payload["execution_arn.$"] == "$$.Execution.Id"
