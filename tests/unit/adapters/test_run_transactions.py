"""Which item of a run's transaction failed decides the error RunRepository raises."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from relay.adapters.runs import RunRepository
from relay.domain import NewEvent, Run
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


def _commit(failed_index: int):
    client = _CancellingClient(failed_index)
    repo = RunRepository(client, "runs", "events", "pending")
    events = [NewEvent(event_type="a"), NewEvent(event_type="b")]
    extra = [repo.close_pending_op("run_a", "inp_a", "expired")]
    repo.commit(_run(), _run(), events, "corr", extra)


@pytest.mark.parametrize("failed_index", [0, 1, 2])  # the run's rev, or an event seq taken
def test_run_or_event_conflict_is_a_concurrent_update(failed_index):
    with pytest.raises(ConcurrentUpdateError):
        _commit(failed_index)


def test_extra_item_conflict_is_an_input_already_decided():
    with pytest.raises(AlreadyDecidedError):
        _commit(3)


def test_close_pending_op_accepts_any_of_the_given_statuses():
    op = RunRepository(None, "runs", "events", "pending").close_pending_op(
        "run_a", "inp_a", "superseded", from_statuses=("pending", "answered")
    )["Update"]
    assert op["ConditionExpression"] == "#s IN (:from0, :from1)"
    assert op["ExpressionAttributeValues"][":from1"] == {"S": "answered"}


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
    repo = RunRepository(client, "runs", "events", "pending")
    run = _run()
    pending = type("P", (), {"input_id": "inp_a", "step_id": "review", "user_id": "usr_a"})()
    repo.decide(run, pending, {"decision": "approve"}, "alice", [{"Update": {"TableName": "artifacts"}}])
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
    repo = RunRepository(client, "runs", "events", "pending")
    pending = type("P", (), {"input_id": "inp_a", "step_id": "review", "user_id": "usr_a"})()
    with pytest.raises(ConcurrentUpdateError):
        repo.decide(_run(), pending, {"decision": "approve"}, "alice", [{"Update": {"TableName": "artifacts"}}])
    assert [next(iter(i.values()))["TableName"] for i in client.items] == ["runs", "events", "pending", "artifacts"]
