"""The quota counters' transaction items: takes are conditional on the limit, give-backs are
tied to the status change that frees them (so a retried writer never gives back twice), and a
failed condition on a counter is a QuotaExceededError naming the quota."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from relay.adapters.media import quota_release, quota_take
from relay.adapters.quotas import QuotaRepository
from relay.adapters.runs import RunRepository
from relay.domain import Run, RunError, RunStatus
from relay.domain.exceptions import QuotaExceededError
from relay.domain.media import Media, MediaStatus
from relay.domain.quotas import Quota

DEFAULTS = {Quota.active_runs: 5, Quota.runs_per_day: 10, Quota.stored_bytes: 1000, Quota.pending_uploads: 3}


class _Client:
    """Records transactions; holds items for get_item; fails the item at `fail_at` if set."""

    def __init__(self, items=None, fail_at=None):
        self.items = items or {}
        self.fail_at = fail_at
        self.transactions: list[list] = []
        self.updates: list[dict] = []

    def get_item(self, TableName, Key, ConsistentRead=False):
        item = self.items.get(Key["pk"]["S"]) if "pk" in Key else None
        return {"Item": item} if item else {}

    def transact_write_items(self, TransactItems):
        self.transactions.append(TransactItems)
        if self.fail_at is not None:
            reasons = [{"Code": "None"} for _ in TransactItems]
            reasons[self.fail_at] = {"Code": "ConditionalCheckFailed"}
            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons},
                "TransactWriteItems",
            )

    def update_item(self, **kwargs):
        self.updates.append(kwargs)


def _run(**update) -> Run:
    run = Run(
        run_id="run_a",
        user_id="usr_a",
        template_id="tpl_a",
        template_name="t",
        initial_version_id="ver_a",
        current_version_id="ver_a",
        rev=3,
        event_seq=2,
        created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
    )
    return run.model_copy(update=update)


def _repos(client):
    quotas = QuotaRepository(client, "users", DEFAULTS)
    return quotas, RunRepository(client, "runs", "events", "pending", quotas)


def _quota_updates(transaction):
    return [op["Update"] for op in transaction if "Update" in op and op["Update"]["TableName"] == "users"]


def test_a_take_is_conditional_on_the_limit_less_the_amount():
    client = _Client({"quota#usr_a": {"pk": {"S": "quota#usr_a"}, "limits": {"M": {"stored_bytes": {"N": "700"}}}}})
    quotas, _ = _repos(client)
    (op,) = quotas.ops("usr_a", {Quota.stored_bytes: 300, Quota.pending_uploads: 1})
    update = op["Update"]
    assert update["Key"] == {"pk": {"S": "quota#usr_a"}}
    assert update["UpdateExpression"] == "ADD #q0 :n0, #q1 :n1"
    assert update["ConditionExpression"] == (
        "(attribute_not_exists(#q0) OR #q0 <= :max0) AND (attribute_not_exists(#q1) OR #q1 <= :max1)"
    )
    # The override (700) for stored_bytes, the default (3) for pending_uploads.
    assert update["ExpressionAttributeValues"][":max0"] == {"N": "400"}
    assert update["ExpressionAttributeValues"][":max1"] == {"N": "2"}


def test_a_give_back_is_unconditional_and_reads_nothing():
    client = _Client()
    quotas, _ = _repos(client)
    (op,) = quotas.ops("usr_a", {Quota.active_runs: -1})
    assert "ConditionExpression" not in op["Update"]
    assert op["Update"]["ExpressionAttributeValues"][":n0"] == {"N": "-1"}


def test_a_take_larger_than_the_limit_is_refused_before_any_write():
    client = _Client()
    quotas, _ = _repos(client)
    with pytest.raises(QuotaExceededError) as raised:
        quotas.ops("usr_a", {Quota.stored_bytes: 1001})
    assert raised.value.extra == {
        "quota": "stored_bytes",
        "limit": 1000,
        "used": 0,
        "requested": 1001,
        "frees_when": raised.value.extra["frees_when"],
    }
    assert raised.value.status == 429 and raised.value.headers == {}
    assert client.transactions == []


def test_a_run_start_takes_a_slot_and_counts_the_day_in_its_own_transaction():
    client = _Client()
    _, runs = _repos(client)
    created = runs.create(_run(rev=0, event_seq=0), [], "corr")
    assert created.holds_slot
    (transaction,) = client.transactions
    on_user, on_day = _quota_updates(transaction)
    assert on_user["Key"] == {"pk": {"S": "quota#usr_a"}} and on_user["ExpressionAttributeNames"] == {"#q0": "active_runs"}
    assert on_day["Key"]["pk"]["S"].startswith("quota#usr_a#day#")
    assert on_day["ExpressionAttributeNames"]["#q0"] == "runs_per_day" and "if_not_exists(#ttl" in on_day["UpdateExpression"]


@pytest.mark.parametrize("status", [RunStatus.completed, RunStatus.error, RunStatus.cancelled])
def test_an_ending_gives_the_slot_back_with_the_rev_conditional_commit(status):
    client = _Client()
    _, runs = _repos(client)
    before = _run(holds_slot=True)
    after = runs.commit(before, before.model_copy(update={"status": status}), [], "corr")
    assert not after.holds_slot
    (transaction,) = client.transactions
    assert transaction[0]["Put"]["ConditionExpression"] == "rev = :rev"  # a retried writer fails here
    (release,) = _quota_updates(transaction)
    assert release["ExpressionAttributeValues"][":n0"] == {"N": "-1"} and "ConditionExpression" not in release


def test_a_run_holding_no_slot_gives_nothing_back_and_active_to_active_changes_nothing():
    client = _Client()
    _, runs = _repos(client)
    runs.commit(_run(holds_slot=False), _run(status=RunStatus.completed), [], "corr")
    kept = runs.commit(_run(holds_slot=True), _run(holds_slot=True, status=RunStatus.awaiting_input), [], "corr")
    assert kept.holds_slot
    assert [_quota_updates(t) for t in client.transactions] == [[], []]


def test_an_ended_run_made_active_again_takes_a_slot_and_a_full_quota_is_a_429():
    client = _Client(fail_at=1)  # the run item, then the counter
    _, runs = _repos(client)
    ended = _run(status=RunStatus.error)
    with pytest.raises(QuotaExceededError) as raised:
        runs.commit(ended, ended.model_copy(update={"status": RunStatus.running}), [], "corr")
    assert raised.value.quota is Quota.active_runs
    (take,) = _quota_updates(client.transactions[0])
    assert take["ExpressionAttributeValues"][":max0"] == {"N": "4"}


def _media(status: MediaStatus, counted: bool = True, size: int | None = None) -> Media:
    return Media(
        media_id="media_a",
        user_id="usr_a",
        filename="a.png",
        content_type="image/png",
        declared_size=100,
        size_bytes=size,
        status=status,
        key="k",
        retention="1d",
        created_at="t",
        updated_at="t",
        quota_counted=counted,
    )


def test_media_counts_its_declared_size_while_pending_and_gives_back_by_its_status_change():
    assert quota_take(_media(MediaStatus.pending)) == {Quota.pending_uploads: 1, Quota.stored_bytes: 100}
    assert quota_take(_media(MediaStatus.ready, size=80)) == {Quota.stored_bytes: 80}
    pending = _media(MediaStatus.pending)
    assert quota_release(pending, MediaStatus.ready) == {Quota.pending_uploads: -1}
    assert quota_release(pending, MediaStatus.rejected) == {Quota.pending_uploads: -1, Quota.stored_bytes: -100}
    assert quota_release(_media(MediaStatus.ready, size=100), MediaStatus.rejected) == {Quota.stored_bytes: -100}
    assert quota_release(_media(MediaStatus.pending, counted=False), MediaStatus.rejected) == {}


def test_the_daily_quota_says_when_it_frees():
    client = _Client({"quota#usr_a": {"pk": {"S": "quota#usr_a"}, "limits": {"M": {"runs_per_day": {"N": "0"}}}}})
    quotas, _ = _repos(client)
    with pytest.raises(QuotaExceededError) as raised:
        quotas.ops("usr_a", {Quota.active_runs: 1, Quota.runs_per_day: 1})
    error = raised.value
    assert error.quota is Quota.runs_per_day and error.extra["frees_at"].endswith("T00:00:00.000000Z")
    assert 0 < int(error.headers["Retry-After"]) <= 86_401 and error.extra["retry_after_seconds"] == error.retry_after


class _ForceClient(_Client):
    """force_error's writes: the transaction fails on the run's condition when `holding` is
    False (the run holds no slot); update_item always lands."""

    def __init__(self, holding: bool):
        super().__init__(fail_at=None if holding else 0)


def test_force_error_gives_a_held_slot_back_in_its_own_transaction():
    client = _ForceClient(holding=True)
    _, runs = _repos(client)
    runs.force_error(_run(holds_slot=True), RunError(code="BOOKKEEPING_FAILED", message="x"))
    (transaction,) = client.transactions
    run_update = transaction[0]["Update"]
    assert run_update["ConditionExpression"] == "#s IN (:running, :awaiting) AND holds_slot = :true"
    assert "holds_slot = :false" in run_update["UpdateExpression"]
    (release,) = _quota_updates(transaction)
    assert release["ExpressionAttributeValues"][":n0"] == {"N": "-1"}
    assert client.updates == []


def test_force_error_of_a_run_holding_no_slot_gives_nothing_back():
    client = _ForceClient(holding=False)
    _, runs = _repos(client)
    runs.force_error(_run(), RunError(code="BOOKKEEPING_FAILED", message="x"))
    (update,) = client.updates
    assert update["ConditionExpression"] == (
        "#s IN (:running, :awaiting) AND (attribute_not_exists(holds_slot) OR holds_slot <> :true)"
    )
    assert "ADD" not in update["UpdateExpression"]
