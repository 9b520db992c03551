"""What the task Lambdas answer Step Functions with when something fails: errors whose class
names the state machine's Retry and Catch match, and the run error a caught failure becomes."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from relay.adapters.dynamo import is_transient
from relay.domain import RunError
from relay.exceptions import RelayError, ServiceUnavailableError

TIMEOUT_ERRORS = {"States.Timeout", "States.HeartbeatTimeout"}
# Transient provider errors (relay.runtime.providers) Step Functions retried until it gave up.
PROVIDER_ERRORS = {"ProviderThrottledError", "ProviderUnavailableError"}

P = ParamSpec("P")
R = TypeVar("R")


class SupersededExecutionError(RelayError):
    """AwaitInput of an execution a newer one replaced: its Catch ends it (RecordFailure
    leaves the run alone too). Never shown to anyone: Step Functions matches the name."""


def lambda_error_message(cause: str) -> str:
    """A Lambda task's Cause is its error JSON ({errorMessage, errorType, …})."""
    try:
        message = json.loads(cause).get("errorMessage")
    except (ValueError, AttributeError):
        message = None
    return str(message or cause)


def failure_error(name: str, cause: str) -> RunError:
    """The run error of a failure the state machine caught (its Error and Cause)."""
    if name in TIMEOUT_ERRORS:
        return RunError(code="INPUT_TIMEOUT", message="no input arrived before the pause timed out")
    if name in PROVIDER_ERRORS:
        return RunError(code="PROVIDER_ERROR", message=lambda_error_message(cause)[:2000])
    return RunError(code="TASK_FAILED", message=f"{name}: {cause}"[:2000])


def transient_as_unavailable(task: Callable[P, R]) -> Callable[P, R]:
    """AWS throttling or unreachability that outlived botocore's retries leaves the task as
    ServiceUnavailableError, a name the state machine's Retry matches (botocore's own
    exception classes have no stable name to match)."""

    @functools.wraps(task)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return task(*args, **kwargs)
        except RelayError:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise ServiceUnavailableError(f"{task.__name__}: AWS is busy or unreachable: {exc}") from exc
            raise

    return run
