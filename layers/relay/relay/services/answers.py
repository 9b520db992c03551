"""Answering a run's pause: validate the answer, claim the pause, deliver it to the execution.

Claiming is one conditional transaction on the run (`rev`) and the pending input (`status =
pending`): of any number of concurrent answers, from `POST /v1/runs/{id}/input` or from an
artifact's approve/reject door, exactly one commits; every other is told which input won.
`RunService` answers through `PauseAnswers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from relay.domain import PendingInput, Run, RunStatus, User
from relay.domain.changes import Change, RecordDecision, UndoDecision
from relay.domain.exceptions import InputExpiredError
from relay.domain.limits import MAX_ANSWER_BYTES, check_size
from relay.exceptions import (
    AlreadyDecidedError,
    ConcurrentUpdateError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)
from relay.ids import is_id, now_iso
from relay.services.exceptions import AlreadyAnsweredError, NotAwaitingInputError

if TYPE_CHECKING:
    from relay.adapters.orchestrator import RunOrchestrator
    from relay.adapters.runs import RunRepository

    from .artifacts import ArtifactService
    from .media import MediaService
    from .run_search import RunSearchService


def get_module(module_id: str) -> Any:
    """The step module that checks an answer. Imported on first use, like the workflows in
    `TemplateService`: the API's other requests never load the step modules."""
    from relay.runtime.modules import get_module as module_for

    return module_for(module_id)


# Claim attempts per answer: each failed claim means another writer committed meanwhile, so
# after the winner's commit a reload sees the pause answered; a few cover the engine's writes.
_CLAIM_ATTEMPTS = 5


def owned_run(runs: RunRepository, user: User, run_id: str) -> Run:
    """The caller's run; another user's, or an id of the wrong shape, is a 404."""
    run = runs.get(run_id) if is_id(run_id, "run") else None
    if run is None or run.user_id != user.user_id:
        raise NotFoundError(f"run {run_id[:64]} not found")
    return run


class PauseAnswers:
    def __init__(
        self,
        runs: RunRepository,
        orchestrator: RunOrchestrator,
        media: MediaService,  # answers naming an upload (user.media_upload)
        artifacts: ArtifactService,  # decisions of user.approve pauses
        search: RunSearchService | None,  # the words an answer is found by (None: not indexed)
    ) -> None:
        self._runs = runs
        self._orchestrator = orchestrator
        self._media = media
        self._artifacts = artifacts
        self._search = search

    def answer(self, user: User, run_id: str, step_id: str, value: Any, *, artifact_id: str | None = None) -> tuple[Run, str]:
        """Validate the answer, claim the pause, then resume the execution with it.

        Claiming is one conditional transaction on the run (`rev`) and the pending input
        (`status = pending`): of any number of concurrent answers exactly one commits; every
        other reloads and is told which input won. Returns the claimed run and its input id.

        For a user.approve pause the claim also records the decision on the artifact's latest
        version (conditional on it still being latest and undecided); `artifact_id` (the
        artifact door) insists on that version (else 409 NOT_LATEST_VERSION)."""
        check_size(value, MAX_ANSWER_BYTES, "value", code="VALUE_TOO_LARGE")
        looked_up: dict[str, Any] = {"expected_artifact": artifact_id} if artifact_id else {}
        for _ in range(_CLAIM_ATTEMPTS):
            run = owned_run(self._runs, user, run_id)
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
            also = self._decision(looked_up, delivered, user.username, pending.input_id)
            if self._search is not None:  # the answer's words, indexed with the claim
                also = [*also, *self._search.answer_changes(run, summary.module_id, summary.request, delivered)]
            try:
                claimed = self._runs.decide(run, pending, delivered, user.username, also)
            except (ConcurrentUpdateError, AlreadyDecidedError):
                continue  # another answer (or the engine) got there first: reload and see
            break
        else:
            raise ConcurrentUpdateError(f"run {run_id} kept changing; retry the answer")

        if module.answer_lookup == "media":
            try:
                self._media.attach(looked_up["media"], run_id)
            except Exception:
                self._reopen(claimed, pending, looked_up)  # not attached: the pause goes on
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
        if module.answer_lookup == "artifact":
            return self._resolve_artifact(run_id, module, request, value, looked_up)
        if module.answer_lookup != "media":
            raise TypeError(f"{module.module_id}: no lookup for {module.answer_lookup!r}")
        media_id = module.answer_key(value)
        media = looked_up.get("media")
        if media is None or media.media_id != media_id:
            media = looked_up["media"] = self._media.get(user, media_id)  # 404 unless the caller's
        if media.run_id not in (None, run_id):
            raise InvalidRequestError(f"media {media_id} is attached to another run", code="INVALID_INPUT_VALUE")
        return module.resolve_answer(request, value, media.model_dump(mode="json"))

    def _resolve_artifact(self, run_id: str, module: Any, request: dict[str, Any], value: Any, looked_up: dict[str, Any]) -> Any:
        """The latest version of the artifact the pause is about, which the decision will be
        recorded on. Read afresh on every claim attempt (an edit may have made a new one)."""
        from relay.domain.artifacts import DECIDABLE

        decision = module.answer_key(value)
        latest = self._artifacts.latest(run_id, request["artifact_name"])
        if latest is None:
            raise NotFoundError(f"artifact {request['artifact_name']!r} of run {run_id} not found")
        expected = looked_up.get("expected_artifact")
        if expected is not None and latest.artifact_id != expected:
            from relay.domain.exceptions import NotLatestVersionError

            raise NotLatestVersionError(
                f"artifact {expected} is not the latest version of {latest.artifact_name!r} (that is {latest.artifact_id})",
                latest_artifact_id=latest.artifact_id,
            )
        looked_up["artifact"] = latest
        looked_up["record_decision"] = latest.status in DECIDABLE
        if not looked_up["record_decision"]:
            # Decided outside the pause (say between the run pausing and its pause being
            # stored): the input door may still deliver that same decision, nothing else.
            recorded = "reject" if latest.status.value == "rejected" else "approve"
            if expected is not None or decision != recorded:
                raise self._artifacts.not_pending(latest)
        return module.resolve_answer(request, value, latest.model_dump(mode="json"))

    @staticmethod
    def _decision(looked_up: dict[str, Any], delivered: Any, decided_by: str, input_id: str) -> list[Change]:
        """The decision on the artifact a user.approve pause is about, claimed with the pause
        (a failed condition: edited or decided meanwhile, ConcurrentUpdateError: reload)."""
        if not looked_up.get("record_decision"):
            return []
        from relay.domain.artifacts import ArtifactStatus

        status = ArtifactStatus.approved if delivered["decision"] == "approve" else ArtifactStatus.rejected
        artifact_id = looked_up["artifact"].artifact_id
        return [RecordDecision(artifact_id, status, decided_by, now_iso(), delivered.get("reason"), input_id)]

    def decide_artifact(self, user: User, artifact_id: str, approve: bool, reason: str | None) -> tuple[Any, str | None]:
        """The artifact door: approve or reject the latest version of an artifact. If the
        artifact's run is paused on user.approve for it, this claims that pause exactly as an
        answer at `POST /v1/runs/{id}/input` would (whichever comes first wins, the other gets
        409); otherwise it just records the decision. Returns the artifact and the input id."""
        artifact = self._artifacts.get(user, artifact_id)
        run = self._runs.get(artifact.run_id)
        summary = run.pending_input if run is not None else None
        if (
            summary is not None
            and summary.module_id == "user.approve"
            and summary.request.get("artifact_name") == artifact.artifact_name
        ):
            value = {"decision": "approve" if approve else "reject", **({"reason": reason} if reason else {})}
            _, input_id = self.answer(user, artifact.run_id, summary.step_id, value, artifact_id=artifact_id)
            return self._artifacts.get(user, artifact_id), input_id
        return self._artifacts.decide(user, artifact, approve, reason), None

    def _already_answered(self, run_id: str, input_id: str, pending: PendingInput | None = None) -> AlreadyAnsweredError:
        """409 naming the input that won, who decided it and when."""
        pending = pending or self._runs.get_pending(run_id, input_id)
        decided = {"decided_by": pending.decided_by, "decided_at": pending.decided_at} if pending else {}
        return AlreadyAnsweredError(f"input {input_id} of this pause was already answered", input_id=input_id, **decided)

    def _not_waiting(self, run_id: str, step_id: str) -> ConflictError:
        """The step is not paused now: if it was answered (the run moved on), say by whom."""
        answered = self._runs.last_answer(run_id, step_id)
        if answered is not None:
            return self._already_answered(run_id, answered.input_id, answered)
        return NotAwaitingInputError(f"step {step_id!r} of run {run_id} is not waiting for input")

    def _reopen(self, run: Run, pending: PendingInput, looked_up: dict[str, Any] | None = None) -> None:
        also: list[Change] = []
        if looked_up and looked_up.get("record_decision"):
            artifact = looked_up["artifact"]
            also.append(UndoDecision(artifact.artifact_id, artifact.status, pending.input_id))
        for _ in range(3):
            try:
                self._runs.reopen(run, pending, also)
                return
            except ConcurrentUpdateError:
                current = self._runs.get(run.run_id)
                if current is None:
                    return  # no run, no pause to reopen
                run = current
            except AlreadyDecidedError:
                return  # RunStep applied it after all: the answer was delivered
