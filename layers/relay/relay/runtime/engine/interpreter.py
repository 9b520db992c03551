"""Advance a run: apply a human's answer, then run modules until one pauses, the workflow
ends, a module fails, or the event budget for one invocation is spent.

Pure: takes the workflow and the run's state and cursor, returns what happened. The caller
(RunStep) commits the new state and the events in one transaction.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from typing import Any

from relay.domain import Cursor, NewEvent, PendingSummary, Progress, RunError, RunStatus
from relay.domain.limits import MAX_EVENT_BYTES_PER_COMMIT, MAX_REQUEST_BYTES, MAX_STATE_BYTES, json_size
from relay.domain.state_paths import set_path
from relay.exceptions import RelayError
from relay.runtime.modules import ModuleContext, get_module, resolve
from relay.runtime.modules.base import Waiting
from relay.runtime.modules.exceptions import ModuleError


@dataclass(frozen=True)
class Answer:
    """What the API sent with SendTaskSuccess."""

    input_id: str
    step_id: str
    value: Any
    decided_by: str | None = None


@dataclass(frozen=True)
class Pause:
    step_id: str
    module_index: int
    module_id: str
    request: dict[str, Any]
    timeout_seconds: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "module_index": self.module_index,
            "module_id": self.module_id,
            "request": self.request,
            "timeout_seconds": self.timeout_seconds,
        }


@dataclass
class Advance:
    outcome: str  # paused | waiting | continue | completed | failed
    status: RunStatus
    state: dict[str, Any]
    cursor: Cursor
    progress: Progress
    current_step: str | None
    events: list[NewEvent] = field(default_factory=list)
    pause: Pause | None = None
    error: RunError | None = None
    wait_seconds: int | None = None  # waiting: before RunStep polls the module's job again


class _Failed(Exception):
    def __init__(self, error: RunError, step_id: str, module_index: int, module_id: str) -> None:
        super().__init__(error.message)
        self.error, self.step_id = error, step_id
        self.module_index, self.module_id = module_index, module_id


def _apply_outputs(spec: Any, outputs: dict[str, Any], state: dict[str, Any]) -> None:
    """All of a module's mapped outputs, or (when one is missing or the state would outgrow
    its limit) none of them."""
    missing = [name for name in spec.outputs_to_state if name not in outputs]
    if missing:
        raise ModuleError(
            f"{spec.module_id} has no output {missing[0]!r} (it has {sorted(outputs)})",
            code="UNKNOWN_OUTPUT",
        )
    size = json_size(outputs)
    if size > MAX_STATE_BYTES:
        raise ModuleError(
            f"{spec.module_id} returned {size} bytes of outputs; at most {MAX_STATE_BYTES} allowed",
            code="OUTPUT_TOO_LARGE",
        )
    roots = {target.split(".", 1)[0] for target in spec.outputs_to_state.values()}
    saved = {root: copy.deepcopy(state[root]) for root in roots if root in state}
    for output_name, target in spec.outputs_to_state.items():
        set_path(state, target, outputs[output_name])
    size = json_size(state)
    if size > MAX_STATE_BYTES:
        for root in roots:  # put back what was there, so the run keeps its last good state
            if root in saved:
                state[root] = saved[root]
            else:
                state.pop(root, None)
        raise ModuleError(
            f"the state would be {size} bytes after {spec.module_id}; at most {MAX_STATE_BYTES} allowed",
            code="STATE_TOO_LARGE",
        )


def _checked_request(request: dict[str, Any]) -> dict[str, Any]:
    size = json_size(request)
    if size > MAX_REQUEST_BYTES:
        raise ModuleError(
            f"the pause asks {size} bytes (prompt, options …); at most {MAX_REQUEST_BYTES} allowed",
            code="REQUEST_TOO_LARGE",
        )
    return request


def _module_completed(step_id: str, module_index: int, spec: Any, outputs: dict[str, Any]) -> NewEvent:
    return NewEvent(
        event_type="module_completed",
        step_id=step_id,
        data={"module_index": module_index, "module_id": spec.module_id, "outputs": outputs},
    )


def _module_waiting(step_id: str, module_index: int, spec: Any, waiting: Waiting) -> NewEvent:
    return NewEvent(
        event_type="module_waiting",
        step_id=step_id,
        data={"module_index": module_index, "module_id": spec.module_id, "job": waiting.job, "wait_seconds": waiting.wait_seconds},
    )


def _pause(step: Any, module_index: int, request: dict[str, Any], default_timeout_seconds: int) -> Pause:
    module_id = step.modules[module_index].module_id
    own = get_module(module_id).pause_timeout(request)
    return Pause(
        step_id=step.step_id,
        module_index=module_index,
        module_id=module_id,
        request=request,
        timeout_seconds=own or step.timeout_seconds or default_timeout_seconds,
    )


def _step_index(steps: Any, step_id: str, spec: Any) -> int:
    for index, step in enumerate(steps):
        if step.step_id == step_id:
            return index
    raise ModuleError(f"{spec.module_id} continues at step {step_id!r}, which this workflow does not have", code="UNKNOWN_STEP")


def _progress_sink(report: Any, steps: Any, step_index: int, module_index: int) -> Any:
    """ctx.progress of one module: its 0..1 maps onto its share of the run's progress."""
    if report is None:
        return None
    step = steps[step_index]
    share = 1 / len(steps) / len(step.modules)
    low = step_index / len(steps) + module_index * share
    return functools.partial(
        report, step_id=step.step_id, module_index=module_index,
        module_id=step.modules[module_index].module_id, span=(low, low + share),
    )


def _as_error(exc: Exception) -> RunError:
    if isinstance(exc, RelayError):
        return RunError(code=exc.code, message=exc.detail)
    return RunError(code="MODULE_EXCEPTION", message=f"{type(exc).__name__}: {exc}")


def advance(
    workflow: Any,
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
    artifacts: Any = None,
    llm: Any = None,
    report_progress: Any = None,
    media: Any = None,
    history: Any = None,
) -> Advance:
    """`artifacts` is what modules get as `ctx.artifacts` (the run's artifact store), `llm`
    as `ctx.llm` (the run's LLM service); `report_progress` (relay.runtime.services.progress's
    ProgressReporter.report) receives what a module reports with `ctx.progress`, with the
    module's place and its share (`span`) of the run's 0..1.

    A module error marked `retryable` (a provider throttled or unavailable after its SDK's
    retries) does not fail the run: it leaves RunStep so that Step Functions retries the task
    (its Retry names the error class). When modules completed earlier in this invocation, the
    run first commits them (outcome `continue`) and the next RunStep starts at the failing
    module, so a retry never repeats a call that succeeded.

    A pausing module may send the run to another step (`Module.route`, e.g. user.approve's
    `on_reject`): the rest of the current step is skipped, a `step_jumped` event records it,
    and the run continues at the start of that step.

    A module whose outside job is not done returns Waiting (`media` is its `ctx.media`): the
    run keeps the job on its cursor, ends the invocation with outcome `waiting` and
    `wait_seconds`, and the next RunStep calls the module's `poll` with the job."""
    steps = workflow.steps
    state = copy.deepcopy(state)
    step_index, module_index, started = cursor.step_index, cursor.module_index, cursor.started
    job = cursor.job
    events: list[NewEvent] = []
    event_bytes = 0

    def emit(event: NewEvent) -> None:
        nonlocal event_bytes
        events.append(event)
        event_bytes += json_size(event.data)

    def budget_spent() -> bool:
        """What one RunStep may commit: DynamoDB takes 100 items and 4 MB per transaction."""
        return len(events) >= max_events or event_bytes >= max_event_bytes

    def progress(message: str | None = None) -> Progress:
        stage = steps[step_index].step_id if step_index < len(steps) else None
        return Progress(value=round(step_index / len(steps), 4), stage=stage, message=message)

    def result(outcome: str, status: RunStatus, **extra: Any) -> Advance:
        return Advance(
            outcome=outcome,
            status=status,
            state=state,
            cursor=Cursor(step_index=step_index, module_index=module_index, started=started, job=job),
            progress=extra.pop("progress", None) or progress(),
            current_step=steps[step_index].step_id if step_index < len(steps) else None,
            events=events,
            **extra,
        )

    def jump(step_id: str, spec: Any, target: str) -> None:
        nonlocal step_index, module_index, started
        to = _step_index(steps, target, spec)
        emit(NewEvent(event_type="step_jumped", step_id=step_id, data={"to_step": target, "module_id": spec.module_id}))
        step_index, module_index, started = to, 0, False

    def scope(step_id: str) -> dict[str, Any]:
        run = {"run_id": run_id, "project_name": project_name, "inputs": inputs}
        return {"state": state, "run": run, "step": {"step_id": step_id}}

    try:
        # 1. The answer to the current pause, if it is (still) the current one.
        if answer is not None and pending is not None and answer.input_id == pending.input_id:
            spec = steps[step_index].modules[module_index]
            module = get_module(spec.module_id)
            try:
                outputs = module.accept(pending.request, answer.value)
                _apply_outputs(spec, outputs, state)
            except Exception as exc:  # a module's answer handling is the module's failure
                raise _Failed(_as_error(exc), pending.step_id, module_index, spec.module_id) from exc
            emit(
                NewEvent(
                    event_type="input_received",
                    step_id=pending.step_id,
                    data={
                        "input_id": pending.input_id,
                        "module_index": module_index,
                        "module_id": spec.module_id,
                        "value": answer.value,
                        "decided_by": answer.decided_by,
                    },
                )
            )
            emit(_module_completed(pending.step_id, module_index, spec, outputs))
            # The answer is applied (and recorded) even when it sends the run elsewhere or
            # ends it (user.approve's rejection).
            try:
                target = module.route(pending.request, outputs)
                if target is not None:
                    jump(pending.step_id, spec, target)  # sets the cursor to that step's start
            except Exception as exc:
                raise _Failed(_as_error(exc), pending.step_id, module_index, spec.module_id) from exc
            if target is None:
                module_index += 1
        elif pending is not None:
            # Still paused and no (matching) answer: nothing to do but wait again.
            pause = _pause(steps[step_index], module_index, pending.request, default_timeout_seconds)
            return result("paused", RunStatus.running, pause=pause)

        # 2. Run modules until something stops us.
        while step_index < len(steps):
            step = steps[step_index]
            if budget_spent():
                return result("continue", RunStatus.running)
            if not started:
                emit(
                    NewEvent(
                        event_type="step_started",
                        step_id=step.step_id,
                        data={"step_index": step_index, "progress": progress().value},
                    )
                )
                started = True
            jumped = False
            while module_index < len(step.modules):
                if budget_spent() and module_index > 0:
                    return result("continue", RunStatus.running)
                spec = step.modules[module_index]
                target = None
                try:
                    module = get_module(spec.module_id)
                    if module.long_running and report_progress is not None and events:
                        # Commit what came before first: its progress events then follow them.
                        return result("continue", RunStatus.running)
                    resolved = resolve(spec.inputs, scope(step.step_id))
                    parsed = module.parse_inputs(resolved)
                    ctx = ModuleContext(
                        run_id=run_id,
                        step_id=step.step_id,
                        module_index=module_index,
                        project_name=project_name,
                        state=state,
                        artifacts=artifacts,
                        llm=llm,
                        media=media,
                        history=history,
                        on_progress=_progress_sink(report_progress, steps, step_index, module_index),
                    )
                    if module.pauses:
                        request = _checked_request(module.request(parsed, ctx))
                        outputs = module.decided(request, ctx)
                        if outputs is None:
                            pause = _pause(step, module_index, request, default_timeout_seconds)
                            return result("paused", RunStatus.running, pause=pause)
                        _apply_outputs(spec, outputs, state)
                        target = module.route(request, outputs)
                        if target is not None:
                            _step_index(steps, target, spec)  # an unknown step fails this module
                    else:
                        outputs = module.poll(parsed, job, ctx) if job is not None else module.execute(parsed, ctx)
                        if isinstance(outputs, Waiting):
                            if outputs.job != job:
                                emit(_module_waiting(step.step_id, module_index, spec, outputs))
                            job = outputs.job
                            return result("waiting", RunStatus.running, wait_seconds=outputs.wait_seconds)
                        job = None
                        _apply_outputs(spec, outputs, state)
                except Exception as exc:
                    if getattr(exc, "retryable", False):
                        if any(e.event_type == "module_completed" for e in events):
                            return result("continue", RunStatus.running)
                        raise
                    raise _Failed(_as_error(exc), step.step_id, module_index, spec.module_id) from exc
                emit(_module_completed(step.step_id, module_index, spec, outputs))
                module_index += 1
                if target is not None:
                    jump(step.step_id, spec, target)
                    jumped = True
                    break
            if jumped:
                continue
            # Step done: its snapshot lets a later branch restart from here.
            emit(
                NewEvent(
                    event_type="step_completed",
                    step_id=step.step_id,
                    data={"step_index": step_index, "state": copy.deepcopy(state)},
                )
            )
            step_index, module_index, started = step_index + 1, 0, False

        emit(NewEvent(event_type="run_completed", data={"state": copy.deepcopy(state)}))
        return result(
            "completed", RunStatus.completed, progress=Progress(value=1.0, stage=None, message="completed")
        )
    except _Failed as failed:
        job = None  # a retry of the run starts the module afresh
        emit(
            NewEvent(
                event_type="module_failed",
                step_id=failed.step_id,
                data={
                    "module_index": failed.module_index,
                    "module_id": failed.module_id,
                    "error": failed.error.model_dump(),
                },
            )
        )
        emit(NewEvent(event_type="run_failed", data={"error": failed.error.model_dump()}))
        return result("failed", RunStatus.error, error=failed.error, progress=progress(failed.error.message))
