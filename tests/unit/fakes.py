"""In-memory fakes of the DynamoDB/S3 adapters (relay/adapters/*.py), for service tests.

Each fake has the same public methods and parameters as its adapter (checked by
adapters/test_fakes_contract.py) and keeps its data in plain dicts that tests assert on.
Like the real stores, a fake copies records in and out: a caller mutating what it got back
never changes what is stored.
"""

from __future__ import annotations

import json
from typing import Any

from relay.adapters.dynamo import decode_cursor, encode_cursor
from relay.adapters.users import EmailTakenError, UsernameTakenError
from relay.domain import Template, User, Version
from relay.exceptions import ConflictError
from relay.ids import now_iso


class FakeUserRepository:
    """Mirrors relay.adapters.users.UserRepository."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}  # user_id -> user
        self.usernames: dict[str, str] = {}  # username -> user_id
        self.emails: dict[str, str] = {}  # email -> user_id
        self.key_hashes: dict[str, str] = {}  # sha256 of an API key -> user_id

    def add(self, user: User, key_hash: str) -> None:
        if user.username in self.usernames:
            raise UsernameTakenError(f"username {user.username!r} is taken")
        if user.email in self.emails:
            raise EmailTakenError(f"email {user.email!r} is already registered")
        if key_hash in self.key_hashes or user.user_id in self.users:
            raise ConflictError("user could not be created; retry", code="USER_CONFLICT")
        self.users[user.user_id] = user.model_copy(deep=True)
        self.usernames[user.username] = user.user_id
        self.emails[user.email] = user.user_id
        self.key_hashes[key_hash] = user.user_id

    def by_key_hash(self, key_hash: str) -> User | None:
        user_id = self.key_hashes.get(key_hash)
        return self.users[user_id].model_copy(deep=True) if user_id else None

    def get(self, user_id: str) -> User | None:
        user = self.users.get(user_id)
        return user.model_copy(deep=True) if user else None

    def by_username(self, username: str) -> User | None:
        user_id = self.usernames.get(username)
        return self.users[user_id].model_copy(deep=True) if user_id else None


class FakeTemplateRepository:
    """Mirrors relay.adapters.templates.TemplateRepository."""

    def __init__(self) -> None:
        self.templates: dict[tuple[str, str], Template] = {}  # (user_id, template_name)
        self.versions: dict[tuple[str, str], Version] = {}  # (template_id, content_hash)

    # -- templates ------------------------------------------------------------------------
    def get_by_name(self, user_id: str, name: str) -> Template | None:
        template = self.templates.get((user_id, name))
        return template.model_copy(deep=True) if template else None

    def get(self, template_id: str) -> Template | None:
        for template in self.templates.values():
            if template.template_id == template_id:
                return template.model_copy(deep=True)
        return None

    def add(self, template: Template) -> bool:
        key = (template.user_id, template.template_name)
        if key in self.templates:
            return False
        self.templates[key] = template.model_copy(deep=True)
        return True

    def list(self, user_id: str, cursor: str | None, limit: int) -> tuple[list[Template], str | None]:
        start = decode_cursor(cursor, expected_keys={"user_id", "template_name"})
        mine = sorted(
            (t for (owner, _), t in self.templates.items() if owner == user_id),
            key=lambda t: t.template_name,
        )
        if start and start["user_id"] == {"S": user_id}:
            mine = [t for t in mine if t.template_name > start["template_name"]["S"]]
        page = mine[:limit]
        next_cursor = None
        if len(mine) > limit:
            last = page[-1]
            next_cursor = encode_cursor(
                {"user_id": {"S": last.user_id}, "template_name": {"S": last.template_name}}
            )
        return [t.model_copy(deep=True) for t in page], next_cursor

    def record_version(self, template: Template, version_id: str) -> None:
        stored = self.templates[(template.user_id, template.template_name)]
        stored.latest_version_id = version_id
        stored.updated_at = now_iso()
        stored.version_count += 1

    def touch_used(self, template: Template) -> None:
        self.templates[(template.user_id, template.template_name)].last_used_at = now_iso()

    # -- versions -------------------------------------------------------------------------
    def get_version_by_hash(self, template_id: str, content_hash: str) -> Version | None:
        version = self.versions.get((template_id, content_hash))
        return version.model_copy(deep=True) if version else None

    def get_version(self, version_id: str) -> Version | None:
        for version in self.versions.values():
            if version.version_id == version_id:
                return version.model_copy(deep=True)
        return None

    def add_version(self, version: Version) -> bool:
        key = (version.template_id, version.content_hash)
        if key in self.versions:
            return False
        self.versions[key] = version.model_copy(deep=True)
        return True

    def list_versions(
        self, template_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Version], str | None]:
        start = decode_cursor(cursor, expected_keys={"template_id", "content_hash", "created_at"})
        ordered = sorted(
            (v for (tpl, _), v in self.versions.items() if tpl == template_id),
            key=lambda v: (v.created_at, v.content_hash),
            reverse=True,
        )
        if start and start["template_id"] == {"S": template_id}:
            after = (start["created_at"]["S"], start["content_hash"]["S"])
            ordered = [v for v in ordered if (v.created_at, v.content_hash) < after]
        page = ordered[:limit]
        next_cursor = None
        if len(ordered) > limit:
            last = page[-1]
            next_cursor = encode_cursor(
                {
                    "template_id": {"S": last.template_id},
                    "content_hash": {"S": last.content_hash},
                    "created_at": {"S": last.created_at},
                }
            )
        return [v.model_copy(deep=True) for v in page], next_cursor


class FakeWorkflowStore:
    """Mirrors relay.adapters.templates.WorkflowStore: S3 objects as a dict of bytes."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, body: bytes) -> None:
        self.objects[key] = bytes(body)

    def get(self, key: str) -> dict[str, Any]:
        return json.loads(self.objects[key])
