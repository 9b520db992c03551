"""Routers built when a request first reaches them.

A FastAPI route costs about a millisecond to build (its dependant, its parameter, body and
response fields: pydantic schemas and validators), and every router module imports its
schemas. A Lambda execution environment often serves one kind of request, so the API
function builds, at init, only a stand-in per router: `LazyRouter`, which knows the paths its
router serves. The first request to one of them imports the module, includes its router in
the stand-in's place (the order of the app's routes, hence matching precedence, is kept) and
is answered by it; later requests go straight to the router. What every request needs (the
composition root, errors, authentication) is built at init as before.

`load_all` includes every router now: for the OpenAPI document, and at init when that is paid
ahead of requests anyway (SnapStart, provisioned concurrency).
"""

from __future__ import annotations

import importlib
import threading

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

_lock = threading.Lock()  # two first requests at once (the local server's thread pool) load once


def _segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


class LazyRouter(BaseRoute):
    """Stands for `<module>.router` among the app's routes. `paths` are path prefixes, by
    segment, with `*` for any one segment (`/v1/runs/*/artifacts`)."""

    def __init__(self, app: FastAPI, module: str, paths: tuple[str, ...]) -> None:
        self.app = app
        self.module = module
        self.patterns = tuple(_segments(path) for path in paths)
        self.entries: list[BaseRoute] | None = None  # what the app's routes hold in its place once loaded

    def serves(self, path: str) -> bool:
        parts = _segments(path)
        return any(
            len(parts) >= len(pattern) and all(p in ("*", part) for p, part in zip(pattern, parts, strict=False))
            for pattern in self.patterns
        )

    def load(self) -> list[BaseRoute]:
        with _lock:
            if self.entries is None:
                router = importlib.import_module(self.module).router
                routes = self.app.router.routes
                before = len(routes)
                self.app.include_router(router)
                entries = routes[before:]
                del routes[before:]
                if self in routes:  # a request racing load_all may have replaced it already
                    at = routes.index(self)
                    routes[at : at + 1] = entries
                self.entries = entries
            return self.entries

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not self.serves(scope["path"]):
            return Match.NONE, {}
        best: tuple[Match, Scope] = (Match.NONE, {})
        for entry in self.load():
            match, child_scope = entry.matches(scope)
            if match is Match.FULL:
                return Match.FULL, {**child_scope, "relay.lazy_entry": entry}
            if match is Match.PARTIAL and best[0] is Match.NONE:
                best = (Match.PARTIAL, {**child_scope, "relay.lazy_entry": entry})
        return best

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope.pop("relay.lazy_entry").handle(scope, receive, send)

    def __repr__(self) -> str:
        state = "loaded" if self.entries is not None else "not loaded"
        return f"LazyRouter({self.module!r}, {state})"


def add_lazy_routers(app: FastAPI, routers: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
    for module, paths in routers:
        app.router.routes.append(LazyRouter(app, module, paths))


def load_all(app: FastAPI) -> None:
    for route in list(app.router.routes):
        if isinstance(route, LazyRouter):
            route.load()


def pending(app: FastAPI) -> list[str]:
    """The router modules not loaded yet."""
    return [r.module for r in app.router.routes if isinstance(r, LazyRouter) and r.entries is None]
