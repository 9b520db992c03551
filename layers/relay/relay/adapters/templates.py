"""Templates (key: user_id + template_name) and versions (key: template_id + content_hash).
Large resolved workflows live in the artifacts bucket under `templates/<tpl>/<ver>.json`."""

from __future__ import annotations

import builtins
import json
from typing import Any

from botocore.exceptions import ClientError

from relay.domain import Template, Version
from relay.ids import now_iso

from .dynamo import error_code, from_item, query_page, to_attr, to_item


class TemplateRepository:
    def __init__(self, client: Any, templates_table: str, versions_table: str) -> None:
        self._client = client
        self._templates = templates_table
        self._versions = versions_table

    # -- templates ------------------------------------------------------------------------
    def get_by_name(self, user_id: str, name: str) -> Template | None:
        response = self._client.get_item(
            TableName=self._templates,
            Key={"user_id": {"S": user_id}, "template_name": {"S": name}},
            ConsistentRead=True,
        )
        return Template.model_validate(from_item(response["Item"])) if "Item" in response else None

    def get(self, template_id: str) -> Template | None:
        response = self._client.query(
            TableName=self._templates,
            IndexName="ById",
            KeyConditionExpression="template_id = :id",
            ExpressionAttributeValues={":id": {"S": template_id}},
        )
        items = response.get("Items", [])
        return Template.model_validate(from_item(items[0])) if items else None

    def add(self, template: Template) -> bool:
        """False when the user already has a template of that name (a concurrent submit)."""
        try:
            self._client.put_item(
                TableName=self._templates,
                Item=to_item(template.model_dump()),
                ConditionExpression="attribute_not_exists(template_name)",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def list(self, user_id: str, cursor: str | None, limit: int) -> tuple[list[Template], str | None]:
        items, next_cursor = query_page(
            self._client,
            table=self._templates,
            partition=("user_id", user_id),
            sort_key="template_name",
            table_keys=(),
            cursor=cursor,
            limit=limit,
        )
        return [Template.model_validate(i) for i in items], next_cursor

    def record_version(self, template: Template, version_id: str) -> None:
        now = now_iso()
        self._client.update_item(
            TableName=self._templates,
            Key={"user_id": {"S": template.user_id}, "template_name": {"S": template.template_name}},
            UpdateExpression="SET latest_version_id = :v, updated_at = :now ADD version_count :one",
            ExpressionAttributeValues={":v": {"S": version_id}, ":now": {"S": now}, ":one": {"N": "1"}},
        )

    def touch_used(self, template: Template) -> None:
        self._client.update_item(
            TableName=self._templates,
            Key={"user_id": {"S": template.user_id}, "template_name": {"S": template.template_name}},
            UpdateExpression="SET last_used_at = :now",
            ExpressionAttributeValues={":now": to_attr(now_iso())},
        )

    # -- versions -------------------------------------------------------------------------
    def get_version_by_hash(self, template_id: str, content_hash: str) -> Version | None:
        response = self._client.get_item(
            TableName=self._versions,
            Key={"template_id": {"S": template_id}, "content_hash": {"S": content_hash}},
            ConsistentRead=True,
        )
        return self._version(response["Item"]) if "Item" in response else None

    def get_version(self, version_id: str) -> Version | None:
        response = self._client.query(
            TableName=self._versions,
            IndexName="ById",
            KeyConditionExpression="version_id = :id",
            ExpressionAttributeValues={":id": {"S": version_id}},
        )
        items = response.get("Items", [])
        return self._version(items[0]) if items else None

    def add_version(self, version: Version) -> bool:
        """False when this content already has a version under the template."""
        record = version.model_dump()
        record["workflow_json"] = json.dumps(record.pop("workflow")) if version.workflow is not None else None
        try:
            self._client.put_item(
                TableName=self._versions,
                Item=to_item(record),
                ConditionExpression="attribute_not_exists(content_hash)",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def list_versions(self, template_id: str, cursor: str | None, limit: int) -> tuple[builtins.list[Version], str | None]:
        """Newest first (the ByCreated LSI)."""
        items, next_cursor = query_page(
            self._client,
            table=self._versions,
            index="ByCreated",
            partition=("template_id", template_id),
            sort_key="created_at",
            table_keys=("content_hash",),
            cursor=cursor,
            limit=limit,
            newest_first=True,
        )
        return [self._version_record(i) for i in items], next_cursor

    @classmethod
    def _version(cls, item: dict[str, Any]) -> Version:
        return cls._version_record(from_item(item))

    @staticmethod
    def _version_record(record: dict[str, Any]) -> Version:
        raw = record.pop("workflow_json", None)
        record["workflow"] = json.loads(raw) if raw is not None else None
        return Version.model_validate(record)


class WorkflowStore:
    """Resolved workflows too large to keep inline, in the (versioned) artifacts bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, body: bytes) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json")

    def get(self, key: str) -> dict[str, Any]:
        return json.loads(self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read())
