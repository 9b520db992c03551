"""Media records (MediaTable, key media_id; GSIs ByUser, ByRun) and their objects in the media
bucket: presigned POST/GET, HEAD, the first bytes, a streamed sha256, tags, delete."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from botocore.exceptions import ClientError

from relay.domain.media import Media, MediaStatus
from relay.domain.quotas import Quota
from relay.exceptions import ConflictError

from .dynamo import error_code, from_item, to_attr, to_item
from .quotas import QuotaRepository
from .transaction import Transaction, write_one

_MISSING = {"NoSuchKey", "404", "NotFound"}


def quota_take(media: Media) -> dict[Quota, int]:
    """What a new media counts: a pending upload reserves its declared size."""
    if media.status is MediaStatus.pending:
        return {Quota.pending_uploads: 1, Quota.stored_bytes: media.declared_size}
    return {Quota.stored_bytes: media.size_bytes or media.declared_size}


def quota_release(media: Media, to_status: MediaStatus) -> dict[Quota, int]:
    """What leaving `media.status` for `to_status` gives back (nothing if never counted)."""
    if not media.quota_counted or to_status is media.status:
        return {}
    changes: dict[Quota, int] = {}
    if media.status is MediaStatus.pending:
        changes[Quota.pending_uploads] = -1
    if to_status is MediaStatus.rejected:  # its object is deleted
        changes[Quota.stored_bytes] = -(media.size_bytes or media.declared_size)
    return changes


class MediaRepository:
    # A pending media carries `pending_owner` (its user): the sparse index PendingByUser
    # lists a user's pending uploads, oldest first, to reclaim the abandoned ones.
    def __init__(self, client: Any, table: str, quotas: QuotaRepository | None = None) -> None:
        self._client = client
        self._table = table
        self._quotas = quotas  # None: nothing is counted

    def get(self, media_id: str) -> Media | None:
        response = self._client.get_item(TableName=self._table, Key={"media_id": {"S": media_id}}, ConsistentRead=True)
        return Media.model_validate(from_item(response["Item"])) if "Item" in response else None

    def add(self, media: Media) -> Media:
        """Put a new media, counted in its user's quotas in the same transaction (a full quota
        is a QuotaExceededError and nothing is written)."""
        changes = quota_take(media) if self._quotas is not None else {}
        media = media.model_copy(update={"quota_counted": bool(changes)})
        record = media.model_dump(mode="json")
        if media.status is MediaStatus.pending:
            record["pending_owner"] = media.user_id
        put = {
            "Put": {"TableName": self._table, "Item": to_item(record), "ConditionExpression": "attribute_not_exists(media_id)"}
        }
        exists = lambda: ConflictError(f"media {media.media_id} exists already")  # noqa: E731
        transaction = Transaction(self._client)
        transaction.add(put, exists)
        if self._quotas is not None:
            self._quotas.count(transaction, media.user_id, changes)
        if len(transaction.writes) == 1:
            write_one(self._client, put, exists)
        else:
            transaction.commit()
        return media

    def pending_of(self, user_id: str, created_before: str, limit: int = 25) -> list[str]:
        """Ids of the user's media still pending that were created before `created_before`."""
        response = self._client.query(
            TableName=self._table,
            IndexName="PendingByUser",
            KeyConditionExpression="pending_owner = :user AND created_at < :before",
            ExpressionAttributeValues={":user": {"S": user_id}, ":before": {"S": created_before}},
            Limit=limit,
        )
        return [item["media_id"]["S"] for item in response.get("Items", [])]

    def oldest_pending(self, user_id: str) -> str | None:
        """`created_at` of the user's oldest pending media."""
        response = self._client.query(
            TableName=self._table,
            IndexName="PendingByUser",
            KeyConditionExpression="pending_owner = :user",
            ExpressionAttributeValues={":user": {"S": user_id}},
            Limit=1,
        )
        items = response.get("Items", [])
        return items[0]["created_at"]["S"] if items else None

    def decide(self, media: Media, *, from_status: MediaStatus, **changes: Any) -> Media | None:
        """Set `changes` if the record is still `from_status` (and, from `ready`, still the
        verified object). None when another writer decided first. Leaving `pending` drops it
        from PendingByUser; what the change frees in the quotas is given back with it."""
        to_status = changes.get("status", from_status)
        if from_status is MediaStatus.pending and to_status is not MediaStatus.pending:
            changes = {**changes, "pending_owner": None}
        release = quota_release(media.model_copy(update={"status": from_status}), to_status)
        names = {"#status": "status"}
        values: dict[str, Any] = {":from": to_attr(from_status.value)}
        sets, removes = [], []
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            if value is None:
                removes.append(f"#f{i}")
            else:
                values[f":v{i}"] = to_attr(value.value if isinstance(value, MediaStatus) else value)
                sets.append(f"#f{i} = :v{i}")
        expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
        condition = "#status = :from"
        if from_status is MediaStatus.ready and media.etag:
            names["#etag"], values[":etag"] = "etag", to_attr(media.etag)
            condition += " AND #etag = :etag"
        update = {
            "UpdateExpression": expression.strip(),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if not release or self._quotas is None:
            return self._update_if(media.media_id, **update)
        lost = RuntimeError(f"media {media.media_id} was decided meanwhile")  # told apart by identity
        transaction = Transaction(self._client)
        transaction.add(
            {"Update": {"TableName": self._table, "Key": {"media_id": {"S": media.media_id}}, **update}}, lambda: lost
        )
        try:
            self._quotas.count(transaction, media.user_id, release).commit()
        except RuntimeError as exc:
            if exc is not lost:
                raise
            return None
        return self.get(media.media_id)

    def attach(self, media: Media, run_id: str, now: str) -> Media | None:
        """Record the run (ByRun) and drop the expiry, if the media is ready and not attached
        to another run. None if it is not (any more)."""
        return self._update_if(
            media.media_id,
            UpdateExpression="SET run_id = :run, retention = :ret, updated_at = :now REMOVE expires_at, #ttl",
            ConditionExpression="#status = :ready AND (attribute_not_exists(run_id) OR run_id = :run)",
            ExpressionAttributeNames={"#status": "status", "#ttl": "ttl"},
            ExpressionAttributeValues={
                ":run": {"S": run_id},
                ":ret": {"S": "run"},
                ":now": {"S": now},
                ":ready": {"S": MediaStatus.ready.value},
            },
        )

    def _update_if(self, media_id: str, **update: Any) -> Media | None:
        """A conditional UpdateItem of one media record: the record after it, or None when
        the condition did not hold."""
        try:
            response = self._client.update_item(
                TableName=self._table, Key={"media_id": {"S": media_id}}, ReturnValues="ALL_NEW", **update
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return Media.model_validate(from_item(response["Attributes"]))


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    content_type: str
    etag: str


def tagging_xml(tags: dict[str, str]) -> str:
    body = "".join(f"<Tag><Key>{escape(k)}</Key><Value>{escape(v)}</Value></Tag>" for k, v in tags.items())
    return f"<Tagging><TagSet>{body}</TagSet></Tagging>"


class MediaStorage:
    """The media bucket. The client should sign with SigV4 (`signature_version="s3v4"`)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def presign_post(
        self,
        key: str,
        content_type: str,
        max_bytes: int,
        tags: dict[str, str],
        expires_in: int,
        disposition: str | None = None,
    ) -> dict[str, Any]:
        """`{url, fields}` for a browser form POST of exactly this key, type, tags, disposition
        (stored as the object's Content-Disposition) and at most `max_bytes`; S3 refuses
        anything else."""
        tagging = tagging_xml(tags)
        fields = {"Content-Type": content_type, "tagging": tagging}
        if disposition is not None:
            fields["Content-Disposition"] = disposition
        return self._client.generate_presigned_post(
            self.bucket,
            key,
            Fields=fields,
            Conditions=[*({name: value} for name, value in fields.items()), ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )

    def presign_get(self, key: str, content_type: str, disposition: str, expires_in: int) -> str:
        """A GET answered with this Content-Type and Content-Disposition (S3's `response-content-*`
        overrides, signed into the URL), whatever the object's own metadata says."""
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_in,
        )

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise
        return ObjectInfo(
            size=int(response["ContentLength"]),
            content_type=response.get("ContentType", ""),
            etag=response.get("ETag", "").strip('"'),
        )

    def _get(self, key: str, **kwargs: Any) -> Any:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=key, **kwargs)["Body"]
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise

    def read(self, key: str) -> bytes | None:
        """The whole object (api.llm's images); None if gone."""
        body = self._get(key)
        return None if body is None else body.read()

    def first_bytes(self, key: str, count: int) -> bytes | None:
        """None if the object is gone."""
        body = self._get(key, Range=f"bytes=0-{count - 1}")
        return None if body is None else body.read(count)

    def sha256(self, key: str, chunk_size: int = 1 << 20) -> tuple[str, int] | None:
        """Hex digest and byte count, streamed (no object is held in memory); None if gone."""
        digest, size = hashlib.sha256(), 0
        body = self._get(key)
        if body is None:
            return None
        for chunk in iter(lambda: body.read(chunk_size), b""):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size

    def put(self, key: str, data: bytes, content_type: str, tags: dict[str, str], disposition: str | None = None) -> str:
        """Write an object the server fetched itself (media.ingest_url); its ETag."""
        from urllib.parse import urlencode

        extra = {"ContentDisposition": disposition} if disposition else {}
        response = self._client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, Tagging=urlencode(tags), **extra
        )
        return str(response.get("ETag", "")).strip('"')

    def set_tags(self, key: str, tags: dict[str, str]) -> None:
        self._client.put_object_tagging(
            Bucket=self.bucket, Key=key, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)
