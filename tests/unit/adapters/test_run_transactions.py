"""Which item of a run's transaction failed decides the error RunRepository raises: each
write carries the error of what it is (the run, an event, a change record), wherever it sits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from relay.adapters.pending_inputs import change_item
from relay.adapters.runs import RunRepository
from relay.domain import NewEvent, Run
from relay.domain.artifacts import ArtifactStatus
from relay.domain.changes import ClosePendingInput, RecordDecision
from relay.exceptions import AlreadyDecidedError, ConcurrentUpdateError


class _CancellingClient:
    """transact_write_items fails the item at `failed_index` on its condition."""

    def __init__(self, failed_index: int) -> None:
        self.failed_index = failed_index
        self.items: list = []

    def transact_write_items(self, TransactItems):
        self.items = TransactItems
        reasons = [{"Code": "None"} for _ in TransactItems]
        reasons[self.failed_index] = {"Code": "ConditionalCheckFailed"}
        raise ClientError(
            {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons},
            "TransactWriteItems",
        )


def _run() -> Run:
    return Run(
        run_id="run_a",
        user_id="usr_a",
        template_id="tpl_a",
        template_name="t",
        initial_version_id="ver_a",
        current_version_id="ver_a",
        rev=3,
        event_seq=5,
        created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
    )


def _commit(failed_index: int, changes=None):
    client = _CancellingClient(failed_index)
    repo = RunRepository(client, "runs", "events", "pending", artifacts_table="artifacts")
    events = [NewEvent(event_type="a"), NewEvent(event_type="b")]
    repo.commit(_run(), _run(), events, "corr", changes or [ClosePendingInput("run_a", "inp_a", "expired")])


@pytest.mark.parametrize("failed_index", [0, 1, 2])  # the run's rev, or an event seq taken
def test_run_or_event_conflict_is_a_concurrent_update(failed_index):
    with pytest.raises(ConcurrentUpdateError):
        _commit(failed_index)


def test_extra_item_conflict_is_an_input_already_decided():
    with pytest.raises(AlreadyDecidedError):
        _commit(3)


def test_each_change_raises_its_own_error_wherever_it_stands():
    decision = RecordDecision("art_a", ArtifactStatus.approved, "alice", "2026-01-01T00:00:00.000000Z", None, "inp_a")
    close = ClosePendingInput("run_a", "inp_a", "expired")
    with pytest.raises(AlreadyDecidedError):
        _commit(3, [close, decision])
    with pytest.raises(ConcurrentUpdateError):
        _commit(4, [close, decision])
    with pytest.raises(ConcurrentUpdateError):  # the same two the other way round
        _commit(3, [decision, close])
    with pytest.raises(AlreadyDecidedError):
        _commit(4, [decision, close])


def test_a_change_may_name_another_error_for_its_condition():
    with pytest.raises(ConcurrentUpdateError):  # a cancel's close: the run moved, reload
        _commit(3, [ClosePendingInput("run_a", "inp_a", "cancelled", conflict=ConcurrentUpdateError)])


def test_close_pending_accepts_any_of_the_given_statuses():
    op = change_item("pending", ClosePendingInput("run_a", "inp_a", "superseded", ("pending", "answered")))["Update"]
    assert op["ConditionExpression"] == "#s IN (:from0, :from1)"
    assert op["ExpressionAttributeValues"][":from1"] == {"S": "answered"}


_DECISION = RecordDecision("art_a", ArtifactStatus.approved, "alice", "2026-01-01T00:00:00.000000Z", None, "inp_a")


def _decide(failed_index: int, code: str = "ConditionalCheckFailed"):
    """A claim of a user.approve pause: run, event, pending input, then the artifact."""
    client = _CancellingClient(failed_index)
    original = client.transact_write_items

    def cancel(TransactItems):
        try:
            original(TransactItems)
        except ClientError as exc:
            exc.response["CancellationReasons"][failed_index] = {"Code": code}
            raise

    client.transact_write_items = cancel
    repo = RunRepository(client, "runs", "events", "pending", artifacts_table="artifacts")
    run = _run()
    pending = type("P", (), {"input_id": "inp_a", "step_id": "review", "user_id": "usr_a"})()
    repo.decide(run, pending, {"decision": "approve"}, "alice", [_DECISION])
    return client.items


def test_a_claim_carries_the_artifact_decision_and_its_failure_is_a_concurrent_update():
    with pytest.raises(AlreadyDecidedError):
        _decide(2)  # the pending input: already answered
    with pytest.raises(ConcurrentUpdateError):
        _decide(3)  # the artifact: edited or decided meanwhile; the claim reloads
    with pytest.raises(ConcurrentUpdateError):
        _decide(3, "TransactionConflict")


def test_the_artifact_decision_rides_in_the_claim_transaction():
    client = _CancellingClient(0)
    repo = RunRepository(client, "runs", "events", "pending", artifacts_table="artifacts")
    pending = type("P", (), {"input_id": "inp_a", "step_id": "review", "user_id": "usr_a"})()
    with pytest.raises(ConcurrentUpdateError):
        repo.decide(_run(), pending, {"decision": "approve"}, "alice", [_DECISION])
    assert [next(iter(i.values()))["TableName"] for i in client.items] == ["runs", "events", "pending", "artifacts"]
