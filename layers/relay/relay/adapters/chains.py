"""ChainsTable: a chain item (`sk = chain`) and its steps (`sk = step#<step_id>`) under one
partition key, written in one transaction. ByUser / ByUserStatus (sparse attributes of the
chain item only) list a user's chains newest first."""

from __future__ import annotations

from typing import Any

from relay.domain.chain_records import Chain, ChainStep

from .dynamo import from_item, query_page, to_item

_CHAIN_SK = "chain"
_STEP_PREFIX = "step#"
_INDEX_ATTRIBUTES = ("sk", "user_status", "chain_user")


class ChainRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _chain_item(self, chain: Chain) -> dict[str, Any]:
        record = chain.model_dump(mode="json")
        record["sk"] = _CHAIN_SK
        # ByUser's key is `chain_user` (only chain items carry it, so steps stay out of the index).
        record["chain_user"] = chain.user_id
        record["user_status"] = f"{chain.user_id}#{chain.status}"
        return to_item(record)

    def create(self, chain: Chain, steps: list[ChainStep]) -> None:
        puts = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": self._chain_item(chain),
                    "ConditionExpression": "attribute_not_exists(chain_id)",
                }
            }
        ]
        for step in steps:
            item = to_item({**step.model_dump(mode="json"), "sk": _STEP_PREFIX + step.step_id})
            puts.append({"Put": {"TableName": self._table, "Item": item}})
        self._client.transact_write_items(TransactItems=puts)

    def get(self, chain_id: str) -> Chain | None:
        response = self._client.get_item(
            TableName=self._table, Key={"chain_id": {"S": chain_id}, "sk": {"S": _CHAIN_SK}}, ConsistentRead=True
        )
        if "Item" not in response:
            return None
        return _chain(from_item(response["Item"]))

    def steps(self, chain_id: str) -> list[ChainStep]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "chain_id = :c AND begins_with(sk, :p)",
            "ExpressionAttributeValues": {":c": {"S": chain_id}, ":p": {"S": _STEP_PREFIX}},
            "ConsistentRead": True,
        }
        found: list[ChainStep] = []
        while True:
            response = self._client.query(**kwargs)
            for item in response.get("Items", []):
                record = from_item(item)
                record.pop("sk", None)
                found.append(ChainStep.model_validate(record))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return sorted(found, key=lambda s: (s.level, s.step_id))

    def list_for_user(self, user_id: str, status: str | None, cursor: str | None, limit: int) -> tuple[list[Chain], str | None]:
        if status:
            index, partition = "ByUserStatus", ("user_status", f"{user_id}#{status}")
        else:
            index, partition = "ByUser", ("chain_user", user_id)
        items, next_cursor = query_page(
            self._client,
            table=self._table,
            index=index,
            partition=partition,
            sort_key="created_at",
            table_keys=("chain_id", "sk"),
            cursor=cursor,
            limit=limit,
            newest_first=True,
        )
        return [_chain(r) for r in items], next_cursor


def _chain(record: dict[str, Any]) -> Chain:
    for name in _INDEX_ATTRIBUTES:
        record.pop(name, None)
    return Chain.model_validate(record)
