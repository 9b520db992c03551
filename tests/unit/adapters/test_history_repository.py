"""HistoryRepository against moto's DynamoDB (in-process), with HistoryTable as template.yaml
declares it: weights add up once per recording id, expiry restarts a keyword, reads are
Queries on ByWeight/ByRecent that leave expired keywords out, pages and cursors."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from relay.adapters.history import HistoryRepository
from relay.domain.history import KeywordRecord
from relay.exceptions import InvalidRequestError
from relay_tools.local import transactions
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
TABLE = load_template(ROOT / "template.yaml")["Resources"]["HistoryTable"]["Properties"]
T0 = 1_800_000_000.0
DAY = 24 * 3600


@pytest.fixture
def client():
    transactions.install()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="history",
            BillingMode=TABLE["BillingMode"],
            AttributeDefinitions=TABLE["AttributeDefinitions"],
            KeySchema=TABLE["KeySchema"],
            GlobalSecondaryIndexes=TABLE["GlobalSecondaryIndexes"],
        )
        yield dynamodb


@pytest.fixture
def repo(client):
    return HistoryRepository(client, "history")


def kw(keyword, weight=1, category="style", source="generated", days=30):
    return KeywordRecord(keyword=keyword, weight=weight, category=category, source=source, expires_in_days=days)


def record(repo, op, records, now=T0, template="tpl_a", step="write"):
    return repo.record_keywords(template, "usr_a", op, records, step_id=step, now_epoch=now)


def read(repo, template="tpl_a", order="weight", category=None, now=T0, cursor=None, limit=50):
    return repo.keywords(template, order=order, category=category, now_epoch=now, cursor=cursor, limit=limit)


def test_weights_add_up_and_a_repeated_recording_id_changes_nothing(repo):
    assert record(repo, "op1", [kw("cinematic", 3), kw("Moody", 1)]) is True
    assert record(repo, "op2", [kw("cinematic", 2)], now=T0 + 60) is True
    assert record(repo, "op2", [kw("cinematic", 2)], now=T0 + 120) is False  # a retried RunStep
    items, cursor = read(repo, now=T0 + 120)
    assert cursor is None
    assert [(k.keyword, k.total_weight, k.uses) for k in items] == [("cinematic", 5, 2), ("Moody", 1, 1)]
    first = items[0]
    assert first.category == "style" and first.source == "generated" and first.step_id == "write"
    assert first.created_at < first.last_used
    assert first.expires_at.startswith("2027-")  # 30 days after T0 + 60 (2027-01-15)


def test_keywords_match_case_insensitively_and_keep_the_last_spelling(repo):
    record(repo, "op1", [kw("Film  Grain")])
    record(repo, "op2", [kw("film grain", 4, source="selected")], now=T0 + 1)
    (entry,), _ = read(repo, now=T0 + 2)
    assert (entry.keyword, entry.total_weight, entry.source) == ("film grain", 5, "selected")


def test_an_expired_keyword_is_not_read_and_starts_again_when_recorded(repo):
    record(repo, "op1", [kw("neon", 10, days=1), kw("dusk", 1, days=30)])
    assert [k.keyword for k in read(repo, now=T0 + 2 * DAY)[0]] == ["dusk"]
    record(repo, "op2", [kw("neon", 2, days=1)], now=T0 + 2 * DAY)
    items, _ = read(repo, now=T0 + 2 * DAY)
    assert [(k.keyword, k.total_weight, k.uses) for k in items] == [("neon", 2, 1), ("dusk", 1, 1)]


def test_order_by_recent_and_category_filter(repo):
    record(repo, "op1", [kw("a", 9)])
    record(repo, "op2", [kw("b", 1, category="mood")], now=T0 + 10)
    record(repo, "op3", [kw("c", 5)], now=T0 + 20)
    assert [k.keyword for k in read(repo, order="recent", now=T0 + 30)[0]] == ["c", "b", "a"]
    assert [k.keyword for k in read(repo, order="weight", now=T0 + 30)[0]] == ["a", "c", "b"]
    assert [k.keyword for k in read(repo, category="mood", now=T0 + 30)[0]] == ["b"]
    assert [k.keyword for k in read(repo, category="none", now=T0 + 30)[0]] == []


def test_pages_follow_cursors_and_a_cursor_of_another_template_is_refused(repo):
    record(repo, "op1", [kw(f"k{i}", i + 1) for i in range(7)])
    record(repo, "op2", [kw("other")], template="tpl_b")
    seen, cursor = [], None
    while True:
        items, cursor = read(repo, cursor=cursor, limit=3)
        seen += [k.keyword for k in items]
        if cursor is None:
            break
    assert seen == [f"k{i}" for i in range(6, -1, -1)]
    _, cursor = read(repo, limit=3)
    with pytest.raises(InvalidRequestError) as caught:
        read(repo, template="tpl_b", cursor=cursor, limit=3)
    assert caught.value.code == "INVALID_CURSOR"
    with pytest.raises(InvalidRequestError):
        read(repo, cursor="bm90LWEtY3Vyc29y")


def test_filtered_pages_are_filled_past_what_the_filter_drops(repo):
    record(repo, "op1", [kw(f"s{i}", 100 + i) for i in range(5)])
    record(repo, "op2", [kw(f"m{i}", i + 1, category="mood") for i in range(3)])
    items, cursor = read(repo, category="mood", limit=2)
    assert [k.keyword for k in items] == ["m2", "m1"]
    more, cursor = read(repo, category="mood", cursor=cursor, limit=2)
    assert [k.keyword for k in more] == ["m0"]


def test_templates_do_not_share_history(repo):
    record(repo, "op1", [kw("mine")])
    assert read(repo, template="tpl_b")[0] == []


def test_option_usage_counts_once_per_recording_and_orders_by_last_use(repo):
    assert repo.record_options("tpl_a", "usr_a", "o1", "pick", ["warm", "cold"], now_epoch=T0) is True
    assert repo.record_options("tpl_a", "usr_a", "o2", "pick", ["cold"], now_epoch=T0 + 5) is True
    assert repo.record_options("tpl_a", "usr_a", "o2", "pick", ["cold"], now_epoch=T0 + 9) is False
    repo.record_options("tpl_a", "usr_a", "o3", "other", ["x" * 500], now_epoch=T0 + 7)
    usage = repo.option_usage("tpl_a", "pick", ["warm", "cold", "never"])
    assert {o: (u.uses, u.step_id) for o, u in usage.items()} == {"warm": (1, "pick"), "cold": (2, "pick")}
    assert usage["cold"].created_at < usage["cold"].last_used
    items, _ = repo.options("tpl_a", step_id=None, cursor=None, limit=10)
    assert [(o.option[:3], o.step_id) for o in items] == [("xxx", "other"), ("col", "pick"), ("war", "pick")]
    items, _ = repo.options("tpl_a", step_id="pick", cursor=None, limit=1)
    assert [o.option for o in items] == ["cold"]


class _OneCallAtATime:
    """moto's backends are not thread-safe; the local cloud serialises each service's calls
    (relay_tools.local.isolation), and so does this wrapper. Calls still interleave between threads:
    a recorder's read and its transaction are two calls another can come between (a short
    pause after each call makes them do so)."""

    def __init__(self, client):
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(**kwargs):
            with self._lock:
                result = method(**kwargs)
            time.sleep(0.002)
            return result

        return call


def test_concurrent_recordings_of_one_keyword_all_count(client):
    repo = HistoryRepository(_OneCallAtATime(client), "history")
    start = threading.Barrier(6)

    def worker(n):
        start.wait()
        for i in range(5):
            record(repo, f"op-{n}-{i}", [kw("shared", 1), kw(f"own{n}", 1)], now=T0 + i)

    with ThreadPoolExecutor(max_workers=6) as pool:  # six at once: the barrier holds them until all are up
        futures = [pool.submit(worker, n) for n in range(6)]
    for future in futures:
        future.result()  # a worker's error fails the test here
    items, _ = read(repo, now=T0 + 10)
    weights = {k.keyword: (k.total_weight, k.uses) for k in items}
    assert weights["shared"] == (30, 30)
    assert all(weights[f"own{n}"] == (5, 5) for n in range(6))
