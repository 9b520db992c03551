"""Security headers on every response, set in one place (a pure ASGI middleware: it edits
the response's start message only, so streamed bodies such as SSE pass through unbuffered).

- `X-Content-Type-Options: nosniff` on all of them, errors and 404s included: a browser
  never guesses a type other than the one declared.
- `Cache-Control: no-store` on everything but the public documents: API answers carry API
  keys (POST /v1/admin/users), presigned URLs and tenant data, which no browser or proxy
  should keep. The interactive docs (and their files) and the OpenAPI document may be cached."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Answers that hold nothing of any user (when asked without credentials).
PUBLIC_PATHS = frozenset({"/openapi.json", "/docs", "/healthz"})
# Swagger UI's files (relay.api.routers.docs): the same for everyone, and immutable by their path.
PUBLIC_PREFIXES = ("/docs/assets/",)
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


def _cacheable(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
        return False
    return not any(name == b"authorization" for name, _ in scope.get("headers", []))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = _cacheable(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Ours replace any a route set (the event stream's `no-cache` becomes `no-store`).
                drop = {NOSNIFF[0]} if cacheable else {NOSNIFF[0], NO_STORE[0]}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in drop]
                headers.append(NOSNIFF)
                if not cacheable:
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
