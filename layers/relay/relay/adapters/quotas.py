"""Per-user quota counters, in the users table beside the user's records:

- `quota#<user_id>`: the counters `active_runs`, `stored_bytes`, `pending_uploads`, and the
  admin's overrides (`limits`, a map quota → limit);
- `quota#<user_id>#day#<YYYY-MM-DD>`: `runs_per_day`, the runs started that UTC day (a DynamoDB
  TTL drops it two days later).

A counter moves only inside the transaction of what it counts (`ops`): a take is `ADD n` on
the condition `used <= limit - n`, so concurrent takes can never overshoot; a give-back is an
unconditional `ADD -n` in the transaction of the status change that frees it, so a retried
writer (whose status change fails its own condition) never gives back twice.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from relay.domain.exceptions import QuotaExceededError
from relay.domain.quotas import Quota, next_utc_midnight, utc_day
from relay.ids import iso, utcnow

from .dynamo import error_code, from_item
from .transaction import Transaction

_ON_USER = (Quota.active_runs, Quota.stored_bytes, Quota.pending_uploads)
_DAY_ITEM_KEPT = timedelta(days=2)


@dataclass(frozen=True)
class QuotaState:
    limits: dict[Quota, int]  # in force: the override, else the deployment's default
    overridden: frozenset[Quota]
    used: dict[Quota, int]
    day: str  # the UTC day `runs_per_day` counts
    day_resets_at: str


class QuotaRepository:
    def __init__(self, client: Any, table: str, defaults: Mapping[Quota, int]) -> None:
        self._client = client
        self._table = table
        self._defaults = {quota: int(defaults[quota]) for quota in Quota}

    @staticmethod
    def _key(user_id: str, day: str | None = None) -> dict[str, Any]:
        return {"pk": {"S": f"quota#{user_id}" + (f"#day#{day}" if day else "")}}

    def _get(self, key: dict[str, Any]) -> dict[str, Any]:
        response = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return from_item(response["Item"]) if "Item" in response else {}

    # -- read -----------------------------------------------------------------------------
    def _limits(self, record: dict[str, Any]) -> tuple[dict[Quota, int], frozenset[Quota]]:
        overrides = {Quota(k): int(v) for k, v in (record.get("limits") or {}).items() if k in Quota.__members__}
        return {**self._defaults, **overrides}, frozenset(overrides)

    def state(self, user_id: str) -> QuotaState:
        now = utcnow()
        day = utc_day(now)
        record, day_record = self._get(self._key(user_id)), self._get(self._key(user_id, day))
        limits, overridden = self._limits(record)
        used = {quota: max(0, int(record.get(quota.value, 0))) for quota in _ON_USER}
        used[Quota.runs_per_day] = int(day_record.get(Quota.runs_per_day.value, 0))
        return QuotaState(limits, overridden, used, day, iso(next_utc_midnight(now)))

    def defaults(self) -> dict[Quota, int]:
        return dict(self._defaults)

    # -- count ----------------------------------------------------------------------------
    def ops(self, user_id: str, changes: Mapping[Quota, int]) -> list[dict[str, Any]]:
        """Transaction items applying `changes`: a positive amount is taken (conditional on the
        limit), a negative one given back. A take that could never fit raises at once."""
        changes = {quota: n for quota, n in changes.items() if n}
        takes = {quota: n for quota, n in changes.items() if n > 0}
        limits: dict[Quota, int] = {}
        if takes:
            limits, _ = self._limits(self._get(self._key(user_id)))
            if any(n > limits[quota] for quota, n in takes.items()):
                raise self.exceeded(user_id, changes)
        ops = []
        on_user = {quota: n for quota, n in changes.items() if quota in _ON_USER}
        if on_user:
            ops.append(self._update(self._key(user_id), on_user, limits))
        if Quota.runs_per_day in changes:
            now = utcnow()
            ttl = int((next_utc_midnight(now) + _DAY_ITEM_KEPT).timestamp())
            ops.append(
                self._update(self._key(user_id, utc_day(now)), {Quota.runs_per_day: changes[Quota.runs_per_day]}, limits, ttl)
            )
        return ops

    def count(self, transaction: Transaction, user_id: str, changes: Mapping[Quota, int]) -> Transaction:
        """Add the counter writes of `changes` to `transaction` (a take that does not fit
        fails it with the 429 QuotaExceededError); with none to write, it is left as it is.
        Returns it, for chaining."""
        ops = self.ops(user_id, changes)
        if ops:
            transaction.extend(ops, lambda: self.exceeded(user_id, changes))
            transaction.retry_conflicts = True  # every write of the user's counter item is a transaction
        return transaction

    def _update(
        self, key: dict[str, Any], changes: dict[Quota, int], limits: dict[Quota, int], ttl: int | None = None
    ) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        adds, conditions = [], []
        for i, (quota, n) in enumerate(changes.items()):
            names[f"#q{i}"] = quota.value
            values[f":n{i}"] = {"N": str(n)}
            adds.append(f"#q{i} :n{i}")
            if n > 0:
                values[f":max{i}"] = {"N": str(limits[quota] - n)}
                conditions.append(f"(attribute_not_exists(#q{i}) OR #q{i} <= :max{i})")
        expression = "ADD " + ", ".join(adds)
        if ttl is not None:
            names["#ttl"], values[":ttl"] = "ttl", {"N": str(ttl)}
            expression = "SET #ttl = if_not_exists(#ttl, :ttl) " + expression
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": key,
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if conditions:
            update["ConditionExpression"] = " AND ".join(conditions)
        return {"Update": update}

    def exceeded(
        self, user_id: str, changes: Mapping[Quota, int], retry_after: Mapping[Quota, int] | None = None
    ) -> QuotaExceededError:
        """The 429 for `changes` that did not fit: the first take over its limit now (or, if
        another request freed room meanwhile, the first take)."""
        state = self.state(user_id)
        takes = [(quota, n) for quota, n in changes.items() if n > 0]
        quota, n = next(((q, n) for q, n in takes if state.used[q] + n > state.limits[q]), takes[0])
        frees_at, wait = None, (retry_after or {}).get(quota)
        if quota is Quota.runs_per_day:
            frees_at = state.day_resets_at
            wait = max(1, int(next_utc_midnight(utcnow()).timestamp() - time.time()) + 1)
        return QuotaExceededError(
            quota, limit=state.limits[quota], used=state.used[quota], requested=n, retry_after=wait, frees_at=frees_at
        )

    # -- overrides ------------------------------------------------------------------------
    def set_limits(self, user_id: str, overrides: Mapping[Quota, int]) -> None:
        """Replace the user's overrides (an empty map: the defaults again). Counters are kept."""
        if overrides:
            expression = "SET #limits = :limits"
            values: dict[str, Any] | None = {
                ":limits": {"M": {quota.value: {"N": str(limit)} for quota, limit in overrides.items()}}
            }
        else:
            expression, values = "REMOVE #limits", None
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(user_id),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": {"#limits": "limits"},
        }
        if values:
            kwargs["ExpressionAttributeValues"] = values
        for attempt in range(5):
            try:
                self._client.update_item(**kwargs)
                return
            except ClientError as exc:
                # A counter's transaction on the item was in flight: try again shortly.
                if error_code(exc) != "TransactionConflictException" or attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
