"""Start runs, read them, page their events, and answer their pauses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from relay.domain import NewEvent, PendingInput, Run, RunError, RunStatus, User
from relay.domain.limits import MAX_ANSWER_BYTES, MAX_INPUTS_BYTES, json_size
from relay.exceptions import (
    AlreadyDecidedError,
    ConcurrentUpdateError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
)
from relay.ids import is_id, new_id, now_iso
from relay.adapters.orchestrator import InputExpiredError

from .templates import TemplateService


def get_module(module_id: str) -> Any:
    """The step module that checks an answer. Imported on first use, like the workflows in
    `TemplateService`: the API's other requests never load the step modules."""
    from relay.modules import get_module as module_for

    return module_for(module_id)


class NotAwaitingInputError(ConflictError):
    code = "NOT_AWAITING_INPUT"


class AlreadyAnsweredError(AlreadyDecidedError):
    """Told to every answer but the winner, with the winning input's id."""


# Claim attempts per answer: each failed claim means another writer committed meanwhile, so
# after the winner's commit a reload sees the pause answered; a few cover the engine's writes.
_CLAIM_ATTEMPTS = 5


def _check_size(value: Any, limit: int, name: str, code: str) -> None:
    size = json_size(value)
    if size > limit:
        raise PayloadTooLargeError(f"{name} is {size} bytes as JSON; at most {limit} allowed", code=code)


@dataclass(frozen=True)
class StartRun:
    template_name: str | None = None
    version_id: str | None = None
    workflow: dict[str, Any] | None = None
    project_name: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)


class RunService:
    def __init__(self, runs, templates: TemplateService, orchestrator, idempotency=None, media=None) -> None:
        self._runs = runs  # RunRepository
        self._templates = templates
        self._orchestrator = orchestrator  # RunOrchestrator
        self._idempotency = idempotency  # IdempotentCall, for Idempotency-Key
        self._media = media  # MediaService: answers naming an upload (user.media_upload)

    # -- start ----------------------------------------------------------------------------
    def start(
        self, user: User, request: StartRun, idempotency_key: str | None = None, lambda_context: Any = None
    ) -> Run:
        _check_size(request.inputs, MAX_INPUTS_BYTES, "inputs", "INPUTS_TOO_LARGE")
        if idempotency_key is None or self._idempotency is None:
            return self._start(user, request)
        body = {
            "template_name": request.template_name,
            "version_id": request.version_id,
            "workflow": request.workflow,
            "project_name": request.project_name,
            "inputs": request.inputs,
        }
        run_id = self._idempotency.once(
            user.user_id, idempotency_key, body, lambda: self._start(user, request).run_id, lambda_context
        )
        return self.get(user, run_id)

    def _start(self, user: User, request: StartRun) -> Run:
        chosen = [x for x in (request.template_name, request.version_id, request.workflow) if x is not None]
        if len(chosen) != 1:
            raise InvalidRequestError(
                "give exactly one of template_name, version_id or workflow", code="INVALID_RUN_REQUEST"
            )
        if request.workflow is not None:
            submitted = self._templates.submit_json(user, request.workflow)
            template, version = submitted.template, submitted.version
        elif request.version_id is not None:
            version = self._templates.get_version(user, request.version_id, with_workflow=False)
            template = self._templates.get_template(user, version.template_id)
        else:
            template = self._templates.template_by_name(user, request.template_name)
            if not template.latest_version_id:
                raise NotFoundError(f"template {template.template_name!r} has no version")
            version = self._templates.get_version(user, template.latest_version_id, with_workflow=False)

        now = now_iso()
        run = Run(
            run_id=new_id("run"),
            user_id=user.user_id,
            template_id=template.template_id,
            template_name=template.template_name,
            initial_version_id=version.version_id,
            current_version_id=version.version_id,
            project_name=request.project_name,
            inputs=request.inputs,
            state=dict(request.inputs),
            created_at=now,
            updated_at=now,
        )
        created = NewEvent(
            event_type="run_created",
            data={"template_id": template.template_id, "version_id": version.version_id, "inputs": request.inputs},
        )
        run.execution_arn = self._orchestrator.execution_arn(run.run_id)
        run = self._runs.create(run, [created], new_id("corr"))
        try:
            self._orchestrator.start(run.run_id)
        except Exception as exc:
            error = RunError(code="START_FAILED", message=str(exc))
            failed = run.model_copy(update={"status": RunStatus.error, "error": error, "ended_at": now_iso()})
            self._runs.commit(
                run, failed, [NewEvent(event_type="run_failed", data={"error": error.model_dump()})], new_id("corr")
            )
            raise
        self._templates.touch_used(template)
        return run

    # -- read -----------------------------------------------------------------------------
    def get(self, user: User, run_id: str) -> Run:
        run = self._runs.get(run_id) if is_id(run_id, "run") else None
        if run is None or run.user_id != user.user_id:
            raise NotFoundError(f"run {run_id[:64]} not found")
        return run

    def list(self, user: User, status: RunStatus | None, cursor: str | None, limit: int):
        return self._runs.list_for_user(user.user_id, status.value if status else None, cursor, limit)

    def events(self, user: User, run_id: str, branch_id: str | None, cursor: str | None, limit: int):
        self.get(user, run_id)
        return self._runs.events(run_id, branch_id, cursor, limit)

    def approvals(self, user: User, cursor: str | None, limit: int) -> tuple[list[PendingInput], str | None]:
        return self._runs.pending_for_user(user.user_id, cursor, limit)

    # -- answer ---------------------------------------------------------------------------
    def answer(self, user: User, run_id: str, step_id: str, value: Any) -> tuple[Run, str]:
        """Validate the answer, claim the pause, then resume the execution with it.

        Claiming is one conditional transaction on the run (`rev`) and the pending input
        (`status = pending`): of any number of concurrent answers exactly one commits; every
        other reloads and is told which input won. Returns the claimed run and its input id."""
        _check_size(value, MAX_ANSWER_BYTES, "value", "VALUE_TOO_LARGE")
        looked_up: dict[str, Any] = {}
        for _ in range(_CLAIM_ATTEMPTS):
            run = self.get(user, run_id)
            summary = run.pending_input
            if summary is None or summary.step_id != step_id:
                raise self._not_waiting(run_id, step_id)
            if summary.answered or run.status != RunStatus.awaiting_input:
                raise self._already_answered(run_id, summary.input_id)
            module = get_module(summary.module_id)
            delivered = self._resolve(user, run_id, module, summary.request, value, looked_up)
            module.accept(summary.request, delivered)
            pending = self._runs.get_pending(run_id, summary.input_id)
            if pending is None or pending.status != "pending":
                raise self._already_answered(run_id, summary.input_id, pending)
            try:
                claimed = self._runs.decide(run, pending, delivered, user.username)
            except (ConcurrentUpdateError, AlreadyDecidedError):
                continue  # another answer (or the engine) got there first: reload and see
            break
        else:
            raise ConcurrentUpdateError(f"run {run_id} kept changing; retry the answer")

        if module.answer_lookup == "media":
            try:
                self._media.attach(looked_up["media"], run_id)
            except Exception:
                self._reopen(claimed, pending)  # not attached: the pause goes on
                raise
        output = {"input_id": pending.input_id, "step_id": step_id, "value": delivered, "decided_by": user.username}
        try:
            self._orchestrator.deliver(pending.task_token, output)
        except InputExpiredError:
            raise  # the pause is over; RecordFailure closes the run and this input
        except Exception:
            self._reopen(claimed, pending)  # not delivered: the pause goes on
            raise
        return claimed, pending.input_id

    def _resolve(
        self, user: User, run_id: str, module: Any, request: dict[str, Any], value: Any, looked_up: dict[str, Any]
    ) -> Any:
        """The value the run receives: the answer itself, or for a module with an
        `answer_lookup` the answer resolved with the record it names (looked up once)."""
        if module.answer_lookup is None:
            return value
        if module.answer_lookup != "media" or self._media is None:
            raise TypeError(f"{module.module_id}: no lookup for {module.answer_lookup!r}")
        media_id = module.answer_key(value)
        media = looked_up.get("media")
        if media is None or media.media_id != media_id:
            media = looked_up["media"] = self._media.get(user, media_id)  # 404 unless the caller's
        if media.run_id not in (None, run_id):
            raise InvalidRequestError(f"media {media_id} is attached to another run", code="INVALID_INPUT_VALUE")
        return module.resolve_answer(request, value, media.model_dump(mode="json"))

    def _already_answered(
        self, run_id: str, input_id: str, pending: PendingInput | None = None
    ) -> AlreadyAnsweredError:
        """409 naming the input that won, who decided it and when."""
        pending = pending or self._runs.get_pending(run_id, input_id)
        decided = {"decided_by": pending.decided_by, "decided_at": pending.decided_at} if pending else {}
        return AlreadyAnsweredError(
            f"input {input_id} of this pause was already answered", input_id=input_id, **decided
        )

    def _not_waiting(self, run_id: str, step_id: str) -> ConflictError:
        """The step is not paused now: if it was answered (the run moved on), say by whom."""
        answered = self._runs.last_answer(run_id, step_id)
        if answered is not None:
            return self._already_answered(run_id, answered.input_id, answered)
        return NotAwaitingInputError(f"step {step_id!r} of run {run_id} is not waiting for input")

    def _reopen(self, run: Run, pending: PendingInput) -> None:
        for _ in range(3):
            try:
                self._runs.reopen(run, pending)
                return
            except ConcurrentUpdateError:
                run = self._runs.get(run.run_id)
            except AlreadyDecidedError:
                return  # RunStep applied it after all: the answer was delivered
