"""Keyword history and option usage in HistoryTable, per template.

Items share the template's partition (`template_id`), by `sk`:
- `keyword#<category>#<keyword, casefolded>`: total_weight, uses, source, step_id, last_used,
  `ttl` (its expiry, DynamoDB TTL), `recent_key` = `<template_id>#keyword`
- `option#<step_id>#<sha256 of the option>`: option, uses, created_at, last_used,
  `recent_key` = `<template_id>#option`
- `applied#<op_id>`: one recording that was made (TTL 30 days), so that a retried RunStep
  does not count it twice: it is written in the same transaction as the counts.

GSIs: ByWeight (template_id, total_weight: keywords only) and ByRecent (recent_key, last_used).
Every read is a GetItem/BatchGetItem or a Query; expired keywords are filtered out on read
(TTL deletes them later, moto never).
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from relay.domain.history import KeywordEntry, KeywordRecord, OptionUsage, keyword_key
from relay.exceptions import ConcurrentUpdateError
from relay.ids import iso

from .dynamo import cancellation_codes, error_code, from_item
from .filtered_pages import filtered_page

APPLIED_TTL_SECONDS = 30 * 24 * 3600
_ATTEMPTS = 8
_KEYWORD_FIELDS = ("keyword", "category", "total_weight", "uses", "source", "step_id", "created_at", "last_used")


def keyword_sk(category: str, keyword: str) -> str:
    return f"keyword#{category}#{keyword_key(keyword)}"


def option_sk(step_id: str, option: str) -> str:
    return f"option#{step_id}#{hashlib.sha256(option.encode('utf-8')).hexdigest()[:40]}"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


class HistoryRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # -- recording ------------------------------------------------------------------------
    def record_keywords(
        self,
        template_id: str,
        user_id: str,
        op_id: str,
        records: list[KeywordRecord],
        *,
        step_id: str,
        now_epoch: float,
    ) -> bool:
        """Add `records` (one per (category, keyword)) to the template's keywords, once per
        `op_id`. False: this op_id was applied before (nothing changed)."""
        keys = [keyword_sk(r.category, r.keyword) for r in records]
        for _ in range(_ATTEMPTS):
            existing = self._ttls(template_id, keys)
            now = iso_from(now_epoch)
            updates = []
            for sk, record in zip(keys, records, strict=True):
                expires = int(now_epoch) + record.expires_in_days * 24 * 3600
                values = {
                    ":w": _n(record.weight),
                    ":one": _n(1),
                    ":now": _s(now),
                    ":ttl": _n(expires),
                    ":src": _s(record.source),
                    ":step": _s(step_id),
                    ":kw": _s(record.keyword),
                    ":cat": _s(record.category),
                    ":user": _s(user_id),
                    ":rk": _s(f"{template_id}#keyword"),
                }
                common = "keyword = :kw, category = :cat, #src = :src, step_id = :step, last_used = :now, #ttl = :ttl, user_id = :user, recent_key = :rk"
                names = {"#ttl": "ttl", "#src": "source"}
                old = existing.get(sk)
                update: dict[str, Any]
                if old is not None and old > now_epoch:  # live: add to it (still live when written)
                    update = {
                        "UpdateExpression": f"SET {common} ADD total_weight :w, uses :one",
                        "ConditionExpression": "#ttl > :nowepoch",
                    }
                    values[":nowepoch"] = _n(int(now_epoch))
                else:  # new, or expired: starts again
                    update = {"UpdateExpression": f"SET {common}, total_weight = :w, uses = :one, created_at = :now"}
                    if old is None:
                        update["ConditionExpression"] = "attribute_not_exists(sk)"
                    else:
                        update["ConditionExpression"] = "#ttl = :oldttl"
                        values[":oldttl"] = _n(old)
                update.update(
                    TableName=self._table,
                    Key={"template_id": _s(template_id), "sk": _s(sk)},
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
                updates.append({"Update": update})
            applied = self._transact(template_id, op_id, now_epoch, updates)
            if applied is not None:
                return applied
        raise ConcurrentUpdateError(f"keywords of {template_id} kept changing while recording; retry")

    def record_options(
        self, template_id: str, user_id: str, op_id: str, step_id: str, options: list[str], *, now_epoch: float
    ) -> bool:
        """Count one use of each of `options` (distinct) at `step_id`, once per `op_id`."""
        now = iso_from(now_epoch)
        updates = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"template_id": _s(template_id), "sk": _s(option_sk(step_id, option))},
                    "UpdateExpression": (
                        "SET #opt = :opt, step_id = :step, last_used = :now, user_id = :user, recent_key = :rk, "
                        "created_at = if_not_exists(created_at, :now) ADD uses :one"
                    ),
                    "ExpressionAttributeNames": {"#opt": "option"},
                    "ExpressionAttributeValues": {
                        ":opt": _s(option),
                        ":step": _s(step_id),
                        ":now": _s(now),
                        ":user": _s(user_id),
                        ":rk": _s(f"{template_id}#option"),
                        ":one": _n(1),
                    },
                }
            }
            for option in options
        ]
        for _ in range(_ATTEMPTS):
            applied = self._transact(template_id, op_id, now_epoch, updates)
            if applied is not None:
                return applied
        raise ConcurrentUpdateError(f"option usage of {template_id} kept changing while recording; retry")

    def _transact(self, template_id: str, op_id: str, now_epoch: float, updates: list[dict[str, Any]]) -> bool | None:
        """True: applied; False: applied before; None: an item changed meanwhile (try again)."""
        marker = {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "template_id": _s(template_id),
                    "sk": _s(f"applied#{op_id}"),
                    "ttl": _n(int(now_epoch) + APPLIED_TTL_SECONDS),
                },
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }
        try:
            self._client.transact_write_items(TransactItems=[marker, *updates])
            return True
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            codes = cancellation_codes(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                return False
            if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in codes):
                return None
            raise

    def _ttls(self, template_id: str, keys: list[str]) -> dict[str, int]:
        """sk → ttl of the keyword items that exist (consistent reads)."""
        found: dict[str, int] = {}
        request = {
            self._table: {
                "Keys": [{"template_id": _s(template_id), "sk": _s(sk)} for sk in dict.fromkeys(keys)],
                "ConsistentRead": True,
                "ProjectionExpression": "sk, #ttl",
                "ExpressionAttributeNames": {"#ttl": "ttl"},
            }
        }
        for item in self._batch_get(request):
            found[item["sk"]] = int(item.get("ttl", 0))
        return found

    def _batch_get(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        keys = request[self._table]["Keys"]
        for start in range(0, len(keys), 100):
            pending = {self._table: {**request[self._table], "Keys": keys[start : start + 100]}}
            for _ in range(_ATTEMPTS):
                if not pending:
                    break
                response = self._client.batch_get_item(RequestItems=pending)
                items.extend(from_item(i) for i in response.get("Responses", {}).get(self._table, []))
                pending = response.get("UnprocessedKeys") or {}
            if pending:
                raise ConcurrentUpdateError("history reads stayed unprocessed; retry")
        return items

    # -- reading --------------------------------------------------------------------------
    def _filtered(
        self,
        index: str,
        partition: tuple[str, str],
        sort_key: str,
        filters: str | None,
        names: dict[str, str],
        values: dict[str, Any],
        cursor: str | None,
        limit: int,
    ):
        return filtered_page(
            self._client,
            table=self._table,
            index=index,
            partition=partition,
            sort_key=sort_key,
            table_keys=("template_id", "sk"),
            filters=filters,
            names=names,
            values=values,
            cursor=cursor,
            limit=limit,
        )

    def option_usage(self, template_id: str, step_id: str, options: list[str]) -> dict[str, OptionUsage]:
        """The usage of each of `options` at `step_id` that was ever recorded."""
        if not options:
            return {}
        request = {
            self._table: {
                "Keys": [{"template_id": _s(template_id), "sk": _s(option_sk(step_id, o))} for o in dict.fromkeys(options)],
                "ConsistentRead": True,
            }
        }
        return {item["option"]: _option(item) for item in self._batch_get(request)}

    def keywords(
        self, template_id: str, *, order: str, category: str | None, now_epoch: float, cursor: str | None, limit: int
    ) -> tuple[list[KeywordEntry], str | None]:
        """Live keywords, heaviest first (ByWeight) or most recently used first (ByRecent)."""
        filters = ["#ttl > :nowepoch"]
        names = {"#ttl": "ttl"}
        values = {":nowepoch": _n(int(now_epoch))}
        if category is not None:
            filters.append("category = :cat")
            values[":cat"] = _s(category)
        if order == "weight":
            index, partition, sort_key = "ByWeight", ("template_id", template_id), "total_weight"
        else:
            index, partition, sort_key = "ByRecent", ("recent_key", f"{template_id}#keyword"), "last_used"
        items, next_cursor = self._filtered(index, partition, sort_key, " AND ".join(filters), names, values, cursor, limit)
        return [_keyword(item) for item in items], next_cursor

    def options(
        self, template_id: str, *, step_id: str | None, cursor: str | None, limit: int
    ) -> tuple[list[OptionUsage], str | None]:
        """Options used at the template's selects (or one step's), most recently used first."""
        filters: str | None = None
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        if step_id is not None:
            filters, values = "step_id = :step", {":step": _s(step_id)}
        items, next_cursor = self._filtered(
            "ByRecent", ("recent_key", f"{template_id}#option"), "last_used", filters, names, values, cursor, limit
        )
        return [_option(item) for item in items], next_cursor


def iso_from(epoch: float) -> str:
    from datetime import UTC, datetime

    return iso(datetime.fromtimestamp(epoch, UTC))


def _keyword(item: dict[str, Any]) -> KeywordEntry:
    return KeywordEntry(**{k: item[k] for k in _KEYWORD_FIELDS}, expires_at=iso_from(item["ttl"]))


def _option(item: dict[str, Any]) -> OptionUsage:
    return OptionUsage(
        option=item["option"],
        step_id=item["step_id"],
        uses=item["uses"],
        created_at=item["created_at"],
        last_used=item["last_used"],
    )
