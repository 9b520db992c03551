"""Branches: re-run a run from any of its events, its history kept (DESIGN §4–5).

The state at the event is rebuilt from the events (domain/rebuild.py), overrides applied,
and the run switches to the new branch with a new execution continuing from right after the
event. Earlier events are never changed: the new branch's events carry its id and start with
`branch_created`, which holds the rebuilt state (the branch's own snapshot).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from relay.domain import Event, NewEvent, Progress, Run, RunStatus, User
from relay.domain.branches import MAIN_BRANCH, Branch
from relay.domain.changes import Change, PutBranch
from relay.domain.limits import KIB, MAX_STATE_BYTES, check_size, json_size
from relay.domain.rebuild import SNAPSHOT_EVENTS, cursor_after, state_at
from relay.domain.state_paths import set_path
from relay.exceptions import InvalidRequestError, NotFoundError, PayloadTooLargeError
from relay.ids import is_id, new_id, now_iso
from relay.services.exceptions import RunBusyError

from .run_control import load_own_run, relaunch, superseded

MAX_OVERRIDES_BYTES = 64 * KIB


class BranchService:
    def __init__(self, runs, branches, templates, orchestrator) -> None:
        self._runs = runs  # RunRepository
        self._branches = branches  # BranchRepository
        self._templates = templates  # TemplateService
        self._orchestrator = orchestrator  # RunOrchestrator

    # -- create ---------------------------------------------------------------------------
    def create(self, user: User, run_id: str, from_event_id: str, state_overrides: dict[str, Any] | None) -> tuple[Run, Branch]:
        overrides = _checked_overrides(state_overrides or {})
        load_own_run(self._runs, user, run_id)  # the caller's own run, else 404
        event = self._branches.find_event(run_id, from_event_id) if is_id(from_event_id, "evt") else None
        if event is None:
            raise NotFoundError(f"run {run_id} has no event {from_event_id[:64]}", code="EVENT_NOT_FOUND")
        workflows: dict[str, Any] = {}
        state = state_at(self._branches.history_to(event, SNAPSHOT_EVENTS), lambda v: self._workflow(user, v, workflows))
        for path, value in overrides.items():
            _set_state(state, path, value)
        size = json_size(state)
        if size > MAX_STATE_BYTES:
            raise PayloadTooLargeError(
                f"the state with the overrides is {size} bytes; at most {MAX_STATE_BYTES} allowed",
                code="STATE_OVERRIDES_TOO_LARGE",
            )

        def branch(run: Run) -> Run:
            if run.status == RunStatus.running:
                raise RunBusyError("a step of this run is running; branch when it pauses or ends")
            workflow = self._workflow(user, run.current_version_id, workflows)
            cursor = cursor_after(event, workflow)
            steps = workflow.steps
            record = Branch(
                run_id=run.run_id,
                branch_id=new_id("br"),
                parent_branch_id=event.branch_id,
                branch_point_event_id=event.event_id,
                branch_point_seq=event.seq,
                first_seq=run.event_seq + 1,
                created_by=user.user_id,
                created_at=now_iso(),
            )
            changes: list[Change] = [PutBranch(record)]
            if run.pending_input is not None:
                # The pause on the branch left behind is over: its execution is stopped. Decided
                # meanwhile (the condition fails): the run moved, CONCURRENT_UPDATE.
                changes.append(superseded(run.run_id, run.pending_input.input_id))
            created = NewEvent(
                event_type="branch_created",
                step_id=steps[cursor.step_index].step_id if cursor.step_index < len(steps) else None,
                data={
                    "branch_id": record.branch_id,
                    "parent_branch_id": record.parent_branch_id,
                    "from_event_id": event.event_id,
                    "from_seq": event.seq,
                    "from_event_type": event.event_type,
                    "state_overrides": overrides,
                    "state": state,
                    "cursor": cursor.model_dump(),
                    "created_by": user.user_id,
                },
            )
            update = {
                "branch_id": record.branch_id,
                "state": state,
                "cursor": cursor,
                "current_step": created.step_id,
                "progress": Progress(value=round(min(cursor.step_index, len(steps)) / len(steps), 4), stage=created.step_id),
            }
            return relaunch(self._runs, self._orchestrator, run, update, [created], changes)

        # One attempt: of concurrent branches (or a branch and a cancel) the first commit wins
        # and the others are a 409 CONCURRENT_UPDATE, never a second branch.
        after = branch(load_own_run(self._runs, user, run_id))
        return after, self._branches.get(run_id, after.branch_id)

    def _workflow(self, user: User, version_id: str, cache: dict[str, Any]) -> Any:
        if version_id not in cache:
            from relay.workflows import Workflow

            cache[version_id] = Workflow.model_validate(self._templates.get_version(user, version_id).workflow)
        return cache[version_id]

    # -- read -----------------------------------------------------------------------------
    def tree(self, user: User, run_id: str) -> tuple[Run, list[dict[str, Any]]]:
        """Every branch with its parent, fork event and status (`active`: the run's current
        branch; `inactive`: left behind), main first, then in creation order."""
        run = load_own_run(self._runs, user, run_id)
        records = sorted(self._branches.list(run_id), key=lambda b: (b.first_seq or 0, b.branch_id))
        main = Branch(run_id=run_id, branch_id=MAIN_BRANCH, first_seq=1, created_at=run.created_at)
        nodes = []
        for record in [main, *records]:
            children = [b.branch_id for b in records if b.parent_branch_id == record.branch_id]
            status = "active" if record.branch_id == run.branch_id else "inactive"
            nodes.append({**record.model_dump(), "status": status, "children": children})
        return run, nodes

    def node(self, user: User, run_id: str, branch_id: str) -> dict[str, Any]:
        """One branch of the tree, else 404 BRANCH_NOT_FOUND."""
        for node in self.tree(user, run_id)[1]:
            if node["branch_id"] == branch_id:
                return node
        raise NotFoundError(f"run {run_id} has no branch {branch_id[:64]}", code="BRANCH_NOT_FOUND")

    def lineage_events(
        self, user: User, run_id: str, branch_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Event], str | None]:
        """The branch's whole history in seq order: each ancestor's own events up to where
        its child forked, then the branch's own. Paged by seq (an opaque cursor)."""
        self.check_branch(user, run_id, branch_id)
        records = {b.branch_id: b for b in self._branches.list(run_id)}
        segments: list[tuple[str, int | None]] = []  # (branch, last seq of it in the lineage)
        until: int | None = None
        current: str | None = branch_id
        while current is not None:
            segments.append((current, until))
            record = records.get(current)
            until = record.branch_point_seq if record else None
            current = record.parent_branch_id if record else None
        after = _lineage_position(cursor, run_id, branch_id)
        events: list[Event] = []
        for segment, last in reversed(segments):
            if len(events) >= limit:
                break
            if last is not None and last <= after:
                continue
            events += self._branches.events_between(run_id, segment, after, last, limit - len(events))
            after = events[-1].seq if events else after
        more = len(events) == limit  # like a LastEvaluatedKey: the next page may be empty
        return events, (_lineage_cursor(run_id, branch_id, events[-1].seq) if more else None)

    def check_branch(self, user: User, run_id: str, branch_id: str) -> None:
        """A branch_id of this run (main or one of its branches), else 404."""
        load_own_run(self._runs, user, run_id)
        if branch_id != MAIN_BRANCH and (not is_id(branch_id, "br") or self._branches.get(run_id, branch_id) is None):
            raise NotFoundError(f"run {run_id} has no branch {branch_id[:64]}", code="BRANCH_NOT_FOUND")


def _lineage_cursor(run_id: str, branch_id: str, seq: int) -> str:
    from relay.adapters.dynamo import encode_cursor

    cursor = encode_cursor({"lineage": {"S": f"{run_id}#{branch_id}"}, "seq": {"N": str(seq)}})
    if cursor is None:  # only an empty key has none
        raise TypeError("a lineage position always has a cursor")
    return cursor


def _lineage_position(cursor: str | None, run_id: str, branch_id: str) -> int:
    """The seq after which a lineage page starts; a cursor of another list is a 400."""
    from relay.adapters.dynamo import decode_cursor

    key = decode_cursor(cursor, expected_keys={"lineage", "seq"})
    if key is None:
        return 0
    if key["lineage"] != {"S": f"{run_id}#{branch_id}"} or "N" not in key["seq"]:
        raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
    return int(Decimal(key["seq"]["N"]))


def _checked_overrides(overrides: Any) -> dict[str, Any]:
    from relay.workflows.models import STATE_PATH

    if not isinstance(overrides, dict):
        raise InvalidRequestError("state_overrides must be a JSON object", code="INVALID_STATE_OVERRIDES")
    check_size(overrides, MAX_OVERRIDES_BYTES, "state_overrides", code="STATE_OVERRIDES_TOO_LARGE")
    bad = [key for key in overrides if not STATE_PATH.fullmatch(key)]
    if bad:
        raise InvalidRequestError(
            f"state_overrides key {bad[0][:64]!r} is not a state key or dotted path of identifiers",
            code="INVALID_STATE_OVERRIDES",
        )
    return overrides


def _set_state(state: dict[str, Any], path: str, value: Any) -> None:
    set_path(state, path, value)
