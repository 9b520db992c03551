"""HistoryService and RunHistory over the real HistoryRepository (moto, in-process): the API's
template lookup (id or name, mine only), categories merged in one read, and recording ids
derived from the RunStep attempt so that a retried attempt counts nothing twice."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from builders import document, fmt, step
from relay.adapters.history import HistoryRepository
from relay.domain.history import KeywordRecord
from relay.exceptions import NotFoundError
from relay.runtime.scope import RunHistory
from relay.services import TemplateService
from relay.services.history import HistoryService
from relay_tools.local import transactions
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
TABLE = load_template(ROOT / "template.yaml")["Resources"]["HistoryTable"]["Properties"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def repo():
    transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="history",
            BillingMode=TABLE["BillingMode"],
            AttributeDefinitions=TABLE["AttributeDefinitions"],
            KeySchema=TABLE["KeySchema"],
            GlobalSecondaryIndexes=TABLE["GlobalSecondaryIndexes"],
        )
        yield HistoryRepository(client, "history")


@pytest.fixture
def templates(template_repo, workflow_store):
    return TemplateService(template_repo, workflow_store, inline_max_bytes=64_000)


@pytest.fixture
def service(repo, templates):
    return HistoryService(repo, templates, clock=Clock())


def kw(keyword, weight=1, category="general"):
    return KeywordRecord(keyword=keyword, weight=weight, category=category, source="generated", expires_in_days=30)


def submit(templates, user, workflow_id="demo"):
    return templates.submit_json(user, document(step("s", fmt("x", to="out")), workflow_id=workflow_id)).template


def test_a_template_is_found_by_id_or_name_and_only_for_its_owner(service, templates, alice, bob):
    mine = submit(templates, alice)
    assert service.template_of(alice, mine.template_id) == mine.template_id
    assert service.template_of(alice, "demo") == mine.template_id
    for other in (mine.template_id, "demo", "tpl_doesnotexist", "no-such-name"):
        with pytest.raises(NotFoundError) as caught:
            service.template_of(bob, other)
        assert caught.value.code == "TEMPLATE_NOT_FOUND"


def test_a_name_shaped_like_an_id_is_found_by_name(service, templates, alice):
    named = submit(templates, alice, workflow_id="tpl_named")
    assert service.template_of(alice, "tpl_named") == named.template_id


def test_the_api_reads_of_one_template(service, templates, alice, bob):
    mine = submit(templates, alice)
    run = RunHistory(service, "run_1", alice.user_id, mine.template_id, "rev1")
    run.record_keywords([kw("a", 3), kw("b", 1, "mood")], step_id="s", module_index=0)
    run.record_options(["x"], select_step="pick", step_id="s", module_index=1)
    items, cursor = service.keywords(alice, "demo", order="weight", category=None, cursor=None, limit=10)
    assert [k.keyword for k in items] == ["a", "b"] and cursor is None
    items, _ = service.options(alice, mine.template_id, step_id="pick", cursor=None, limit=10)
    assert [(o.option, o.uses) for o in items] == [("x", 1)]
    with pytest.raises(NotFoundError):
        service.keywords(bob, mine.template_id, order="weight", category=None, cursor=None, limit=10)


def test_a_retried_attempt_counts_nothing_twice_and_the_next_attempt_counts_again(service):
    def attempt(rev):
        run = RunHistory(service, "run_1", "usr_a", "tpl_a", f"rev{rev}")
        run.record_keywords([kw("k", 2)], step_id="s", module_index=0)
        run.record_options(["o"], select_step="s", step_id="s", module_index=1)
        run.record_keywords([kw("k", 5)], step_id="s", module_index=0)  # the same module again (a jump back)

    attempt(1)
    attempt(1)  # RunStep retried: same rev, same ids
    assert [
        (k.keyword, k.total_weight, k.uses)
        for k in RunHistory(service, "run_1", "usr_a", "tpl_a", "x").keywords(order="weight", categories=None, limit=5)
    ] == [("k", 7, 2)]
    attempt(2)
    run = RunHistory(service, "run_1", "usr_a", "tpl_a", "rev3")
    assert [(k.total_weight, k.uses) for k in run.keywords(order="weight", categories=None, limit=5)] == [(14, 4)]
    assert run.option_usage("s", ["o"])["o"].uses == 2


def test_another_run_of_the_template_shares_the_history(service):
    RunHistory(service, "run_1", "usr_a", "tpl_a", "rev1").record_keywords([kw("k")], step_id="s", module_index=0)
    RunHistory(service, "run_2", "usr_a", "tpl_a", "rev1").record_keywords([kw("k")], step_id="s", module_index=0)
    (entry,) = RunHistory(service, "run_3", "usr_a", "tpl_a", "rev1").keywords(order="recent", categories=None, limit=5)
    assert entry.total_weight == 2


def test_reading_several_categories_merges_them_in_order(service):
    run = RunHistory(service, "run_1", "usr_a", "tpl_a", "rev1")
    run.record_keywords(
        [kw("s1", 5, "style"), kw("s2", 1, "style"), kw("m1", 3, "mood"), kw("o1", 9, "other")], step_id="s", module_index=0
    )
    assert [k.keyword for k in run.keywords(order="weight", categories=["style", "mood"], limit=2)] == ["s1", "m1"]
    assert [k.keyword for k in run.keywords(order="weight", categories=["style", "mood", "style"], limit=10)] == [
        "s1",
        "m1",
        "s2",
    ]
    assert [k.keyword for k in run.keywords(order="weight", categories=None, limit=2)] == ["o1", "s1"]


def test_duplicates_in_one_recording_add_up(service):
    run = RunHistory(service, "run_1", "usr_a", "tpl_a", "rev1")
    run.record_keywords([kw("Neon", 1), kw("neon", 2)], step_id="s", module_index=0)
    run.record_options(["a", "a", "b"], select_step="s", step_id="s", module_index=1)
    (entry,) = run.keywords(order="weight", categories=None, limit=5)
    assert (entry.keyword, entry.total_weight, entry.uses) == ("neon", 3, 1)
    assert {o: u.uses for o, u in run.option_usage("s", ["a", "b"]).items()} == {"a": 1, "b": 1}
