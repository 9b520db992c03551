"""Artifact records (ArtifactsTable: key artifact_id; GSIs ByRun, ByLineage) and their content
in the artifacts bucket (`runs/<run_id>/artifacts/…`, tagged for retention).

A new version is one transaction: the parent's `is_latest` true → false (conditional on it
still being true, which also records `superseded_by`) and the child's put (conditional on a
fresh id). Of two concurrent edits of one version exactly one commits."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from relay.domain.artifacts import DECIDABLE, Artifact, ArtifactFormat, ArtifactStatus, ArtifactType
from relay.domain.changes import RecordDecision, UndoDecision
from relay.domain.exceptions import ArtifactExistsError, NotLatestVersionError
from relay.domain.quotas import Quota
from relay.exceptions import ConcurrentUpdateError, InvalidRequestError

from .dynamo import decode_cursor, encode_cursor, error_code, from_item, to_item
from .media import MediaStorage
from .quotas import QuotaRepository
from .transaction import Transaction, write_one

_MISSING = {"NoSuchKey", "404", "NotFound"}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


_INDEX_ONLY = ("lineage", "type_created")
MAX_VERSIONS = 1000


class ArtifactRepository:
    def __init__(self, client: Any, table: str, quotas: QuotaRepository | None = None) -> None:
        self._client = client
        self._table = table
        # Every version's bytes count in its user's `stored_bytes`, in the transaction that
        # writes it (an upload in progress counts once completed). None: nothing is counted.
        self._quotas = quotas

    def _count(self, transaction: Transaction, artifact: Artifact) -> Transaction:
        """Count `artifact`'s bytes in its user's `stored_bytes` in `transaction` (an upload in
        progress counts once completed)."""
        if self._quotas is not None and artifact.upload_expires_at is None and artifact.size_bytes:
            self._quotas.count(transaction, artifact.user_id, {Quota.stored_bytes: artifact.size_bytes})
        return transaction

    @staticmethod
    def _item(artifact: Artifact) -> dict[str, Any]:
        from relay.domain.artifacts import lineage_of, type_created

        record = artifact.model_dump(mode="json")
        if artifact.upload_expires_at is None:  # an upload in progress stays out of the indexes
            record["lineage"] = lineage_of(artifact.run_id, artifact.artifact_name)
            record["type_created"] = type_created(artifact.artifact_type, artifact.created_at, artifact.artifact_id)
        item = to_item({k: v for k, v in record.items() if k != "content"})
        if artifact.key is None:
            # Inline content as the exact text it was hashed as: JSON as compact JSON (a map
            # would turn 1.0 into 1 and be bound by DynamoDB's nesting limit), text as is.
            body = artifact.content if artifact.format is ArtifactFormat.text else _compact(artifact.content)
            item["content"] = {"S": body}
        return item

    @staticmethod
    def _record(item: dict[str, Any]) -> Artifact:
        record = from_item(item)
        for name in (*_INDEX_ONLY, "superseded_by"):
            record.pop(name, None)
        if "content" in record and record.get("format") == ArtifactFormat.json.value:
            record["content"] = json.loads(record["content"])
        return Artifact.model_validate(record)

    def get(self, artifact_id: str) -> Artifact | None:
        response = self._client.get_item(TableName=self._table, Key={"artifact_id": {"S": artifact_id}}, ConsistentRead=True)
        return self._record(response["Item"]) if "Item" in response else None

    def _superseded_by(self, artifact_id: str) -> tuple[Artifact | None, str | None]:
        response = self._client.get_item(TableName=self._table, Key={"artifact_id": {"S": artifact_id}}, ConsistentRead=True)
        if "Item" not in response:
            return None, None
        successor = response["Item"].get("superseded_by", {}).get("S")
        return self._record(response["Item"]), successor

    def add(self, artifact: Artifact) -> None:
        """The first version of a name (a full `stored_bytes` quota: QuotaExceededError)."""
        put = {"TableName": self._table, "Item": self._item(artifact), "ConditionExpression": "attribute_not_exists(artifact_id)"}
        exists = lambda: ArtifactExistsError(f"artifact {artifact.artifact_id} exists")  # noqa: E731
        transaction = Transaction(self._client)
        transaction.add({"Put": put}, exists)
        if len(self._count(transaction, artifact).writes) == 1:
            write_one(self._client, {"Put": put}, exists)
        else:
            transaction.commit()

    def add_version(self, parent: Artifact, child: Artifact, *, from_upload: bool = False) -> None:
        """Child becomes the latest in place of parent, or NOT_LATEST_VERSION if parent is
        not the latest any more (another version won). `from_upload`: the child's item is its
        upload record, replaced only while it is one (a second complete finds it done)."""
        in_flight = lambda: ConcurrentUpdateError(  # noqa: E731 - another transaction on the parent
            f"artifact {parent.artifact_id} changed while this version was written; retry"
        )
        transaction = Transaction(self._client, conflict=in_flight)
        transaction.add(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"artifact_id": {"S": parent.artifact_id}},
                    "UpdateExpression": "SET is_latest = :false, superseded_by = :child, updated_at = :now",
                    "ConditionExpression": "is_latest = :true",
                    "ExpressionAttributeValues": {
                        ":false": {"BOOL": False},
                        ":true": {"BOOL": True},
                        ":child": {"S": child.artifact_id},
                        ":now": {"S": child.created_at},
                    },
                }
            },
            lambda: NotLatestVersionError(
                f"artifact {parent.artifact_id} (version {parent.version}) is not the latest version any more"
            ),
        )
        condition = "attribute_exists(upload_expires_at)" if from_upload else "attribute_not_exists(artifact_id)"
        transaction.add(
            {"Put": {"TableName": self._table, "Item": self._item(child), "ConditionExpression": condition}},
            lambda: ArtifactExistsError(f"artifact {child.artifact_id} exists"),
        )
        self._count(transaction, child).commit()

    def latest(self, run_id: str, artifact_name: str) -> Artifact | None:
        """The latest version of (run, name): the highest in ByLineage (eventually
        consistent), confirmed and followed by consistent reads of `superseded_by`."""
        from relay.domain.artifacts import lineage_of

        response = self._client.query(
            TableName=self._table,
            IndexName="ByLineage",
            KeyConditionExpression="lineage = :l",
            ExpressionAttributeValues={":l": {"S": lineage_of(run_id, artifact_name)}},
            ScanIndexForward=False,
            Limit=1,
        )
        items = response.get("Items", [])
        if not items:
            return None
        artifact_id = items[0]["artifact_id"]["S"]
        for _ in range(MAX_VERSIONS):
            record, successor = self._superseded_by(artifact_id)
            if record is None:
                return None
            if record.is_latest or successor is None:
                return record
            artifact_id = successor
        return None

    def versions(self, run_id: str, artifact_name: str) -> list[Artifact]:
        """Every version of (run, name), oldest first."""
        from relay.domain.artifacts import lineage_of

        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "ByLineage",
            "KeyConditionExpression": "lineage = :l",
            "ExpressionAttributeValues": {":l": {"S": lineage_of(run_id, artifact_name)}},
            "ScanIndexForward": True,
        }
        found: list[Artifact] = []
        while len(found) < MAX_VERSIONS:
            response = self._client.query(**kwargs)
            found.extend(self._record(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found

    def list_for_run(
        self, run_id: str, artifact_type: ArtifactType | None, cursor: str | None, limit: int
    ) -> tuple[list[Artifact], str | None]:
        """A run's artifacts (every version), by type then oldest first (ByRun)."""
        start = decode_cursor(cursor, expected_keys={"run_id", "type_created", "artifact_id"})
        prefix = f"{ArtifactType(artifact_type).value}#" if artifact_type else None
        if start is not None and (
            start["run_id"] != {"S": run_id} or (prefix and not start["type_created"].get("S", "").startswith(prefix))
        ):
            raise InvalidRequestError("cursor is not valid", code="INVALID_CURSOR")
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "ByRun",
            "KeyConditionExpression": "run_id = :r" + (" AND begins_with(type_created, :t)" if prefix else ""),
            "ExpressionAttributeValues": {":r": {"S": run_id}, **({":t": {"S": prefix}} if prefix else {})},
            "Limit": limit,
        }
        if start is not None:
            kwargs["ExclusiveStartKey"] = start
        response = self._client.query(**kwargs)
        items = [self._record(i) for i in response.get("Items", [])]
        return items, encode_cursor(response.get("LastEvaluatedKey"))

    # -- decisions ------------------------------------------------------------------------
    def decide(
        self, artifact_id: str, status: ArtifactStatus, decided_by: str, decided_at: str, reason: str | None
    ) -> Artifact | None:
        """A decision outside any pause; None if the artifact is not latest-and-awaiting."""
        op = decision_update(self._table, RecordDecision(artifact_id, status, decided_by, decided_at, reason, None))
        try:
            response = self._client.update_item(**op, ReturnValues="ALL_NEW")
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return self._record(response["Attributes"])


def decision_update(table: str, change: RecordDecision) -> dict[str, Any]:
    """Record a decision, if the artifact is still the latest and awaiting one."""
    values: dict[str, Any] = {
        ":status": {"S": change.status.value},
        ":by": {"S": change.decided_by},
        ":at": {"S": change.decided_at},
        ":true": {"BOOL": True},
        **{f":d{i}": {"S": s.value} for i, s in enumerate(sorted(DECIDABLE))},
    }
    sets = ["#s = :status", "decided_by = :by", "decided_at = :at", "updated_at = :at"]
    removes = []
    for name, value in (("reason", change.reason), ("decided_input_id", change.input_id)):
        if value is None:
            removes.append(name)
        else:
            values[f":{name}"] = {"S": value}
            sets.append(f"{name} = :{name}")
    decidable = ", ".join(f":d{i}" for i in range(len(DECIDABLE)))
    return {
        "TableName": table,
        "Key": {"artifact_id": {"S": change.artifact_id}},
        "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
        "ConditionExpression": f"is_latest = :true AND #s IN ({decidable})",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": values,
    }


def undecision_update(table: str, change: UndoDecision) -> dict[str, Any]:
    """Undo the decision a pause's claim recorded (the answer could not be delivered)."""
    return {
        "TableName": table,
        "Key": {"artifact_id": {"S": change.artifact_id}},
        "UpdateExpression": "SET #s = :status REMOVE decided_by, decided_at, reason, decided_input_id",
        "ConditionExpression": "decided_input_id = :input",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":status": {"S": change.status.value}, ":input": {"S": change.input_id}},
    }


def _tagging(tags: dict[str, str]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in tags.items())


class ArtifactStorage(MediaStorage):
    """The artifacts bucket (presigned POST/GET, HEAD, sha256 as for media). The client should
    sign with SigV4 (`signature_version="s3v4"`)."""

    def put(  # type: ignore[override]
        self, key: str, body: bytes, content_type: str, tags: dict[str, str], disposition: str | None = None
    ) -> None:
        extra = {"ContentDisposition": disposition} if disposition else {}
        self._client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, Tagging=_tagging(tags), **extra)

    def copy_from(
        self, bucket: str, source_key: str, key: str, content_type: str, tags: dict[str, str], disposition: str | None = None
    ) -> None:
        """Server-side copy (no bytes through this function), retagged for this artifact."""
        extra = {"ContentDisposition": disposition} if disposition else {}
        self._client.copy_object(
            Bucket=self.bucket,
            Key=key,
            CopySource={"Bucket": bucket, "Key": source_key},
            ContentType=content_type,
            **extra,
            MetadataDirective="REPLACE",
            Tagging=_tagging(tags),
            TaggingDirective="REPLACE",
        )

    def get(self, key: str) -> bytes | None:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise

    def tags(self, key: str) -> dict[str, str]:
        response = self._client.get_object_tagging(Bucket=self.bucket, Key=key)
        return {t["Key"]: t["Value"] for t in response.get("TagSet", [])}
