"""Cancel and retry a run; `relaunch`, the one way a run gets a new execution from the API.

Every change is RunRepository.commit (conditional on the run's `rev`), so of concurrent
requests on one run exactly one commit wins and the others get a 409. Retry, branch and
resume commit once (a loser is CONCURRENT_UPDATE, never a second retry); a cancel reloads and
decides again (RUN_ENDED once another cancel won), since it must also win over the commits
RunStep makes while a step runs. A new execution is started only after its commit, under the next free name
(`<run_id>-g<N>`), and is recorded on the run first: an older execution still stopping sees
a newer one on the run and ends without touching it (ExecutionService._superseded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from relay.domain import TERMINAL_STATUSES, NewEvent, Run, RunError, RunStatus, User
from relay.domain.changes import Change, ClosePendingInput
from relay.domain.executions import next_execution_name
from relay.exceptions import ConcurrentUpdateError, NotFoundError
from relay.ids import is_id, new_id, now_iso
from relay.metrics import count
from relay.metrics import names as metric
from relay.services.exceptions import RunEndedError, RunNotFailedError

logger = logging.getLogger(__name__)

# A cancel races RunStep's commits while a step runs: it reloads and tries again this often.
_ATTEMPTS = 8


def load_own_run(runs: Any, user: User, run_id: str) -> Run:
    """The caller's run; another tenant's (or no) run is a 404 either way."""
    run = runs.get(run_id) if is_id(run_id, "run") else None
    if run is None or run.user_id != user.user_id:
        raise NotFoundError(f"run {run_id[:64]} not found")
    return run


def with_reloads(load: Callable[[], Run], change: Callable[[Run], Run]) -> Run:
    """`change(run)` on a fresh run until its commit lands (the run moved meanwhile: reload
    and decide again, so a loser sees what the winner did)."""
    for attempt in range(_ATTEMPTS):
        try:
            return change(load())
        except ConcurrentUpdateError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def superseded(run_id: str, input_id: str) -> ClosePendingInput:
    """Close the pause a relaunch leaves behind; decided meanwhile, the run moved (409)."""
    return ClosePendingInput(run_id, input_id, "superseded", conflict=ConcurrentUpdateError)


def relaunch(
    runs: Any,
    orchestrator: Any,
    run: Run,
    update: dict[str, Any],
    events: list[NewEvent],
    changes: Sequence[Change] | None = None,
) -> Run:
    """Commit `update` with the run running again on a new execution, then start it from the
    stored cursor. If it cannot start, the run ends in error (START_FAILED)."""
    name = next_execution_name(run.execution_arn, run.run_id)
    arn = orchestrator.execution_arn(name)
    after = run.model_copy(
        update={
            "status": RunStatus.running,
            "error": None,
            "ended_at": None,
            "pending_input": None,
            "pending_resume": None,
            "execution_arn": arn,
            **update,
        }
    )
    events = [e.model_copy(update={"data": {**e.data, "execution": name}}) for e in events]  # no ARN: events are shown
    committed = runs.commit(run, after, events, new_id("corr"), changes)
    if run.status == RunStatus.awaiting_input and run.execution_arn:
        try:  # the waiting execution; if it cannot be stopped now, its AwaitInput/RecordFailure
            # find a newer execution on the run and leave it alone (ExecutionService._superseded)
            orchestrator.stop(run.execution_arn, f"superseded by {name}")
        except Exception:
            logger.warning("could not stop %s", run.execution_arn, exc_info=True)
    try:
        orchestrator.start(run.run_id, name)
    except Exception as exc:
        error = RunError(code="START_FAILED", message=str(exc)[:2000])
        failed = committed.model_copy(update={"status": RunStatus.error, "error": error, "ended_at": now_iso()})
        runs.commit(committed, failed, [NewEvent(event_type="run_failed", data={"error": error.model_dump()})], new_id("corr"))
        raise
    return committed


class RunControlService:
    def __init__(self, runs, orchestrator) -> None:
        self._runs = runs  # RunRepository
        self._orchestrator = orchestrator  # RunOrchestrator

    def _load(self, user: User, run_id: str) -> Run:
        return load_own_run(self._runs, user, run_id)

    # -- cancel ---------------------------------------------------------------------------
    def cancel(self, user: User, run_id: str) -> Run:
        """Stop the run: status cancelled, its pause (if any) closed as `cancelled`, an event,
        then StopExecution. A RunStep still running finds its commit refused (the rev moved)
        and its retry finds the run ended."""
        cancelled = with_reloads(lambda: self._load(user, run_id), lambda run: self._cancel(user, run))
        count(metric.RUNS_CANCELLED)  # committed once: a refused cancel raised above
        if cancelled.execution_arn:
            try:
                self._orchestrator.stop(cancelled.execution_arn, f"cancelled by {user.user_id}")
            except Exception:  # the run is cancelled: its next task ends the execution anyway
                logger.warning("could not stop %s", cancelled.execution_arn, exc_info=True)
        return cancelled

    def _cancel(self, user: User, run: Run) -> Run:
        if run.status in TERMINAL_STATUSES:
            raise RunEndedError(
                f"the run has ended ({run.status.value}); there is nothing to cancel", run_status=run.status.value
            )
        changes: list[Change] = []
        if run.pending_input is not None:
            # Decided meanwhile (the condition fails): the run moved, so reload and decide again.
            changes.append(
                ClosePendingInput(
                    run.run_id, run.pending_input.input_id, "cancelled", ("pending", "answered"), ConcurrentUpdateError
                )
            )
        event = NewEvent(
            event_type="run_cancelled",
            step_id=run.current_step,
            data={
                "cancelled_by": user.user_id,
                "previous_status": run.status.value,
                "input_id": run.pending_input.input_id if run.pending_input else None,
            },
        )
        after = run.model_copy(
            update={"status": RunStatus.cancelled, "pending_input": None, "pending_resume": None, "ended_at": now_iso()}
        )
        return self._runs.commit(run, after, [event], new_id("corr"), changes)

    # -- retry ----------------------------------------------------------------------------
    def retry(self, user: User, run_id: str) -> Run:
        """A run in `error` continues from the failed module with the state it had: same run,
        a new execution, the error cleared."""

        def retry(run: Run) -> Run:
            if run.status != RunStatus.error:
                raise RunNotFailedError(
                    f"only a run in error can be retried; this one is {run.status.value}", run_status=run.status.value
                )
            event = NewEvent(
                event_type="run_retried",
                step_id=run.current_step,
                data={"retried_by": user.user_id, "error": run.error.model_dump() if run.error else None},
            )
            return relaunch(self._runs, self._orchestrator, run, {}, [event])

        # One attempt: of concurrent retries the first commit wins, the others are a 409.
        return retry(self._load(user, run_id))
