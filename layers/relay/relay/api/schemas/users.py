"""User bodies (admin routes)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from relay.domain import User
from relay.services.users import EMAIL_MAX_LENGTH, EMAIL_PATTERN, USERNAME_PATTERN

from .common import Strict, documented


class UserCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "alice", "email": "alice@example.com"}]})

    username: str = Field(
        min_length=2,
        max_length=63,
        description="stored lowercased; unique regardless of case",
        json_schema_extra=documented(pattern=USERNAME_PATTERN),
    )
    email: str = Field(
        min_length=3,
        max_length=EMAIL_MAX_LENGTH,
        description="stored lowercased; unique regardless of case",
        json_schema_extra=documented(format="email", pattern=EMAIL_PATTERN),
    )
    is_admin: bool = False


class UserPublic(BaseModel):
    user_id: str
    username: str
    email: str
    is_admin: bool
    created_at: str

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls.model_validate(user.model_dump())


class UserCreated(BaseModel):
    user: UserPublic
    api_key: str = Field(description="shown once; only its SHA-256 is stored")
