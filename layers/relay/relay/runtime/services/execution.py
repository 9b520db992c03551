"""The task Lambdas' use cases: RunStep, AwaitInput, RecordFailure.

Each loads the run, decides, and commits the run with its events in one transaction.
A Lambda retry after a commit finds the run already advanced and does nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from relay.adapters.dynamo import is_transient
from relay.domain import TERMINAL_STATUSES, NewEvent, PendingInput, PendingSummary, Run, RunError, RunStatus
from relay.domain.changes import ApplyAnswer, Change, ClosePendingInput, PutPendingInput
from relay.domain.executions import execution_generation, next_execution_name
from relay.exceptions import ConflictError, NotFoundError, RelayError, ServiceUnavailableError
from relay.ids import iso, new_id, now_iso, utcnow
from relay.metrics import count
from relay.metrics import names as metric
from relay.runtime.engine import Answer, advance
from relay.runtime.outcomes import Outcome
from relay.runtime.ports import Orchestrator, RunStore, VersionStore, WorkflowDocuments
from relay.runtime.scope import AttemptFactory
from relay.workflows import Workflow

from .run_logging import log_events
from .task_errors import SupersededExecutionError, failure_error, transient_as_unavailable
from .usage import add_totals

# A run's version is immutable, so its parsed workflow can live for the container's life
# (bounded: a warm container may serve runs of many versions).
_WORKFLOWS: dict[str, Workflow] = {}
_WORKFLOWS_MAX = 64

_RECORD_ATTEMPTS = 3


_next_execution_name = next_execution_name  # the one rule for every new execution's name


class ExecutionService:
    def __init__(
        self,
        runs: RunStore,
        templates: VersionStore,
        workflow_store: WorkflowDocuments,
        *,
        default_input_timeout_seconds: int,
        continue_as_new_after: int = 1000,
        orchestrator_for: Callable[[str], Orchestrator] | None = None,  # state machine ARN → its orchestrator
        attempts: AttemptFactory | None = None,  # what each attempt's modules may use
    ) -> None:
        self._attempts = attempts or AttemptFactory()
        self._runs = runs
        self._templates = templates
        self._store = workflow_store
        self._default_timeout = default_input_timeout_seconds
        self._continue_as_new_after = continue_as_new_after
        self._orchestrator_for = orchestrator_for

    def _load(self, run_id: str) -> Run:
        run = self._runs.get(run_id)
        if run is None:
            raise NotFoundError(f"run {run_id} not found")
        return run

    def _workflow(self, version_id: str) -> Workflow:
        if version_id not in _WORKFLOWS:
            version = self._templates.get_version(version_id)
            if version is None:
                raise NotFoundError(f"version {version_id} not found")
            document = version.workflow if version.workflow is not None else self._store.get(version.workflow_key)
            if len(_WORKFLOWS) >= _WORKFLOWS_MAX:
                _WORKFLOWS.pop(next(iter(_WORKFLOWS)))  # oldest first
            _WORKFLOWS[version_id] = Workflow.model_validate(document)
        return _WORKFLOWS[version_id]

    # -- RunStep --------------------------------------------------------------------------
    @transient_as_unavailable
    def run_step(
        self,
        run_id: str,
        answer: dict[str, Any] | None,
        correlation_id: str,
        *,
        invocations: int = 0,
        execution_arn: str | None = None,
        state_machine_arn: str | None = None,
    ) -> dict[str, Any]:
        """Advance the run; return the state machine's next state object.

        `invocations` counts RunSteps in this execution: from `continue_as_new_after` on, a run
        that would pause or continue starts its next execution (`<run_id>-g<N>`) and this one
        ends with `continued`. The state is committed first, so the next execution simply picks
        up from the cursor; a retry that starts the same name again is harmless."""
        run = self._load(run_id)
        invocations += 1
        if self._superseded(run, execution_arn):
            return self._next(run_id, Outcome.failed, invocations)  # ends this execution (Route → Fail)
        if run.status in TERMINAL_STATUSES:
            outcome = Outcome.completed if run.status == RunStatus.completed else Outcome.failed
            return self._next(run_id, outcome, invocations)
        attempt = self._attempts.begin(run, correlation_id)
        run_llm, reporter = attempt.llm, attempt.reporter
        result = advance(
            self._workflow(run.current_version_id),
            run_id=run.run_id,
            project_name=run.project_name,
            inputs=run.inputs,
            state=run.state,
            cursor=run.cursor,
            pending=run.pending_input,
            answer=Answer(**answer) if answer else None,
            default_timeout_seconds=self._default_timeout,
            capabilities=attempt.capabilities,
        )
        if reporter is not None and reporter.event_seq != run.event_seq:
            # Progress events were appended meanwhile (same rev): number ours after them.
            run = run.model_copy(update={"event_seq": reporter.event_seq})
        moved = execution_arn is not None and execution_arn != run.execution_arn
        if result.events or moved:
            ops = None
            if answer and any(e.event_type == "input_received" for e in result.events):
                # The delivered answer is the one that counts, whoever claimed the pause: the
                # pending input records it and can no longer be reopened.
                ops = [ApplyAnswer(run_id, answer["input_id"], answer["value"], answer.get("decided_by"))]
            after = run.model_copy(
                update={
                    "status": result.status,
                    "state": result.state,
                    "cursor": result.cursor,
                    "progress": result.progress,
                    "current_step": result.current_step,
                    "error": result.error,
                    "pending_input": None if ops else run.pending_input,
                    "ended_at": now_iso() if result.status in TERMINAL_STATUSES else None,
                    "execution_arn": execution_arn or run.execution_arn,
                    "llm_usage": add_totals(run.llm_usage, run_llm.totals) if run_llm and run_llm.totals else run.llm_usage,
                }
            )
            self._runs.commit(run, after, result.events, correlation_id, ops)
            log_events(result.events)
        if (
            result.outcome in (Outcome.paused, Outcome.waiting, Outcome.continue_)
            and invocations >= self._continue_as_new_after
            and state_machine_arn is not None
        ):
            orchestrator = self._orchestrator_for(state_machine_arn)
            orchestrator.start(run_id, _next_execution_name(execution_arn, run_id))
            return self._next(run_id, Outcome.continued, invocations)
        return self._next(
            run_id,
            result.outcome,
            invocations,
            pause=result.pause.as_dict() if result.pause else None,
            wait_seconds=result.wait_seconds,
        )

    @staticmethod
    def _superseded(run: Run, execution_arn: str | None) -> bool:
        """An execution older than the run's (a retry, branch or resume started a newer one
        while this one was stopping) must not touch the run."""
        if execution_arn is None or run.execution_arn is None:
            return False
        return execution_generation(execution_arn) < execution_generation(run.execution_arn)

    @staticmethod
    def _next(
        run_id: str, outcome: Outcome, invocations: int, *, pause: dict[str, Any] | None = None, wait_seconds: int | None = None
    ) -> dict[str, Any]:
        """The state object. `wait_seconds` (outcome `waiting`): the Wait state's SecondsPath."""
        return {
            "run_id": run_id,
            "outcome": outcome.value,
            "pause": pause,
            "input": None,
            "invocations": invocations,
            "wait_seconds": wait_seconds,
        }

    # -- AwaitInput -----------------------------------------------------------------------
    @transient_as_unavailable
    def await_input(
        self, run_id: str, pause: dict[str, Any], task_token: str, correlation_id: str, *, execution_arn: str | None = None
    ) -> None:
        run = self._load(run_id)
        if self._superseded(run, execution_arn):
            # A newer execution (retry, branch, resume) owns the run: end this one, untouched.
            raise SupersededExecutionError(f"{execution_arn} is older than the run's {run.execution_arn}")
        if run.status in TERMINAL_STATUSES:
            return
        now = utcnow()
        expires = now + timedelta(seconds=int(pause["timeout_seconds"]))
        pending = PendingInput(
            run_id=run_id,
            input_id=new_id("inp"),
            user_id=run.user_id,
            step_id=pause["step_id"],
            module_index=pause["module_index"],
            module_id=pause["module_id"],
            request=pause["request"],
            task_token=task_token,
            created_at=iso(now),
            expires_at=iso(expires),
        )
        summary = PendingSummary.model_validate(pending.model_dump(exclude={"task_token"}))
        ops: list[Change] = [PutPendingInput(pending, ttl=int(expires.timestamp()) + 30 * 24 * 3600)]
        if run.pending_input is not None:
            # A retried wait got a new token: the old pending input can never be answered.
            # A claimed but undeliverable answer (its token died with the attempt) goes too.
            ops.append(ClosePendingInput(run_id, run.pending_input.input_id, "superseded", ("pending", "answered")))
        after = run.model_copy(update={"status": RunStatus.awaiting_input, "pending_input": summary})
        event = NewEvent(
            event_type="input_requested",
            step_id=pending.step_id,
            data={
                "input_id": pending.input_id,
                "module_index": pending.module_index,
                "module_id": pending.module_id,
                "request": pending.request,
                "expires_at": pending.expires_at,
            },
        )
        self._runs.commit(run, after, [event], correlation_id, ops)

    # -- RecordFailure --------------------------------------------------------------------
    def record_failure(
        self, run_id: str, error: dict[str, Any], correlation_id: str, *, execution_arn: str | None = None
    ) -> dict[str, Any]:
        """End the run in `error` with the failure as an event. If that commit cannot be made
        (the run's history will not take it), end the run anyway with BOOKKEEPING_FAILED and
        no event, so neither the run nor the execution is left hanging."""
        result = self._next(run_id, Outcome.failed, 0)
        name = str(error.get("Error") or "States.TaskFailed")
        cause = str(error.get("Cause") or "")
        run_error = failure_error(name, cause)
        event = NewEvent(
            event_type="run_failed",
            data={"error": run_error.model_dump(), "cause": {"error": name, "cause": cause[:4000]}},
        )
        problem: Exception | None = None
        for _ in range(_RECORD_ATTEMPTS):
            run = self._load(run_id)
            if run.status in TERMINAL_STATUSES or self._superseded(run, execution_arn):
                return result
            try:
                self._commit_failure(run, run_error, event, correlation_id)
                count(metric.RUNS_FAILED)
                return result
            except ConflictError as exc:
                problem = exc  # the run or its pending input moved on meanwhile: reload, try again
            except RelayError as exc:
                problem = exc
                break
            except Exception as exc:
                if is_transient(exc):  # throttled or unreachable: Step Functions retries this
                    raise ServiceUnavailableError(f"could not record the failure: {exc}") from exc
                problem = exc
                break
        detail = f"{run_error.code} ({run_error.message[:1000]}); recording it failed: {type(problem).__name__}: {problem}"
        self._runs.force_error(run, RunError(code="BOOKKEEPING_FAILED", message=detail[:2000]))
        count(metric.RUNS_FAILED)
        return result

    def _commit_failure(self, run: Run, run_error: RunError, event: NewEvent, correlation_id: str) -> None:
        ops: list[Change] = []
        if run.pending_input is not None:
            pending = self._runs.get_pending(run.run_id, run.pending_input.input_id)
            if pending is not None and pending.status in ("pending", "answered"):
                ops.append(ClosePendingInput(run.run_id, pending.input_id, "expired", (pending.status,)))
        after = run.model_copy(
            update={
                "status": RunStatus.error,
                "error": run_error,
                "pending_input": None,
                "ended_at": now_iso(),
                # A module's outside job is given up with the run: a retry starts the module afresh.
                "cursor": run.cursor.model_copy(update={"job": None}),
            }
        )
        event = event.model_copy(update={"step_id": run.current_step})
        self._runs.commit(run, after, [event], correlation_id, ops)
