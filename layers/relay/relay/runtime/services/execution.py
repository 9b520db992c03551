"""The task Lambdas' use cases: RunStep, AwaitInput, RecordFailure.

Each loads the run, decides, and commits the run with its events in one transaction.
A Lambda retry after a commit finds the run already advanced and does nothing twice.
"""

from __future__ import annotations

import functools
import json
from datetime import timedelta
from typing import Any

from relay.domain import TERMINAL_STATUSES, NewEvent, PendingInput, PendingSummary, Run, RunError, RunStatus
from relay.runtime.engine import Answer, advance
from relay.adapters.dynamo import is_transient
from relay.adapters.orchestrator import execution_generation, next_execution_name
from relay.exceptions import ConflictError, NotFoundError, RelayError, ServiceUnavailableError
from relay.ids import iso, new_id, now_iso, utcnow
from relay.workflows import Workflow

from .run_logging import log_events
from .usage import add_totals

# A run's version is immutable, so its parsed workflow can live for the container's life
# (bounded: a warm container may serve runs of many versions).
_WORKFLOWS: dict[str, Workflow] = {}
_WORKFLOWS_MAX = 64

TIMEOUT_ERRORS = {"States.Timeout", "States.HeartbeatTimeout"}
# Transient provider errors (relay.runtime.providers) Step Functions retried until it gave up.
PROVIDER_ERRORS = {"ProviderThrottledError", "ProviderUnavailableError"}
_RECORD_ATTEMPTS = 3


_next_execution_name = next_execution_name  # the one rule for every new execution's name


def _lambda_error_message(cause: str) -> str:
    """A Lambda task's Cause is its error JSON ({errorMessage, errorType, …})."""
    try:
        message = json.loads(cause).get("errorMessage")
    except (ValueError, AttributeError):
        message = None
    return str(message or cause)


def _transient_as_unavailable(task):
    """AWS throttling or unreachability that outlived botocore's retries leaves the task as
    ServiceUnavailableError, a name the state machine's Retry matches (botocore's own
    exception classes have no stable name to match)."""

    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return task(*args, **kwargs)
        except RelayError:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise ServiceUnavailableError(f"{task.__name__}: AWS is busy or unreachable: {exc}") from exc
            raise

    return run


class SupersededExecutionError(RelayError):
    """AwaitInput of an execution a newer one replaced: its Catch ends it (RecordFailure
    leaves the run alone too). Never shown to anyone: Step Functions matches the name."""


class ExecutionService:
    def __init__(
        self,
        runs,
        templates,
        workflow_store,
        *,
        default_input_timeout_seconds: int,
        continue_as_new_after: int = 1000,
        orchestrator_for=None,  # state machine ARN -> RunOrchestrator
        artifacts=None,  # ArtifactService: ctx.artifacts of the run's modules
        llm=None,  # LlmService: ctx.llm of the run's modules (api.llm)
        history=None,  # HistoryService: ctx.history of the run's modules (history.*, user.select)
        media=None,  # RunMediaFactory: ctx.media of the run's modules (media.generate, media.ingest_url)
        progress_min_interval_seconds: float | None = None,  # None: ctx.progress records nothing
    ) -> None:
        self._progress_interval = progress_min_interval_seconds
        self._artifacts = artifacts
        self._llm = llm
        self._history = history
        self._media = media
        self._runs = runs  # RunRepository
        self._templates = templates  # TemplateRepository
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
    @_transient_as_unavailable
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
            return self._next(run_id, "failed", invocations)  # ends this execution (Route → Fail)
        if run.status in TERMINAL_STATUSES:
            outcome = "completed" if run.status == RunStatus.completed else "failed"
            return self._next(run_id, outcome, invocations)
        run_artifacts = self._run_artifacts(run)
        run_llm = self._run_llm(run, correlation_id, run_artifacts)
        reporter = self._reporter(run, correlation_id)
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
            artifacts=run_artifacts,
            llm=run_llm,
            history=self._run_history(run),
            media=self._media.for_run(run, run_artifacts) if self._media is not None else None,
            report_progress=reporter.report if reporter else None,
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
                ops = [self._runs.applied_op(run_id, answer["input_id"], answer["value"], answer.get("decided_by"))]
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
            result.outcome in ("paused", "waiting", "continue")
            and invocations >= self._continue_as_new_after
            and state_machine_arn is not None
        ):
            orchestrator = self._orchestrator_for(state_machine_arn)
            orchestrator.start(run_id, _next_execution_name(execution_arn, run_id))
            return self._next(run_id, "continued", invocations)
        return self._next(
            run_id, result.outcome, invocations,
            pause=result.pause.as_dict() if result.pause else None, wait_seconds=result.wait_seconds,
        )

    @staticmethod
    def _superseded(run: Run, execution_arn: str | None) -> bool:
        """An execution older than the run's (a retry, branch or resume started a newer one
        while this one was stopping) must not touch the run."""
        if execution_arn is None or run.execution_arn is None:
            return False
        return execution_generation(execution_arn) < execution_generation(run.execution_arn)

    def _run_artifacts(self, run: Run) -> Any:
        if self._artifacts is None:
            return None
        from relay.services.artifacts import RunArtifacts

        # Ids of what this attempt stores derive from the run's rev: a retried RunStep (same
        # rev, nothing committed) stores under the same ids, so nothing is stored twice.
        return RunArtifacts(self._artifacts, run.run_id, run.user_id, f"rev{run.rev}")

    def _reporter(self, run: Run, correlation_id: str) -> Any:
        if self._progress_interval is None:
            return None
        from relay.runtime.services.progress import ProgressReporter

        return ProgressReporter(self._runs, run, correlation_id, min_interval_seconds=self._progress_interval)

    def _run_history(self, run: Run) -> Any:
        if self._history is None:
            return None
        from relay.services.history import RunHistory

        # Like artifacts: recordings are identified by the attempt (rev), so a retried RunStep
        # counts nothing twice.
        return RunHistory(self._history, run.run_id, run.user_id, run.template_id, f"rev{run.rev}")

    def _run_llm(self, run: Run, correlation_id: str, run_artifacts: Any) -> Any:
        if self._llm is None:
            return None
        from relay.runtime.services.llm import RunLlm

        return RunLlm(self._llm, run, correlation_id, run_artifacts)

    @staticmethod
    def _next(
        run_id: str, outcome: str, invocations: int, *, pause: dict[str, Any] | None = None, wait_seconds: int | None = None
    ) -> dict[str, Any]:
        """The state object. `wait_seconds` (outcome `waiting`): the Wait state's SecondsPath."""
        return {
            "run_id": run_id, "outcome": outcome, "pause": pause, "input": None, "invocations": invocations,
            "wait_seconds": wait_seconds,
        }

    # -- AwaitInput -----------------------------------------------------------------------
    @_transient_as_unavailable
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
        ops = [self._runs.put_pending_op(pending, ttl=int(expires.timestamp()) + 30 * 24 * 3600)]
        if run.pending_input is not None:
            # A retried wait got a new token: the old pending input can never be answered.
            # A claimed but undeliverable answer (its token died with the attempt) goes too.
            ops.append(
                self._runs.close_pending_op(
                    run_id, run.pending_input.input_id, "superseded", from_statuses=("pending", "answered")
                )
            )
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
        result = self._next(run_id, "failed", 0)
        name = str(error.get("Error") or "States.TaskFailed")
        cause = str(error.get("Cause") or "")
        if name in TIMEOUT_ERRORS:
            run_error = RunError(code="INPUT_TIMEOUT", message="no input arrived before the pause timed out")
        elif name in PROVIDER_ERRORS:
            run_error = RunError(code="PROVIDER_ERROR", message=_lambda_error_message(cause)[:2000])
        else:
            run_error = RunError(code="TASK_FAILED", message=f"{name}: {cause}"[:2000])
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
        return result

    def _commit_failure(self, run: Run, run_error: RunError, event: NewEvent, correlation_id: str) -> None:
        ops = []
        if run.pending_input is not None:
            pending = self._runs.get_pending(run.run_id, run.pending_input.input_id)
            if pending is not None and pending.status in ("pending", "answered"):
                ops.append(
                    self._runs.close_pending_op(run.run_id, pending.input_id, "expired", from_statuses=(pending.status,))
                )
        after = run.model_copy(
            update={
                "status": RunStatus.error, "error": run_error, "pending_input": None, "ended_at": now_iso(),
                # A module's outside job is given up with the run: a retry starts the module afresh.
                "cursor": run.cursor.model_copy(update={"job": None}),
            }
        )
        event = event.model_copy(update={"step_id": run.current_step})
        self._runs.commit(run, after, [event], correlation_id, ops)
