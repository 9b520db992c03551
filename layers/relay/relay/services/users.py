"""Users and API keys. Only a SHA-256 of a key is stored; the key is shown once."""

from __future__ import annotations

import hashlib
import re
import secrets

from relay.domain import User
from relay.exceptions import InvalidRequestError, UnauthorizedError
from relay.ids import new_id, now_iso

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,62}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
KEY_PREFIX = "rk_"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class UserService:
    def __init__(self, users) -> None:  # UserRepository
        self._users = users

    def create_user(
        self, username: str, email: str, *, is_admin: bool = False, api_key: str | None = None
    ) -> tuple[User, str]:
        username, email = username.strip().lower(), email.strip().lower()
        if not USERNAME.match(username):
            raise InvalidRequestError(
                "username must be 2-63 characters of a-z, 0-9, '_', '.', '-', starting with a letter or digit",
                code="INVALID_USERNAME",
            )
        if not EMAIL.match(email) or len(email) > 254:
            raise InvalidRequestError(f"{email!r} is not an email address", code="INVALID_EMAIL")
        if api_key is not None and len(api_key) < 16:
            raise InvalidRequestError("an API key must be at least 16 characters", code="INVALID_API_KEY")
        key = api_key or new_api_key()
        user = User(
            user_id=new_id("usr"), username=username, email=email, is_admin=is_admin, created_at=now_iso()
        )
        self._users.add(user, hash_api_key(key))
        return user, key

    def authenticate(self, api_key: str | None) -> User:
        if not api_key:
            raise UnauthorizedError("send an API key as 'Authorization: Bearer rk_…'", code="MISSING_API_KEY")
        user = self._users.by_key_hash(hash_api_key(api_key))
        if user is None:
            raise UnauthorizedError("the API key is not valid", code="INVALID_API_KEY")
        return user

    def find(self, username: str) -> User | None:
        return self._users.by_username(username.strip().lower())
