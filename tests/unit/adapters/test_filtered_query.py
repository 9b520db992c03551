"""relay.adapters.filtered_query against a scripted client: pages filled across reads, the
cursor at the last item taken, bounded reads, cursors checked, BatchGetItem retried."""

from __future__ import annotations

import pytest

from relay.adapters.dynamo import decode_cursor, encode_cursor
from relay.adapters.filtered_query import MAX_READS, KeyRange, batch_get, filtered_page
from relay.exceptions import InvalidRequestError, ServiceUnavailableError


class Scripted:
    """Answers query() from `pages` (each a list of sort keys) in order; records the calls."""

    def __init__(self, pages: list[list[int]], last_key_after_each: bool = True) -> None:
        self.pages, self.calls = pages, []
        self.more = last_key_after_each

    def query(self, **kwargs):
        self.calls.append(kwargs)
        n = len(self.calls) - 1
        items = [{"pk": {"S": "p"}, "sk": {"S": f"{k:03d}"}} for k in self.pages[n]]
        response = {"Items": items}
        if n < len(self.pages) - 1 and items:
            response["LastEvaluatedKey"] = {"pk": {"S": "p"}, "sk": items[-1]["sk"]}
        return response


def _page(client, limit, accept, cursor=None, key_range=None):
    return filtered_page(
        client,
        table="t",
        index=None,
        partition=("pk", "p"),
        key_range=key_range or KeyRange("sk", None, None),
        key_attributes=("pk", "sk"),
        cursor=cursor,
        limit=limit,
        accept=accept,
    )


def even(items):
    return [i["sk"] if int(i["sk"]) % 2 == 0 else None for i in items]


def test_a_page_is_filled_across_reads_and_the_cursor_is_the_last_item_taken():
    client = Scripted([[9, 8, 7], [6, 5, 4], [3, 2, 1]])
    results, cursor = _page(client, 3, even)
    assert results == ["008", "006", "004"] and len(client.calls) == 2
    assert decode_cursor(cursor, expected_keys={"pk", "sk"}) == {"pk": {"S": "p"}, "sk": {"S": "004"}}
    assert "FilterExpression" not in client.calls[0] and client.calls[0]["ScanIndexForward"] is False


def test_the_last_page_has_no_cursor_and_a_full_last_item_none():
    assert _page(Scripted([[4, 2]]), 2, even) == (["004", "002"], None)
    assert _page(Scripted([[4, 3]]), 5, even) == (["004"], None)


def test_reads_are_bounded_and_a_short_page_carries_a_cursor():
    client = Scripted([[1]] * (MAX_READS + 5))
    results, cursor = _page(client, 5, even)
    assert results == [] and len(client.calls) == MAX_READS and cursor


def test_a_cursor_of_another_partition_or_outside_the_range_is_refused():
    other = encode_cursor({"pk": {"S": "q"}, "sk": {"S": "005"}})
    with pytest.raises(InvalidRequestError):
        _page(Scripted([[1]]), 1, even, cursor=other)
    outside = encode_cursor({"pk": {"S": "p"}, "sk": {"S": "900"}})
    with pytest.raises(InvalidRequestError):
        _page(Scripted([[1]]), 1, even, cursor=outside, key_range=KeyRange("sk", None, "500"))
    inside = encode_cursor({"pk": {"S": "p"}, "sk": {"S": "400"}})
    client = Scripted([[2]])
    _page(client, 1, even, cursor=inside, key_range=KeyRange("sk", "100", "500"))
    assert client.calls[0]["ExclusiveStartKey"] == {"pk": {"S": "p"}, "sk": {"S": "400"}}
    assert client.calls[0]["KeyConditionExpression"] == "#pk = :pk AND #sk BETWEEN :low AND :high"


class Batches:
    def __init__(self, unprocessed_rounds: int) -> None:
        self.rounds, self.calls = unprocessed_rounds, 0

    def batch_get_item(self, RequestItems):
        self.calls += 1
        keys = RequestItems["t"]["Keys"]
        if self.calls <= self.rounds:
            return {"Responses": {"t": keys[:1]}, "UnprocessedKeys": {"t": {**RequestItems["t"], "Keys": keys[1:]}}}
        return {"Responses": {"t": keys}}


def test_batch_get_asks_again_for_unprocessed_keys_then_gives_up_with_a_503(monkeypatch):
    slept = []
    monkeypatch.setattr("relay.adapters.filtered_query.time.sleep", slept.append)
    keys = [{"k": {"S": str(i)}} for i in range(3)]
    assert sorted(i["k"] for i in batch_get(Batches(2), "t", keys)) == ["0", "1", "2"]
    with pytest.raises(ServiceUnavailableError):
        batch_get(Batches(100), "t", keys * 5)
    assert len(slept) == 2 + 5 and all(s >= 0 for s in slept)  # backed off between rounds
