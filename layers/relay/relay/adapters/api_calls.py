"""API-call records (ApiCallsTable: key (run_id, call_id), LSI ByStarted (run_id, started_at))
and their bodies and images in the artifacts bucket (`api-calls/…`, tagged for retention)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from relay.domain.api_calls import ApiCall
from relay.ids import utcnow

from .dynamo import error_code, from_item, query_page, to_attr, to_item

_MISSING = {"NoSuchKey", "404", "NotFound"}
_BODIES = ("request", "response")


class ApiCallRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, call: ApiCall) -> None:
        record = call.model_dump(mode="json", exclude=set(_BODIES))
        item = to_item({k: v for k, v in record.items() if v is not None})
        for name in _BODIES:  # any JSON (null included) kept as given
            if getattr(call, name) is not None:
                item[name] = to_attr(getattr(call, name))
        self._client.put_item(TableName=self._table, Item=item)

    def get(self, run_id: str, call_id: str) -> ApiCall | None:
        response = self._client.get_item(
            TableName=self._table, Key={"run_id": {"S": run_id}, "call_id": {"S": call_id}}, ConsistentRead=True
        )
        return ApiCall.model_validate(from_item(response["Item"])) if "Item" in response else None

    def list_for_run(self, run_id: str, cursor: str | None, limit: int) -> tuple[list[ApiCall], str | None]:
        """Oldest first (a Query on ByStarted)."""
        items, next_cursor = query_page(
            self._client,
            table=self._table,
            index="ByStarted",
            partition=("run_id", run_id),
            sort_key="started_at",
            table_keys=("run_id", "call_id"),
            cursor=cursor,
            limit=limit,
        )
        return [ApiCall.model_validate(r) for r in items], next_cursor


class ApiCallStorage:
    """Bodies and images in the artifacts bucket, each tagged `relay:retention`."""

    # An image already stored is put again when older than this, so it outlives the newest
    # call that references it by at least the retention minus this.
    REFRESH_AFTER = timedelta(days=7)

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def put_json(self, key: str, value: Any, retention: str) -> None:
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            Tagging=f"relay:retention={retention}",
        )

    def get_json(self, key: str) -> Any:
        try:
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise
        return json.loads(body)

    def put_image_once(self, key: str, data: bytes, media_type: str, retention: str) -> None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) not in _MISSING:
                raise
            head = None
        if head is not None and head["LastModified"] > utcnow() - self.REFRESH_AFTER:
            return
        self._client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=media_type, Tagging=f"relay:retention={retention}"
        )
