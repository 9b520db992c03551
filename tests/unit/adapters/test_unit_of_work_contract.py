"""The unit of work, fake and real: FakeRunRepository (tests/unit/fakes.py) and RunRepository
on moto's DynamoDB (tables as template.yaml declares them) go through the same commits of
change records and must agree on what each writes and on the error each failed condition
raises, with nothing written by a cancelled commit."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from fakes import FakeRunRepository
from relay.adapters.artifacts import ArtifactRepository
from relay.adapters.runs import RunRepository
from relay.domain import NewEvent, PendingInput, PendingSummary, Run, RunStatus
from relay.domain.artifacts import Artifact, ArtifactStatus
from relay.domain.branches import Branch
from relay.domain.changes import (
    ApplyAnswer,
    ClosePendingInput,
    IndexRun,
    PutBranch,
    PutPendingInput,
    RecordDecision,
    UndoDecision,
)
from relay.exceptions import AlreadyDecidedError, ConcurrentUpdateError
from relay_tools.local import transactions
from relay_tools.local.cfn import load_template
from relay_tools.local.deployer import create_table

ROOT = Path(__file__).resolve().parents[3]
TABLES = {
    "runs": "RunsTable",
    "events": "EventsTable",
    "pending": "PendingInputsTable",
    "artifacts": "ArtifactsTable",
    "branches": "BranchesTable",
    "search": "RunSearchTable",
}
T = "2026-01-01T00:00:00.000000Z"


class Real:
    """RunRepository and the artifacts it decides on, in moto."""

    def __init__(self, client) -> None:
        self.client = client
        self.repo = RunRepository(
            client, "runs", "events", "pending", artifacts_table="artifacts", branches_table="branches", run_search_table="search"
        )
        self._artifacts = ArtifactRepository(client, "artifacts")

    def add_artifact(self, artifact: Artifact) -> None:
        self._artifacts.add(artifact)

    def artifact(self, artifact_id: str) -> Artifact:
        return self._artifacts.get(artifact_id)

    def event_types(self, run_id: str) -> list[str]:
        return [e.event_type for e in self.repo.events(run_id, None, None, 100)[0]]

    def branch(self, run_id: str, branch_id: str) -> bool:
        return "Item" in self.client.get_item(TableName="branches", Key={"run_id": {"S": run_id}, "branch_id": {"S": branch_id}})

    def indexed(self, user_token: str) -> list[str]:
        items = self.client.query(
            TableName="search", KeyConditionExpression="user_token = :t", ExpressionAttributeValues={":t": {"S": user_token}}
        )["Items"]
        return [i["run_id"]["S"] for i in items]


class Fake:
    def __init__(self) -> None:
        self.repo = FakeRunRepository()

    def add_artifact(self, artifact: Artifact) -> None:
        self.repo.artifacts[artifact.artifact_id] = artifact

    def artifact(self, artifact_id: str) -> Artifact:
        return self.repo.artifacts[artifact_id]

    def event_types(self, run_id: str) -> list[str]:
        return [e.event_type for e in self.repo.events(run_id, None, None, 100)[0]]

    def branch(self, run_id: str, branch_id: str) -> bool:
        return (run_id, branch_id) in self.repo.branches

    def indexed(self, user_token: str) -> list[str]:
        return [run_id for (token, _), run_id in self.repo.index.items() if token == user_token]


@pytest.fixture(params=["fake", "real"])
def store(request):
    if request.param == "fake":
        yield Fake()
        return
    transactions.install()
    resources = load_template(ROOT / "template.yaml")["Resources"]
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for name, resource in TABLES.items():
            create_table(client, name, resources[resource]["Properties"])
        yield Real(client)


def _run() -> Run:
    return Run(
        run_id="run_a",
        user_id="usr_a",
        template_id="tpl_a",
        template_name="t",
        initial_version_id="ver_a",
        current_version_id="ver_a",
        created_at=T,
        updated_at=T,
    )


def _pending(input_id: str = "inp_a") -> PendingInput:
    return PendingInput(
        run_id="run_a",
        input_id=input_id,
        user_id="usr_a",
        step_id="ask",
        module_index=0,
        module_id="user.approve",
        request={"artifact_name": "draft"},
        task_token="tok",
        created_at=T,
        expires_at="2026-01-08T00:00:00.000000Z",
    )


def _artifact(**extra) -> Artifact:
    return Artifact.model_validate(
        {
            "artifact_id": "art_a",
            "run_id": "run_a",
            "user_id": "usr_a",
            "artifact_name": "draft",
            "artifact_type": "deliverable",
            "format": "text",
            "content_type": "text/plain",
            "size_bytes": 2,
            "sha256": "0" * 64,
            "content": "hi",
            "status": "pending",
            "retention": "7d",
            "created_at": T,
            "updated_at": T,
            **extra,
        }
    )


def _paused(store) -> Run:
    """A run waiting on pending input inp_a (as AwaitInput leaves it)."""
    run = store.repo.create(_run(), [NewEvent(event_type="run_created")], "corr", [IndexRun(_run(), ("night", "city"))])
    pending = _pending()
    summary = PendingSummary.model_validate(pending.model_dump(exclude={"task_token"}))
    after = run.model_copy(update={"status": RunStatus.awaiting_input, "pending_input": summary})
    return store.repo.commit(run, after, [NewEvent(event_type="input_requested")], "corr", [PutPendingInput(pending, ttl=1)])


def test_a_commit_writes_the_run_its_events_and_its_changes_at_once(store):
    run = _paused(store)
    assert run.rev == 2 and run.event_seq == 2
    assert store.repo.get("run_a").status is RunStatus.awaiting_input
    assert store.event_types("run_a") == ["run_created", "input_requested"]
    assert store.repo.get_pending("run_a", "inp_a").status == "pending"
    assert store.indexed("usr_a#night") == ["run_a"]


def test_a_stale_run_is_a_concurrent_update_and_writes_nothing(store):
    run = _paused(store)
    stale = run.model_copy(update={"rev": run.rev - 1})
    with pytest.raises(ConcurrentUpdateError):
        store.repo.commit(stale, stale, [NewEvent(event_type="x")], "corr", [ClosePendingInput("run_a", "inp_a", "expired")])
    assert store.repo.get_pending("run_a", "inp_a").status == "pending"
    assert store.event_types("run_a") == ["run_created", "input_requested"]


def test_of_two_claims_one_wins_and_the_other_is_already_decided(store):
    run = _paused(store)
    pending = store.repo.get_pending("run_a", "inp_a")
    claimed = store.repo.decide(run, pending, {"decision": "approve"}, "alice")
    assert claimed.status is RunStatus.running and claimed.pending_input.answered
    again = store.repo.get("run_a")  # fresh rev: only the pending input's condition fails
    with pytest.raises(AlreadyDecidedError):
        store.repo.decide(again, pending, {"decision": "reject"}, "bob")
    stored = store.repo.get_pending("run_a", "inp_a")
    assert (stored.status, stored.value, stored.decided_by) == ("answered", {"decision": "approve"}, "alice")
    assert store.repo.get("run_a").rev == claimed.rev


def test_a_reopened_claim_is_pending_again_but_never_once_applied(store):
    run = _paused(store)
    pending = store.repo.get_pending("run_a", "inp_a")
    claimed = store.repo.decide(run, pending, "yes", "alice")
    reopened = store.repo.reopen(claimed, pending)
    assert reopened.status is RunStatus.awaiting_input and store.repo.get_pending("run_a", "inp_a").status == "pending"
    claimed = store.repo.decide(reopened, pending, "yes", "alice")
    applied = store.repo.commit(
        claimed, claimed, [NewEvent(event_type="input_received")], "corr", [ApplyAnswer("run_a", "inp_a", "yes", "alice")]
    )
    with pytest.raises(AlreadyDecidedError):
        store.repo.reopen(applied, pending)
    assert store.repo.get_pending("run_a", "inp_a").status == "answered"


def test_a_close_fails_with_the_error_it_names(store):
    run = _paused(store)
    pending = store.repo.get_pending("run_a", "inp_a")
    run = store.repo.decide(run, pending, "yes", "alice")
    with pytest.raises(AlreadyDecidedError):  # from pending only, by default
        store.repo.commit(run, run, [], "corr", [ClosePendingInput("run_a", "inp_a", "expired")])
    with pytest.raises(ConcurrentUpdateError):  # a relaunch's: the run moved
        store.repo.commit(
            run, run, [], "corr", [ClosePendingInput("run_a", "inp_a", "superseded", conflict=ConcurrentUpdateError)]
        )
    closed = store.repo.commit(run, run, [], "corr", [ClosePendingInput("run_a", "inp_a", "cancelled", ("pending", "answered"))])
    assert closed.rev == run.rev + 1 and store.repo.get_pending("run_a", "inp_a").status == "cancelled"


def test_a_decision_rides_with_the_claim_and_fails_on_an_edited_artifact(store):
    store.add_artifact(_artifact())
    run = _paused(store)
    pending = store.repo.get_pending("run_a", "inp_a")
    decision = RecordDecision("art_a", ArtifactStatus.approved, "alice", T, "fine", "inp_a")
    claimed = store.repo.decide(run, pending, {"decision": "approve"}, "alice", [decision])
    assert store.artifact("art_a").status is ArtifactStatus.approved
    assert store.artifact("art_a").decided_input_id == "inp_a"
    with pytest.raises(ConcurrentUpdateError):  # decided already: no longer awaiting one
        store.repo.commit(claimed, claimed, [], "corr", [decision])
    store.repo.commit(claimed, claimed, [], "corr", [UndoDecision("art_a", ArtifactStatus.pending, "inp_a")])
    assert store.artifact("art_a").status is ArtifactStatus.pending and store.artifact("art_a").decided_by is None
    with pytest.raises(ConcurrentUpdateError):  # the decision of another input is not taken back
        store.repo.commit(
            store.repo.get("run_a"),
            store.repo.get("run_a"),
            [],
            "corr",
            [UndoDecision("art_a", ArtifactStatus.pending, "inp_other")],
        )


def test_a_failed_change_anywhere_in_the_list_writes_nothing(store):
    run = _paused(store)
    branch = Branch(run_id="run_a", branch_id="br_a", created_at=T)
    run = store.repo.commit(run, run, [], "corr", [PutBranch(branch)])
    assert store.branch("run_a", "br_a")
    again = [PutPendingInput(_pending("inp_b"), ttl=1), PutBranch(branch)]
    with pytest.raises(ConcurrentUpdateError):  # the branch exists: its own error, second in the list
        store.repo.commit(run, run, [NewEvent(event_type="branch_created")], "corr", again)
    assert store.repo.get_pending("run_a", "inp_b") is None
    assert store.repo.get("run_a").rev == run.rev
    assert store.event_types("run_a") == ["run_created", "input_requested"]
