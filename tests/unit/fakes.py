"""In-memory fakes of the DynamoDB/S3 adapters (relay/adapters/*.py), for service tests.

Each fake has the same public methods and parameters as its adapter (checked by
adapters/test_fakes_contract.py) and keeps its data in plain dicts that tests assert on.
Like the real stores, a fake copies records in and out: a caller mutating what it got back
never changes what is stored.
"""

from __future__ import annotations

import json
from typing import Any

from relay.adapters.dynamo import decode_cursor, encode_cursor
from relay.domain import Event, NewEvent, Run, RunStatus, Template, User, Version, changes
from relay.domain.artifacts import DECIDABLE
from relay.domain.exceptions import EmailTakenError, UsernameTakenError
from relay.exceptions import ConcurrentUpdateError, ConflictError
from relay.ids import new_id, now_iso


class FakeUserRepository:
    """Mirrors relay.adapters.users.UserRepository."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}  # user_id -> user
        self.usernames: dict[str, str] = {}  # username -> user_id
        self.emails: dict[str, str] = {}  # email -> user_id
        self.key_hashes: dict[str, str] = {}  # sha256 of an API key -> user_id

    def add(self, user: User, key_hash: str) -> None:
        if user.username in self.usernames:
            raise UsernameTakenError(f"username {user.username!r} is taken")
        if user.email in self.emails:
            raise EmailTakenError(f"email {user.email!r} is already registered")
        if key_hash in self.key_hashes or user.user_id in self.users:
            raise ConflictError("user could not be created; retry", code="USER_CONFLICT")
        self.users[user.user_id] = user.model_copy(deep=True)
        self.usernames[user.username] = user.user_id
        self.emails[user.email] = user.user_id
        self.key_hashes[key_hash] = user.user_id

    def by_key_hash(self, key_hash: str) -> User | None:
        user_id = self.key_hashes.get(key_hash)
        return self.users[user_id].model_copy(deep=True) if user_id else None

    def get(self, user_id: str) -> User | None:
        user = self.users.get(user_id)
        return user.model_copy(deep=True) if user else None

    def by_username(self, username: str) -> User | None:
        user_id = self.usernames.get(username)
        return self.users[user_id].model_copy(deep=True) if user_id else None


class FakeTemplateRepository:
    """Mirrors relay.adapters.templates.TemplateRepository."""

    def __init__(self) -> None:
        self.templates: dict[tuple[str, str], Template] = {}  # (user_id, template_name)
        self.versions: dict[tuple[str, str], Version] = {}  # (template_id, content_hash)

    # -- templates ------------------------------------------------------------------------
    def get_by_name(self, user_id: str, name: str) -> Template | None:
        template = self.templates.get((user_id, name))
        return template.model_copy(deep=True) if template else None

    def get(self, template_id: str) -> Template | None:
        for template in self.templates.values():
            if template.template_id == template_id:
                return template.model_copy(deep=True)
        return None

    def add(self, template: Template) -> bool:
        key = (template.user_id, template.template_name)
        if key in self.templates:
            return False
        self.templates[key] = template.model_copy(deep=True)
        return True

    def list(self, user_id: str, cursor: str | None, limit: int) -> tuple[list[Template], str | None]:
        start = decode_cursor(cursor, expected_keys={"user_id", "template_name"})
        mine = sorted(
            (t for (owner, _), t in self.templates.items() if owner == user_id),
            key=lambda t: t.template_name,
        )
        if start and start["user_id"] == {"S": user_id}:
            mine = [t for t in mine if t.template_name > start["template_name"]["S"]]
        page = mine[:limit]
        next_cursor = None
        if len(mine) > limit:
            last = page[-1]
            next_cursor = encode_cursor({"user_id": {"S": last.user_id}, "template_name": {"S": last.template_name}})
        return [t.model_copy(deep=True) for t in page], next_cursor

    def record_version(self, template: Template, version_id: str) -> None:
        stored = self.templates[(template.user_id, template.template_name)]
        stored.latest_version_id = version_id
        stored.updated_at = now_iso()
        stored.version_count += 1

    def touch_used(self, template: Template) -> None:
        self.templates[(template.user_id, template.template_name)].last_used_at = now_iso()

    # -- versions -------------------------------------------------------------------------
    def get_version_by_hash(self, template_id: str, content_hash: str) -> Version | None:
        version = self.versions.get((template_id, content_hash))
        return version.model_copy(deep=True) if version else None

    def get_version(self, version_id: str) -> Version | None:
        for version in self.versions.values():
            if version.version_id == version_id:
                return version.model_copy(deep=True)
        return None

    def add_version(self, version: Version) -> bool:
        key = (version.template_id, version.content_hash)
        if key in self.versions:
            return False
        self.versions[key] = version.model_copy(deep=True)
        return True

    def list_versions(self, template_id: str, cursor: str | None, limit: int) -> tuple[list[Version], str | None]:
        start = decode_cursor(cursor, expected_keys={"template_id", "content_hash", "created_at"})
        ordered = sorted(
            (v for (tpl, _), v in self.versions.items() if tpl == template_id),
            key=lambda v: (v.created_at, v.content_hash),
            reverse=True,
        )
        if start and start["template_id"] == {"S": template_id}:
            after = (start["created_at"]["S"], start["content_hash"]["S"])
            ordered = [v for v in ordered if (v.created_at, v.content_hash) < after]
        page = ordered[:limit]
        next_cursor = None
        if len(ordered) > limit:
            last = page[-1]
            next_cursor = encode_cursor(
                {
                    "template_id": {"S": last.template_id},
                    "content_hash": {"S": last.content_hash},
                    "created_at": {"S": last.created_at},
                }
            )
        return [v.model_copy(deep=True) for v in page], next_cursor


class FakeWorkflowStore:
    """Mirrors relay.adapters.templates.WorkflowStore: S3 objects as a dict of bytes."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, body: bytes) -> None:
        self.objects[key] = bytes(body)

    def get(self, key: str) -> dict[str, Any]:
        return json.loads(self.objects[key])


class FakeRunRepository:
    """RunRepository in dicts: a run, its events and the change records it commits with
    (relay.domain.changes) applied to `pending`, `artifacts`, `branches` and `index` at once,
    all or nothing, each change failing with the error it names exactly where the DynamoDB
    write's condition would (adapters/test_fakes_contract.py runs both through the same
    checks). No quotas are counted (as RunRepository without a QuotaRepository)."""

    def __init__(self, artifacts: dict[str, Any] | None = None) -> None:
        self.runs: dict[str, Any] = {}
        self.stored_events: dict[str, list[Any]] = {}
        self.pending: dict[tuple[str, str], Any] = {}
        self.applied: set[tuple[str, str]] = set()
        self.artifacts: dict[str, Any] = artifacts if artifacts is not None else {}  # artifact_id → Artifact
        self.branches: dict[tuple[str, str], Any] = {}
        self.index: dict[tuple[str, str], str] = {}  # (user_token, created_run) → run_id

    # -- runs -----------------------------------------------------------------------------
    def get(self, run_id: str) -> Any:
        run = self.runs.get(run_id)
        return run.model_copy(deep=True) if run else None

    def list_for_user(self, user_id: str, status: str | None, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
        mine = [r for r in self.runs.values() if r.user_id == user_id and (status is None or r.status.value == status)]
        return sorted(mine, key=lambda r: r.created_at, reverse=True)[:limit], None

    def events(self, run_id: str, branch_id: str | None, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
        found = [e for e in self.stored_events.get(run_id, []) if branch_id is None or e.branch_id == branch_id]
        return found[:limit], None

    def events_after(self, run_id: str, after_seq: int, limit: int) -> list[Any]:
        return [e for e in self.stored_events.get(run_id, []) if e.seq > after_seq][:limit]

    def create(self, run: Any, events: list[Any], correlation_id: str, changes: list[Any] | None = None) -> Any:
        run = run.model_copy(update={"event_seq": len(events), "rev": 1, "holds_slot": False})
        if run.run_id in self.runs:
            raise ConcurrentUpdateError("the run changed meanwhile; reload and retry")
        self._apply(run, 1, events, correlation_id, changes or [])
        return run

    def commit(self, before: Any, after: Any, events: list[Any], correlation_id: str, changes: list[Any] | None = None) -> Any:
        stored = self.runs.get(before.run_id)
        if stored is None or stored.rev != before.rev or (stored.event_seq != before.event_seq and events):
            raise ConcurrentUpdateError("the run changed meanwhile; reload and retry")
        after = Run.model_validate(
            {**after.model_dump(), "rev": before.rev + 1, "event_seq": before.event_seq + len(events), "updated_at": now_iso()}
        )
        self._apply(after, before.event_seq + 1, events, correlation_id, changes or [])
        return after

    def decide(self, run: Any, pending: Any, value: Any, decided_by: str, also: list[Any] | None = None) -> Any:
        summary = run.pending_input.model_copy(update={"answered": True}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.running, "pending_input": summary})
        event = NewEvent(
            event_type="input_answered", step_id=pending.step_id, data={"input_id": pending.input_id, "decided_by": decided_by}
        )
        claim = changes.ClaimPendingInput(run.run_id, pending.input_id, value, decided_by)
        return self.commit(run, after, [event], new_id("corr"), [claim, *(also or [])])

    def reopen(self, run: Any, pending: Any, also: list[Any] | None = None) -> Any:
        summary = run.pending_input.model_copy(update={"answered": False}) if run.pending_input else None
        after = run.model_copy(update={"status": RunStatus.awaiting_input, "pending_input": summary})
        event = NewEvent(event_type="input_reopened", step_id=pending.step_id, data={"input_id": pending.input_id})
        change = changes.ReopenPendingInput(run.run_id, pending.input_id, pending.user_id)
        return self.commit(run, after, [event], new_id("corr"), [change, *(also or [])])

    def get_pending(self, run_id: str, input_id: str) -> Any:
        pending = self.pending.get((run_id, input_id))
        return pending.model_copy(deep=True) if pending else None

    def last_answer(self, run_id: str, step_id: str) -> Any:
        answered = [p for (r, _), p in self.pending.items() if r == run_id and p.step_id == step_id and p.status == "answered"]
        return max(answered, key=lambda p: p.created_at, default=None)

    def record_progress(self, run: Any, event_seq: int, progress: Any, event: Any, correlation_id: str) -> int:
        stored = self.runs.get(run.run_id)
        if stored is None or stored.rev != run.rev or stored.event_seq != event_seq:
            raise ConcurrentUpdateError("the run moved on; this progress report is dropped")
        self.stored_events.setdefault(run.run_id, []).append(self._event(stored, event_seq + 1, event, correlation_id))
        self.runs[run.run_id] = stored.model_copy(update={"progress": progress, "event_seq": event_seq + 1})
        return event_seq + 1

    def force_error(self, run: Any, error: Any) -> None:
        stored = self.runs.get(run.run_id)
        if stored is not None and stored.status in (RunStatus.running, RunStatus.awaiting_input):
            self.runs[run.run_id] = stored.model_copy(
                update={
                    "status": RunStatus.error,
                    "error": error,
                    "ended_at": now_iso(),
                    "rev": stored.rev + 1,
                    "pending_input": None,
                    "holds_slot": False,
                }
            )

    # -- the unit of work -------------------------------------------------------------------
    @staticmethod
    def _event(run: Any, seq: int, event: Any, correlation_id: str) -> Any:
        return Event(
            run_id=run.run_id,
            seq=seq,
            event_id=new_id("evt"),
            event_type=event.event_type,
            branch_id=run.branch_id,
            workflow_version_id=run.current_version_id,
            correlation_id=correlation_id,
            step_id=event.step_id,
            data=event.data,
            timestamp=now_iso(),
        )

    def _apply(self, run: Any, first_seq: int, events: list[Any], correlation_id: str, changes_: list[Any]) -> None:
        """Check every change's condition first (the first that fails raises its error and
        nothing is written), then write the run, its events and every change."""
        for change in changes_:
            if not self._holds(change):
                raise changes.conflict_error(change.conflict)
        self.runs[run.run_id] = run.model_copy(deep=True)
        numbered = [self._event(run, first_seq + i, e, correlation_id) for i, e in enumerate(events)]
        self.stored_events.setdefault(run.run_id, []).extend(numbered)
        for change in changes_:
            self._write(change)

    def _holds(self, change: Any) -> bool:
        if isinstance(change, changes.IndexRun):
            return True
        if isinstance(change, changes.PutPendingInput):
            return (change.pending.run_id, change.pending.input_id) not in self.pending
        if isinstance(change, changes.PutBranch):
            return (change.branch.run_id, change.branch.branch_id) not in self.branches
        if isinstance(change, (changes.RecordDecision, changes.UndoDecision)):
            artifact = self.artifacts.get(change.artifact_id)
            if isinstance(change, changes.UndoDecision):
                return artifact is not None and artifact.decided_input_id == change.input_id
            return artifact is not None and artifact.is_latest and artifact.status in DECIDABLE
        key = (change.run_id, change.input_id)
        pending = self.pending.get(key)
        if isinstance(change, changes.ClosePendingInput):
            return pending is not None and pending.status in change.from_statuses
        if isinstance(change, changes.ClaimPendingInput):
            return pending is not None and pending.status == "pending"
        if isinstance(change, changes.ReopenPendingInput):
            return pending is not None and pending.status == "answered" and key not in self.applied
        return pending is not None  # ApplyAnswer

    def _write(self, change: Any) -> None:
        if isinstance(change, changes.IndexRun):
            for word in change.words:
                self.index[(f"{change.run.user_id}#{word}", f"{change.run.created_at}#{change.run.run_id}")] = change.run.run_id
        elif isinstance(change, changes.PutPendingInput):
            self.pending[(change.pending.run_id, change.pending.input_id)] = change.pending.model_copy(deep=True)
        elif isinstance(change, changes.PutBranch):
            self.branches[(change.branch.run_id, change.branch.branch_id)] = change.branch.model_copy(deep=True)
        elif isinstance(change, changes.RecordDecision):
            self.artifacts[change.artifact_id] = self.artifacts[change.artifact_id].model_copy(
                update={
                    "status": change.status,
                    "decided_by": change.decided_by,
                    "decided_at": change.decided_at,
                    "updated_at": change.decided_at,
                    "reason": change.reason,
                    "decided_input_id": change.input_id,
                }
            )
        elif isinstance(change, changes.UndoDecision):
            self.artifacts[change.artifact_id] = self.artifacts[change.artifact_id].model_copy(
                update={"status": change.status, "decided_by": None, "decided_at": None, "reason": None, "decided_input_id": None}
            )
        else:
            self._write_pending(change)

    def _write_pending(self, change: Any) -> None:
        key = (change.run_id, change.input_id)
        pending = self.pending[key]
        if isinstance(change, changes.ClosePendingInput):
            update: dict[str, Any] = {"status": change.status}
        elif isinstance(change, changes.ReopenPendingInput):
            update = {"status": "pending", "value": None, "decided_by": None, "decided_at": None}
        else:  # a claim, or RunStep applying the answer (keeping the claim's time)
            decided_at = pending.decided_at if isinstance(change, changes.ApplyAnswer) and pending.decided_at else now_iso()
            update = {"status": "answered", "value": change.value, "decided_by": change.decided_by, "decided_at": decided_at}
            if isinstance(change, changes.ApplyAnswer):
                self.applied.add(key)
        self.pending[key] = pending.model_copy(update=update)


class FakeChainRepository:
    """relay.services.chains.ChainStore in memory: chains and their steps."""

    def __init__(self) -> None:
        from relay.domain.chain_records import Chain, ChainStep

        self.chains: dict[str, Chain] = {}
        self.chain_steps: dict[str, list[ChainStep]] = {}

    def create(self, chain, steps) -> None:
        assert chain.chain_id not in self.chains
        self.chains[chain.chain_id] = chain
        self.chain_steps[chain.chain_id] = list(steps)

    def get(self, chain_id):
        return self.chains.get(chain_id)

    def steps(self, chain_id):
        return list(self.chain_steps.get(chain_id, []))

    def list_for_user(self, user_id, status, cursor, limit):
        mine = [c for c in self.chains.values() if c.user_id == user_id and (status is None or c.status == status)]
        mine.sort(key=lambda c: c.created_at, reverse=True)
        return mine[:limit], None
