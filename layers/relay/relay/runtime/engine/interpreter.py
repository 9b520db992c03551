"""Advance a run: apply a human's answer, then run modules until one pauses, the workflow
ends, a module fails, or the event budget for one invocation is spent.

Pure: takes the workflow and the run's state and cursor, returns what happened. The caller
(RunStep) commits the new state and the events in one transaction.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from relay.domain import Cursor, NewEvent, PendingSummary, Progress, RunStatus
from relay.domain.limits import MAX_EVENT_BYTES_PER_COMMIT, json_size
from relay.runtime.modules import ModuleContext, get_module, resolve
from relay.runtime.modules.base import Waiting
from relay.runtime.modules.capabilities import NO_CAPABILITIES, Capabilities, ProgressReport, ProgressSink
from relay.runtime.modules.exceptions import ModuleError
from relay.runtime.outcomes import Outcome
from relay.workflows.models import ModuleSpec, Step, Workflow

from .outputs import apply_outputs, as_error, checked_request, module_completed, module_waiting
from .results import Advance, Answer, ModuleFailedError, Pause, Ran


def _pause(step: Step, module_index: int, request: dict[str, Any], default_timeout_seconds: int) -> Pause:
    module_id = step.modules[module_index].module_id
    own = get_module(module_id).pause_timeout(request)
    return Pause(
        step_id=step.step_id,
        module_index=module_index,
        module_id=module_id,
        request=request,
        timeout_seconds=own or step.timeout_seconds or default_timeout_seconds,
    )


def _step_index(steps: list[Step], step_id: str, spec: ModuleSpec) -> int:
    for index, step in enumerate(steps):
        if step.step_id == step_id:
            return index
    raise ModuleError(f"{spec.module_id} continues at step {step_id!r}, which this workflow does not have", code="UNKNOWN_STEP")


def _progress_sink(report: ProgressReport | None, steps: list[Step], step_index: int, module_index: int) -> ProgressSink | None:
    """ctx.progress of one module: its 0..1 maps onto its share of the run's progress."""
    if report is None:
        return None
    step = steps[step_index]
    share = 1 / len(steps) / len(step.modules)
    low = step_index / len(steps) + module_index * share
    return functools.partial(
        report,
        step_id=step.step_id,
        module_index=module_index,
        module_id=step.modules[module_index].module_id,
        span=(low, low + share),
    )


class _Interpreter:
    """One invocation's walk through the workflow: where it is, and what it has emitted."""

    def __init__(
        self,
        workflow: Workflow,
        *,
        run: dict[str, Any],
        state: dict[str, Any],
        cursor: Cursor,
        default_timeout_seconds: int,
        max_events: int,
        max_event_bytes: int,
        capabilities: Capabilities,
    ) -> None:
        self.steps = workflow.steps
        self.run = run  # $run of references: run_id, project_name, inputs
        self.state = copy.deepcopy(state)
        self.step_index, self.module_index, self.started = cursor.step_index, cursor.module_index, cursor.started
        self.job = cursor.job
        self.events: list[NewEvent] = []
        self.event_bytes = 0
        self.default_timeout = default_timeout_seconds
        self.max_events, self.max_event_bytes = max_events, max_event_bytes
        self.capabilities = capabilities

    # -- bookkeeping ------------------------------------------------------------------------
    def emit(self, event: NewEvent) -> None:
        self.events.append(event)
        self.event_bytes += json_size(event.data)

    def budget_spent(self) -> bool:
        """What one RunStep may commit: DynamoDB takes 100 items and 4 MB per transaction."""
        return len(self.events) >= self.max_events or self.event_bytes >= self.max_event_bytes

    def progress(self, message: str | None = None) -> Progress:
        stage = self.steps[self.step_index].step_id if self.step_index < len(self.steps) else None
        return Progress(value=round(self.step_index / len(self.steps), 4), stage=stage, message=message)

    def result(self, outcome: Outcome, status: RunStatus = RunStatus.running, **extra: Any) -> Advance:
        return Advance(
            outcome=outcome,
            status=status,
            state=self.state,
            cursor=Cursor(step_index=self.step_index, module_index=self.module_index, started=self.started, job=self.job),
            progress=extra.pop("progress", None) or self.progress(),
            current_step=self.steps[self.step_index].step_id if self.step_index < len(self.steps) else None,
            events=self.events,
            **extra,
        )

    def jump(self, step_id: str, spec: ModuleSpec, target: str) -> None:
        to = _step_index(self.steps, target, spec)
        self.emit(NewEvent(event_type="step_jumped", step_id=step_id, data={"to_step": target, "module_id": spec.module_id}))
        self.step_index, self.module_index, self.started = to, 0, False

    def context(self, step: Step) -> ModuleContext:
        c = self.capabilities
        return ModuleContext(
            run_id=self.run["run_id"],
            step_id=step.step_id,
            module_index=self.module_index,
            project_name=self.run["project_name"],
            state=self.state,
            artifacts=c.artifacts,
            llm=c.llm,
            media=c.media,
            history=c.history,
            on_progress=_progress_sink(c.report_progress, self.steps, self.step_index, self.module_index),
        )

    # -- the walk ---------------------------------------------------------------------------
    def advance(self, pending: PendingSummary | None, answer: Answer | None) -> Advance:
        try:
            # 1. The answer to the current pause, if it is (still) the current one.
            if answer is not None and pending is not None and answer.input_id == pending.input_id:
                self.apply_answer(pending, answer)
            elif pending is not None:
                # Still paused and no (matching) answer: nothing to do but wait again.
                pause = _pause(self.steps[self.step_index], self.module_index, pending.request, self.default_timeout)
                return self.result(Outcome.paused, pause=pause)
            # 2. Run modules until something stops us.
            return self.run_steps()
        except ModuleFailedError as failed:
            return self.failed(failed)

    def apply_answer(self, pending: PendingSummary, answer: Answer) -> None:
        spec = self.steps[self.step_index].modules[self.module_index]
        module = get_module(spec.module_id)
        try:
            outputs = module.accept(pending.request, answer.value)
            apply_outputs(spec, outputs, self.state)
        except Exception as exc:  # a module's answer handling is the module's failure
            raise ModuleFailedError(as_error(exc), pending.step_id, self.module_index, spec.module_id) from exc
        self.emit(
            NewEvent(
                event_type="input_received",
                step_id=pending.step_id,
                data={
                    "input_id": pending.input_id,
                    "module_index": self.module_index,
                    "module_id": spec.module_id,
                    "value": answer.value,
                    "decided_by": answer.decided_by,
                },
            )
        )
        self.emit(module_completed(pending.step_id, self.module_index, spec, outputs))
        # The answer is applied (and recorded) even when it sends the run elsewhere or ends it
        # (user.approve's rejection).
        try:
            target = module.route(pending.request, outputs)
            if target is not None:
                self.jump(pending.step_id, spec, target)  # sets the cursor to that step's start
        except Exception as exc:
            raise ModuleFailedError(as_error(exc), pending.step_id, self.module_index, spec.module_id) from exc
        if target is None:
            self.module_index += 1

    def run_steps(self) -> Advance:
        while self.step_index < len(self.steps):
            step = self.steps[self.step_index]
            if self.budget_spent():
                return self.result(Outcome.continue_)
            if not self.started:
                data = {"step_index": self.step_index, "progress": self.progress().value}
                self.emit(NewEvent(event_type="step_started", step_id=step.step_id, data=data))
                self.started = True
            stopped = self.run_modules(step)
            if isinstance(stopped, Advance):
                return stopped
            if stopped:  # jumped to another step
                continue
            # Step done: its snapshot lets a later branch restart from here.
            data = {"step_index": self.step_index, "state": copy.deepcopy(self.state)}
            self.emit(NewEvent(event_type="step_completed", step_id=step.step_id, data=data))
            self.step_index, self.module_index, self.started = self.step_index + 1, 0, False
        self.emit(NewEvent(event_type="run_completed", data={"state": copy.deepcopy(self.state)}))
        return self.result(Outcome.completed, RunStatus.completed, progress=Progress(value=1.0, stage=None, message="completed"))

    def run_modules(self, step: Step) -> Advance | bool:
        """The step's modules from the cursor on: an Advance when the invocation stops, True
        when a module sent the run to another step, False when the step is done."""
        while self.module_index < len(step.modules):
            if self.budget_spent() and self.module_index > 0:
                return self.result(Outcome.continue_)
            spec = step.modules[self.module_index]
            ran = self.run_module(step, spec)
            if isinstance(ran, Advance):
                return ran
            self.emit(module_completed(step.step_id, self.module_index, spec, ran.outputs))
            self.module_index += 1
            if ran.target is not None:
                self.jump(step.step_id, spec, ran.target)
                return True
        return False

    def run_module(self, step: Step, spec: ModuleSpec) -> Advance | Ran:
        try:
            module = get_module(spec.module_id)
            if module.long_running and self.capabilities.report_progress is not None and self.events:
                # Commit what came before first: its progress events then follow them.
                return self.result(Outcome.continue_)
            parsed = module.parse_inputs(resolve(spec.inputs, self.scope(step.step_id)))
            ctx = self.context(step)
            if module.pauses:
                request = checked_request(module.request(parsed, ctx))
                outputs = module.decided(request, ctx)
                if outputs is None:
                    return self.result(Outcome.paused, pause=_pause(step, self.module_index, request, self.default_timeout))
                apply_outputs(spec, outputs, self.state)
                target = module.route(request, outputs)
                if target is not None:
                    _step_index(self.steps, target, spec)  # an unknown step fails this module
                return Ran(outputs, target)
            done = module.poll(parsed, self.job, ctx) if self.job is not None else module.execute(parsed, ctx)
            if isinstance(done, Waiting):
                if done.job != self.job:
                    self.emit(module_waiting(step.step_id, self.module_index, spec, done))
                self.job = done.job
                return self.result(Outcome.waiting, wait_seconds=done.wait_seconds)
            self.job = None
            apply_outputs(spec, done, self.state)
            return Ran(done)
        except Exception as exc:
            if getattr(exc, "retryable", False):
                if any(e.event_type == "module_completed" for e in self.events):
                    return self.result(Outcome.continue_)
                raise
            raise ModuleFailedError(as_error(exc), step.step_id, self.module_index, spec.module_id) from exc

    def scope(self, step_id: str) -> dict[str, Any]:
        return {"state": self.state, "run": self.run, "step": {"step_id": step_id}}

    def failed(self, failed: ModuleFailedError) -> Advance:
        self.job = None  # a retry of the run starts the module afresh
        data = {"module_index": failed.module_index, "module_id": failed.module_id, "error": failed.error.model_dump()}
        self.emit(NewEvent(event_type="module_failed", step_id=failed.step_id, data=data))
        self.emit(NewEvent(event_type="run_failed", data={"error": failed.error.model_dump()}))
        return self.result(Outcome.failed, RunStatus.error, error=failed.error, progress=self.progress(failed.error.message))


def advance(
    workflow: Workflow,
    *,
    run_id: str,
    project_name: str | None,
    inputs: dict[str, Any],
    state: dict[str, Any],
    cursor: Cursor,
    pending: PendingSummary | None,
    answer: Answer | None,
    default_timeout_seconds: int,
    max_events: int = 60,
    max_event_bytes: int = MAX_EVENT_BYTES_PER_COMMIT,
    capabilities: Capabilities = NO_CAPABILITIES,
) -> Advance:
    """`capabilities` is what the modules may use (RunStep's attempt: relay.runtime.scope):
    `ctx.artifacts`, `ctx.llm`, `ctx.media`, `ctx.history`; its `report_progress` receives
    what a module reports with `ctx.progress`, with the module's place and its share (`span`)
    of the run's 0..1.

    A module error marked `retryable` (a provider throttled or unavailable after its SDK's
    retries) does not fail the run: it leaves RunStep so that Step Functions retries the task
    (its Retry names the error class). When modules completed earlier in this invocation, the
    run first commits them (outcome `continue`) and the next RunStep starts at the failing
    module, so a retry never repeats a call that succeeded.

    A pausing module may send the run to another step (`Module.route`, e.g. user.approve's
    `on_reject`): the rest of the current step is skipped, a `step_jumped` event records it,
    and the run continues at the start of that step.

    A module whose outside job is not done returns Waiting: the run keeps the job on its
    cursor, ends the invocation with outcome `waiting` and `wait_seconds`, and the next
    RunStep calls the module's `poll` with the job."""
    walk = _Interpreter(
        workflow,
        run={"run_id": run_id, "project_name": project_name, "inputs": inputs},
        state=state,
        cursor=cursor,
        default_timeout_seconds=default_timeout_seconds,
        max_events=max_events,
        max_event_bytes=max_event_bytes,
        capabilities=capabilities,
    )
    return walk.advance(pending, answer)
