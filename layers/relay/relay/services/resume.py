"""Resume a run with a workflow (or version) that may differ from the one it is on
(seed 001 "Resume Flow").

The same version resumes at once. Another version of the run's template is a 409
VERSION_MISMATCH naming both and the options, and the offer is kept on the run
(`pending_resume`) until /resume/confirm applies one: continue_with_new (the run moves to the
new version; `current_version_id` changes, the interrupted step starts again under it),
continue_with_original (the run goes on as it was), start_fresh (a new run of the new version
with the same project, inputs and model preferences; this run stays as it is).

Resumable: `error`, `cancelled` (a new execution continues from the stored cursor) and
`awaiting_input` (the pause waits on; moving it to a new version asks it again). A completed
run is a 409 RUN_COMPLETED; a running one a 409 RUN_BUSY.
"""

from __future__ import annotations

from typing import Any

from relay.domain import NewEvent, Run, RunStatus, User
from relay.domain.branches import RESUME_CHOICES, ResumeOffer
from relay.exceptions import InvalidRequestError
from relay.ids import new_id, now_iso
from relay.services.exceptions import (
    NoPendingMismatchError,
    RunBusyError,
    RunCompletedError,
    StepNotInVersionError,
    VersionMismatchError,
)

from .run_control import load_own_run, relaunch, superseded


def _check_resumable(run: Run) -> None:
    if run.status == RunStatus.completed:
        raise RunCompletedError("the run has completed; branch it or start a new run instead")
    if run.status == RunStatus.running:
        raise RunBusyError("the run is running; it needs no resume")


class ResumeService:
    def __init__(self, runs, templates, orchestrator, starter) -> None:
        self._runs = runs  # RunRepository
        self._templates = templates  # TemplateService
        self._orchestrator = orchestrator  # RunOrchestrator
        self._starter = starter  # RunService: start_fresh's new run

    # -- resume ---------------------------------------------------------------------------
    def resume(self, user: User, run_id: str, workflow: Any = None, version_id: str | None = None) -> Run:
        if (workflow is None) == (version_id is None):
            raise InvalidRequestError("give exactly one of workflow or version_id", code="INVALID_RESUME_REQUEST")
        run = load_own_run(self._runs, user, run_id)
        _check_resumable(run)  # before a submitted workflow is stored
        if workflow is not None:
            version = self._templates.submit_json(user, workflow, template_name=run.template_name).version
        else:
            version = self._templates.get_version(user, version_id, with_workflow=False)
            if version.template_id != run.template_id:
                raise InvalidRequestError(
                    f"version {version.version_id} is of another template than run {run_id}'s ({run.template_name})",
                    code="TEMPLATE_MISMATCH",
                )

        def resume(run: Run) -> Run:
            _check_resumable(run)
            if version.version_id == run.current_version_id:
                if run.status == RunStatus.awaiting_input:
                    return run  # it waits for its input already
                return self._continue(user, run, "same_version", run.current_version_id)
            offer = ResumeOffer(
                current_version_id=run.current_version_id,
                submitted_version_id=version.version_id,
                offered_at=now_iso(),
            )
            self._runs.commit(run, run.model_copy(update={"pending_resume": offer}), [], new_id("corr"))
            raise VersionMismatchError(
                "the run is on another version of the workflow; confirm one of the options with "
                "POST /v1/runs/{id}/resume/confirm",
                current_version=run.current_version_id,
                submitted_version=version.version_id,
                options=list(RESUME_CHOICES),
            )

        return resume(load_own_run(self._runs, user, run_id))

    # -- confirm --------------------------------------------------------------------------
    def confirm(self, user: User, run_id: str, choice: str, version_id: str) -> tuple[Run, bool]:
        """Apply `choice`; returns the run that goes on and whether it is a new run."""
        if choice not in RESUME_CHOICES:
            raise InvalidRequestError(f"choice must be one of {list(RESUME_CHOICES)}")

        def confirm(run: Run) -> Run:
            offer = run.pending_resume
            if offer is None or offer.submitted_version_id != version_id:
                raise NoPendingMismatchError(
                    f"run {run_id} has no pending version mismatch for {version_id[:64]}; POST /resume first"
                )
            _check_resumable(run)
            if choice == "continue_with_new":
                return self._continue(user, run, choice, offer.submitted_version_id)
            if choice == "continue_with_original":
                return self._continue(user, run, choice, run.current_version_id)
            event = NewEvent(
                event_type="resume_declined",
                data={"choice": choice, "submitted_version_id": offer.submitted_version_id, "by": user.user_id},
            )
            return self._runs.commit(run, run.model_copy(update={"pending_resume": None}), [event], new_id("corr"))

        run = confirm(load_own_run(self._runs, user, run_id))
        if choice != "start_fresh":
            return run, False
        from .runs import StartRun

        fresh = self._starter.start(
            user,
            StartRun(
                version_id=version_id,
                project_name=run.project_name,
                inputs=run.inputs,
                model_preferences=run.model_preferences,
            ),
        )
        return fresh, True

    def _continue(self, user: User, run: Run, choice: str, to_version: str) -> Run:
        event = NewEvent(
            event_type="run_resumed",
            step_id=run.current_step,
            data={"choice": choice, "from_version_id": run.current_version_id, "to_version_id": to_version, "by": user.user_id},
        )
        if to_version == run.current_version_id and run.status == RunStatus.awaiting_input:
            # The pause goes on as it is: only the offer is settled.
            return self._runs.commit(run, run.model_copy(update={"pending_resume": None}), [event], new_id("corr"))
        update: dict[str, Any] = {"current_version_id": to_version}
        if to_version != run.current_version_id:
            update["cursor"], update["current_step"] = self._cursor_in(user, run, to_version)
        changes = [superseded(run.run_id, run.pending_input.input_id)] if run.pending_input is not None else []
        return relaunch(self._runs, self._orchestrator, run, update, [event], changes)

    def _cursor_in(self, user: User, run: Run, version_id: str) -> tuple[Any, str | None]:
        """The run's current step in the new version, started again (matched by step_id)."""
        from relay.domain import Cursor
        from relay.workflows import Workflow

        old = Workflow.model_validate(self._templates.get_version(user, run.current_version_id).workflow)
        new = Workflow.model_validate(self._templates.get_version(user, version_id).workflow)
        if run.cursor.step_index >= len(old.steps):
            return Cursor(step_index=len(new.steps)), None
        step_id = old.steps[run.cursor.step_index].step_id
        for index, step in enumerate(new.steps):
            if step.step_id == step_id:
                return Cursor(step_index=index), step_id
        raise StepNotInVersionError(
            f"the run is at step {step_id!r}, which version {version_id} does not have; "
            "choose continue_with_original or start_fresh",
            step_id=step_id,
        )
