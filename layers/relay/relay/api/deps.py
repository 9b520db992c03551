"""Request dependencies: the composition root, the caller, paging."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from relay.adapters.dynamo import CURSOR_PATTERN
from relay.containers.api import ApiContainer
from relay.domain import User
from relay.exceptions import ForbiddenError
from relay.ids import id_pattern


def get_relay(request: Request) -> ApiContainer:
    return request.app.state.relay


RelayDep = Annotated[ApiContainer, Depends(get_relay)]


# Declares the scheme in OpenAPI; answers None (not FastAPI's own 401/403) for a missing header
# or another scheme, so the 401 is Relay's problem+json.
bearer = HTTPBearer(
    scheme_name="ApiKey",
    bearerFormat="rk_…",
    description="`Authorization: Bearer rk_…`: a user's API key (shown once when the user is created).",
    auto_error=False,
)


def current_user(relay: RelayDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    return relay.users.authenticate(credentials.credentials if credentials else None)


CurrentUser = Annotated[User, Depends(current_user)]


def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ForbiddenError("this endpoint needs an admin user", code="ADMIN_ONLY")
    return user


AdminUser = Annotated[User, Depends(admin_user)]

Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=2048,
        json_schema_extra={"pattern": CURSOR_PATTERN},  # decode_cursor: anything else is INVALID_CURSOR
        description="`next_cursor` of the previous page of the same list (opaque; any other is a 400 INVALID_CURSOR)",
    ),
]


def _id(prefix: str, what: str) -> Any:
    # The pattern documents the shape; the server answers anything else 404 (it names nothing).
    return Path(description=f"{what} id", json_schema_extra={"pattern": id_pattern(prefix)})


RunId = Annotated[str, _id("run", "a run's")]
TemplateId = Annotated[str, _id("tpl", "a template's")]
VersionId = Annotated[str, _id("ver", "a version's")]
UserId = Annotated[str, _id("usr", "a user's")]
ChainId = Annotated[str, _id("chain", "a chain's")]
