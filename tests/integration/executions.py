"""A run's Step Functions execution, read from its stored record: the API shows no ARN
(issue 15), the record keeps it for the engine and for these tests."""

from __future__ import annotations

from typing import Any


def execution_arn(relay: Any, run_id: str) -> str:
    run = relay.run_repository.get(run_id)
    assert run is not None and run.execution_arn, f"run {run_id} has no execution"
    return run.execution_arn
