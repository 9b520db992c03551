"""Users and API keys. Only a SHA-256 of a key is stored; the key is shown once."""

from __future__ import annotations

import hashlib
import re
import secrets

from relay.domain import User
from relay.exceptions import InvalidRequestError, NotFoundError, UnauthorizedError
from relay.ids import is_id, new_id, now_iso

# One pattern each for Python (`fullmatch`) and the OpenAPI document (ECMA-262): ASCII classes
# only, so both engines read them alike. Usernames and emails are stored lowercased.
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,62}$"
# An address as `format: email` means it (RFC 5321, ASCII): a dot-atom local part (at most 64
# characters, checked apart), then a host name with a letters-only top-level domain.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATEXT}(?:\.{_ATEXT})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
EMAIL_MAX_LENGTH = 254
EMAIL_LOCAL_MAX_LENGTH = 64
USERNAME = re.compile(USERNAME_PATTERN)
EMAIL = re.compile(EMAIL_PATTERN)
KEY_PREFIX = "rk_"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class UserService:
    def __init__(self, users) -> None:  # UserRepository
        self._users = users

    def create_user(self, username: str, email: str, *, is_admin: bool = False, api_key: str | None = None) -> tuple[User, str]:
        # Checked as given (the CLI strips its arguments; the API takes exactly what it documents).
        if not USERNAME.fullmatch(username):
            raise InvalidRequestError(
                "username must be 2-63 characters of A-Z, a-z, 0-9, '_', '.', '-', starting with a letter or digit",
                code="INVALID_USERNAME",
            )
        if not EMAIL.fullmatch(email) or len(email) > EMAIL_MAX_LENGTH or email.index("@") > EMAIL_LOCAL_MAX_LENGTH:
            raise InvalidRequestError(f"{email[:300]!r} is not an email address", code="INVALID_EMAIL")
        username, email = username.lower(), email.lower()
        if api_key is not None and len(api_key) < 16:
            raise InvalidRequestError("an API key must be at least 16 characters", code="INVALID_API_KEY")
        key = api_key or new_api_key()
        user = User(user_id=new_id("usr"), username=username, email=email, is_admin=is_admin, created_at=now_iso())
        self._users.add(user, hash_api_key(key))
        return user, key

    def authenticate(self, api_key: str | None) -> User:
        if not api_key:
            raise UnauthorizedError("send an API key as 'Authorization: Bearer rk_…'", code="MISSING_API_KEY")
        user = self._users.by_key_hash(hash_api_key(api_key))
        if user is None:
            raise UnauthorizedError("the API key is not valid", code="INVALID_API_KEY")
        return user

    def get(self, user_id: str) -> User:
        user = self._users.get(user_id) if is_id(user_id, "usr") else None
        if user is None:
            raise NotFoundError(f"user {user_id[:64]} not found")
        return user

    def find(self, username: str) -> User | None:
        return self._users.by_username(username.strip().lower())
