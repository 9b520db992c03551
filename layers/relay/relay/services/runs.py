"""Start runs, read them and page their events (answering their pauses: answers.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from relay.domain import NewEvent, Run, RunError, RunStatus, User
from relay.domain.limits import MAX_INPUTS_BYTES, check_size
from relay.exceptions import InvalidRequestError, NotFoundError
from relay.ids import new_id, now_iso

from .answers import PauseAnswers, owned_run
from .templates import TemplateService

if TYPE_CHECKING:
    from relay.adapters.idempotency import IdempotentCall
    from relay.adapters.orchestrator import RunOrchestrator
    from relay.adapters.runs import RunRepository

    from .artifacts import ArtifactService
    from .media import MediaService
    from .run_search import RunSearchService


@dataclass(frozen=True)
class StartRun:
    template_name: str | None = None
    version_id: str | None = None
    workflow: dict[str, Any] | None = None
    project_name: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    # {default_provider?, default_model?}: what api.llm modules without provider/model use.
    model_preferences: dict[str, Any] | None = None
    # Re-run "like" this run of mine: its version, project, inputs and model preferences, with
    # any of project_name, inputs (merged key by key) and model_preferences given here on top.
    like_run_id: str | None = None


class RunService:
    def __init__(
        self,
        runs: RunRepository,
        templates: TemplateService,
        orchestrator: RunOrchestrator,
        idempotency: IdempotentCall | None = None,  # for Idempotency-Key
        *,
        media: MediaService,  # answers naming an upload (user.media_upload)
        artifacts: ArtifactService,  # decisions of user.approve pauses
        search: RunSearchService | None = None,  # the words a run is found by (None: not indexed)
    ) -> None:
        self._runs = runs
        self._templates = templates
        self._orchestrator = orchestrator
        self._idempotency = idempotency
        self._search = search
        self._answers = PauseAnswers(runs, orchestrator, media, artifacts, search)

    # -- answers (answers.py) -------------------------------------------------------------
    def answer(self, user: User, run_id: str, step_id: str, value: Any, *, artifact_id: str | None = None) -> tuple[Run, str]:
        return self._answers.answer(user, run_id, step_id, value, artifact_id=artifact_id)

    def decide_artifact(self, user: User, artifact_id: str, approve: bool, reason: str | None) -> tuple[Any, str | None]:
        return self._answers.decide_artifact(user, artifact_id, approve, reason)

    # -- start ----------------------------------------------------------------------------
    def start(self, user: User, request: StartRun, idempotency_key: str | None = None, lambda_context: Any = None) -> Run:
        check_size(request.inputs, MAX_INPUTS_BYTES, "inputs", code="INPUTS_TOO_LARGE")
        if idempotency_key is None or self._idempotency is None:
            return self._start(user, request)
        body = {
            "template_name": request.template_name,
            "version_id": request.version_id,
            "workflow": request.workflow,
            "project_name": request.project_name,
            "inputs": request.inputs,
        }
        if request.model_preferences is not None:
            body["model_preferences"] = request.model_preferences
        if request.like_run_id is not None:
            body["like_run_id"] = request.like_run_id
        run_id = self._idempotency.once(
            user.user_id, idempotency_key, body, lambda: self._start(user, request).run_id, lambda_context
        )
        return self.get(user, run_id)

    def _like(self, user: User, request: StartRun) -> StartRun:
        """`like_run_id` → the request that run was started with (its current version), with
        what this request gives on top. Another user's or an unknown run is a 404."""
        like = self.get(user, request.like_run_id or "")
        preferences = like.model_preferences
        if request.model_preferences is not None:
            given = {k: v for k, v in request.model_preferences.items() if v is not None}
            preferences = {**(preferences or {}), **given}
        return StartRun(
            version_id=like.current_version_id,
            project_name=request.project_name if request.project_name is not None else like.project_name,
            inputs={**like.inputs, **request.inputs},
            model_preferences=preferences,
        )

    def _start(self, user: User, request: StartRun) -> Run:
        chosen = [x for x in (request.template_name, request.version_id, request.workflow, request.like_run_id) if x is not None]
        one_of = InvalidRequestError(
            "give exactly one of template_name, version_id, workflow or like_run_id", code="INVALID_RUN_REQUEST"
        )
        if len(chosen) != 1:
            raise one_of
        like_run_id = request.like_run_id
        if like_run_id is not None:
            request = self._like(user, request)
            check_size(request.inputs, MAX_INPUTS_BYTES, "inputs", code="INPUTS_TOO_LARGE")
        if request.workflow is not None:
            submitted = self._templates.submit_json(user, request.workflow)
            template, version = submitted.template, submitted.version
        elif request.version_id is not None:
            version = self._templates.get_version(user, request.version_id, with_workflow=self._search is not None)
            template = self._templates.get_template(user, version.template_id)
        elif request.template_name is not None:
            template = self._templates.template_by_name(user, request.template_name)
            if not template.latest_version_id:
                raise NotFoundError(f"template {template.template_name!r} has no version")
            version = self._templates.get_version(user, template.latest_version_id, with_workflow=self._search is not None)
        else:  # not reached: one was given, and a like_run_id became its version_id
            raise one_of

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
            model_preferences={k: v for k, v in request.model_preferences.items() if v is not None}
            if request.model_preferences
            else None,
            like_run_id=like_run_id,
            created_at=now,
            updated_at=now,
        )
        created = NewEvent(
            event_type="run_created",
            data={
                "template_id": template.template_id,
                "version_id": version.version_id,
                "inputs": request.inputs,
                **({"like_run_id": like_run_id} if like_run_id else {}),
            },
        )
        run.execution_arn = self._orchestrator.execution_arn(run.run_id)
        indexed = self._search.start_changes(run, version.workflow) if self._search is not None else []
        run = self._runs.create(run, [created], new_id("corr"), indexed)
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
        return owned_run(self._runs, user, run_id)

    def list(self, user: User, status: RunStatus | None, cursor: str | None, limit: int):
        return self._runs.list_for_user(user.user_id, status.value if status else None, cursor, limit)

    def events(self, user: User, run_id: str, branch_id: str | None, cursor: str | None, limit: int):
        self.get(user, run_id)
        return self._runs.events(run_id, branch_id, cursor, limit)
