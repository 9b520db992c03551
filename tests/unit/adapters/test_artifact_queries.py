"""ArtifactRepository's requests: the ByRun Query (a type is a begins_with, a cursor from
another run or type is INVALID_CURSOR), the latest version found through a lagging ByLineage
by following `superseded_by` with consistent reads, and the decision's condition."""

from __future__ import annotations

import json

import pytest

from relay.adapters.artifacts import ArtifactRepository, decision_update
from relay.adapters.dynamo import encode_cursor, to_item
from relay.domain.artifacts import ArtifactStatus, ArtifactType
from relay.domain.changes import RecordDecision
from relay.exceptions import InvalidRequestError


def record(artifact_id: str, version: int, is_latest: bool, superseded_by: str | None = None) -> dict:
    item = {
        "artifact_id": artifact_id,
        "run_id": "run_1",
        "user_id": "usr_1",
        "artifact_name": "draft",
        "artifact_type": "deliverable",
        "format": "json",
        "content_type": "application/json",
        "size_bytes": 2,
        "sha256": "0" * 64,
        "content": json.dumps({"v": version}),
        "version": version,
        "is_latest": is_latest,
        "status": "pending",
        "retention": "keep",
        "created_at": "t",
        "updated_at": "t",
        "lineage": "run_1#draft",
        "type_created": f"deliverable#t#{artifact_id}",
        "superseded_by": superseded_by,
    }
    return to_item(item)


class StubClient:
    def __init__(self, items: dict[str, dict], index_rows: list[dict] | None = None) -> None:
        self.items, self.index_rows, self.calls = items, index_rows or [], []

    def query(self, **kwargs):
        self.calls.append(("query", kwargs))
        return {"Items": self.index_rows}

    def get_item(self, **kwargs):
        self.calls.append(("get_item", kwargs))
        item = self.items.get(kwargs["Key"]["artifact_id"]["S"])
        return {"Item": item} if item else {}


def test_a_type_is_a_begins_with_on_by_run():
    client = StubClient({})
    ArtifactRepository(client, "artifacts").list_for_run("run_1", ArtifactType.debug, None, 10)
    _, query = client.calls[0]
    assert query["IndexName"] == "ByRun" and query["Limit"] == 10
    assert query["KeyConditionExpression"] == "run_id = :r AND begins_with(type_created, :t)"
    assert query["ExpressionAttributeValues"] == {":r": {"S": "run_1"}, ":t": {"S": "debug#"}}


@pytest.mark.parametrize(
    ("run_id", "sort_key", "kind"),
    [("run_2", "debug#t#art_1", ArtifactType.debug), ("run_1", "state#t#art_1", ArtifactType.debug)],
)
def test_a_cursor_of_another_run_or_type_is_invalid(run_id, sort_key, kind):
    cursor = encode_cursor({"run_id": {"S": run_id}, "type_created": {"S": sort_key}, "artifact_id": {"S": "art_1"}})
    client = StubClient({})
    with pytest.raises(InvalidRequestError) as bad:
        ArtifactRepository(client, "artifacts").list_for_run("run_1", kind, cursor, 10)
    assert bad.value.code == "INVALID_CURSOR" and client.calls == []


def test_the_latest_is_followed_past_a_lagging_index_with_consistent_reads():
    items = {
        "art_1": record("art_1", 1, False, "art_2"),
        "art_2": record("art_2", 2, False, "art_3"),
        "art_3": record("art_3", 3, True),
    }
    client = StubClient(items, index_rows=[{"artifact_id": {"S": "art_1"}}])  # the index knows only v1
    latest = ArtifactRepository(client, "artifacts").latest("run_1", "draft")
    assert latest.artifact_id == "art_3" and latest.version == 3 and latest.content == {"v": 3}
    _, query = client.calls[0]
    assert query["IndexName"] == "ByLineage" and query["ScanIndexForward"] is False and query["Limit"] == 1
    assert all(kwargs["ConsistentRead"] for kind, kwargs in client.calls if kind == "get_item")


def test_a_decision_is_conditional_on_latest_and_awaiting():
    update = decision_update("artifacts", RecordDecision("art_1", ArtifactStatus.approved, "alice", "now", None, "inp_1"))
    assert update["ConditionExpression"] == "is_latest = :true AND #s IN (:d0, :d1)"
    assert {update["ExpressionAttributeValues"][k]["S"] for k in (":d0", ":d1")} == {"pending", "edited"}
    assert "REMOVE reason" in update["UpdateExpression"] and "decided_input_id = :decided_input_id" in update["UpdateExpression"]


def test_inline_json_is_kept_as_its_exact_text():
    from relay.domain.artifacts import Artifact

    artifact = Artifact.model_validate(
        {
            **ArtifactRepository._record(record("art_1", 1, True)).model_dump(),
            "content": {"x": 1.0, "deep": [[[[{"y": None}]]]]},
        }
    )
    item = ArtifactRepository._item(artifact)
    assert item["content"] == {"S": '{"x":1.0,"deep":[[[[{"y":null}]]]]}'}
    assert ArtifactRepository._record(item).content == {"x": 1.0, "deep": [[[[{"y": None}]]]]}
    null = ArtifactRepository._item(artifact.model_copy(update={"content": None}))
    assert null["content"] == {"S": "null"} and ArtifactRepository._record(null).content is None
