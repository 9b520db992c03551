"""`Idempotency-Key` on run starts, with Powertools Idempotency (DynamoDB persistence).

The key is per user; the record stores the result for `ttl` seconds. The same key with a
different body is a 422, and a retry while the first call is still running is a 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from relay.exceptions import ConflictError, InvalidRequestError, UnprocessableError

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotentCall:
    def __init__(self, client: Any, table: str, ttl_seconds: int) -> None:
        persistence = DynamoDBPersistenceLayer(table_name=table, boto3_client=client)
        config = IdempotencyConfig(
            event_key_jmespath="[user_id, key]",
            payload_validation_jmespath="body",
            expires_after_seconds=ttl_seconds,
            raise_on_no_idempotency_key=True,
        )

        @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
        def start_run(request: dict[str, Any], action: Callable[[], str]) -> dict[str, str]:
            return {"result": action()}

        self._call = start_run
        self._config = config

    def once(
        self,
        user_id: str,
        key: str,
        body: dict[str, Any],
        action: Callable[[], str],
        lambda_context: Any = None,
    ) -> str:
        """Run `action` once per (user, key); later calls return its first result.

        With the Lambda context, an in-progress record expires with the invocation, so a
        crashed start does not block its key until the record's TTL."""
        if not _KEY.match(key):
            raise InvalidRequestError("Idempotency-Key must be 1-255 printable ASCII characters", code="INVALID_IDEMPOTENCY_KEY")
        if lambda_context is not None:
            self._config.register_lambda_context(lambda_context)
        try:
            return self._call(request={"user_id": user_id, "key": key, "body": body}, action=action)["result"]
        except IdempotencyValidationError as exc:
            raise UnprocessableError(
                "this Idempotency-Key was used with a different request", code="IDEMPOTENCY_KEY_REUSED"
            ) from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise ConflictError(
                "a request with this Idempotency-Key is still in progress", code="IDEMPOTENCY_IN_PROGRESS"
            ) from exc
