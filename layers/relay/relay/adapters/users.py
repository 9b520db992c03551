"""Users and API keys in one table: `user#<id>`, and the claims `username#…`, `email#…`,
`key#<sha256>` that make usernames, emails and keys unique (written in one transaction)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.domain import User
from relay.domain.exceptions import EmailTakenError, UsernameTakenError
from relay.exceptions import ConflictError

from .dynamo import cancellation_codes, error_code, from_item, to_item


class UserRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def add(self, user: User, key_hash: str) -> None:
        record = user.model_dump()
        claims = [
            to_item({"pk": f"user#{user.user_id}", "kind": "user", **record}),
            to_item({"pk": f"username#{user.username}", "kind": "username", "user_id": user.user_id}),
            to_item({"pk": f"email#{user.email}", "kind": "email", "user_id": user.user_id}),
            to_item({"pk": f"key#{key_hash}", "kind": "api_key", **record}),
        ]
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                    for item in claims
                ]
            )
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = cancellation_codes(exc)
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise UsernameTakenError(f"username {user.username!r} is taken") from exc
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise EmailTakenError(f"email {user.email!r} is already registered") from exc
            raise ConflictError("user could not be created; retry", code="USER_CONFLICT") from exc

    def by_key_hash(self, key_hash: str) -> User | None:
        # Strongly consistent: a key works the moment it is created.
        response = self._client.get_item(TableName=self._table, Key={"pk": {"S": f"key#{key_hash}"}}, ConsistentRead=True)
        item = response.get("Item")
        if not item:
            return None
        return User.model_validate(from_item(item))

    def get(self, user_id: str) -> User | None:
        item = self._client.get_item(TableName=self._table, Key={"pk": {"S": f"user#{user_id}"}})
        return User.model_validate(from_item(item["Item"])) if "Item" in item else None

    def by_username(self, username: str) -> User | None:
        claim = self._client.get_item(TableName=self._table, Key={"pk": {"S": f"username#{username}"}})
        if "Item" not in claim:
            return None
        user_id = from_item(claim["Item"])["user_id"]
        item = self._client.get_item(TableName=self._table, Key={"pk": {"S": f"user#{user_id}"}})
        return User.model_validate(from_item(item["Item"])) if "Item" in item else None
