"""Request dependencies: the composition root, the caller, paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from relay.bootstrap import Relay
from relay.domain import User
from relay.exceptions import ForbiddenError


def get_relay(request: Request) -> Relay:
    return request.app.state.relay


RelayDep = Annotated[Relay, Depends(get_relay)]


def current_user(relay: RelayDep, authorization: Annotated[str | None, Header()] = None) -> User:
    scheme, _, key = (authorization or "").partition(" ")
    return relay.users.authenticate(key.strip() if scheme.lower() == "bearer" else None)


CurrentUser = Annotated[User, Depends(current_user)]


def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ForbiddenError("this endpoint needs an admin user", code="ADMIN_ONLY")
    return user


AdminUser = Annotated[User, Depends(admin_user)]

Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
