"""The FastAPI application: one router per resource, errors mapped in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from relay import __version__
from relay.containers.api import ApiContainer

from . import errors
from .headers import SecurityHeaders
from .lazy_routers import add_lazy_routers, load_all

# Every router module (relay.api.routers.<name>.router) with the path prefixes it serves (by
# segment, `*` = any one segment), in matching order: a router listed first wins a path that two
# could take. A router is built when a request first reaches one of its prefixes (see
# lazy_routers); tests/unit/api/test_lazy_routers.py checks every route sits under its prefixes.
ROUTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("health", ("/healthz",)),
    ("docs", ("/docs",)),  # Swagger UI from the project's copy (FastAPI's own page loads it from a CDN)
    ("logs", ("/v1/runs/*/logs", "/v1/admin/logs")),  # before admin: /v1/admin/logs is its
    ("quotas", ("/v1/quotas", "/v1/admin/users/*/quotas")),  # before admin: its /v1/admin/users/{id}/quotas
    ("admin", ("/v1/admin",)),
    ("templates", ("/v1/templates", "/v1/versions")),
    ("approvals", ("/v1/approvals",)),
    ("media", ("/v1/media",)),
    ("artifacts", ("/v1/artifacts", "/v1/runs/*/artifacts", "/v1/runs/*/media", "/v1/runs/*/export")),
    ("api_calls", ("/v1/runs/*/api-calls",)),
    ("history", ("/v1/keywords", "/v1/option-usage")),
    ("event_stream", ("/v1/runs/*/events/stream",)),  # before runs (its /events would not take it, but runs loads more)
    ("run_compare", ("/v1/runs/compare",)),  # before runs: /v1/runs/{run_id} would take it
    ("run_control", ("/v1/runs/*/cancel", "/v1/runs/*/retry", "/v1/runs/*/resume")),
    ("branches", ("/v1/runs/*/branches",)),
    ("runs", ("/v1/runs",)),  # after the routers of /v1/runs/{id}/…, so a request to them loads only theirs
    ("chains", ("/v1/chains",)),
)


def _operation_id(route: APIRoute) -> str:
    return route.name  # the endpoint function's name: submit_template, start_run …


def _complete_openapi(app: FastAPI) -> None:
    """Problem responses are added to FastAPI's document on the first GET /openapi.json
    (relay.api.openapi), so building the app costs nothing for it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from .openapi import complete

            load_all(app)
            app.openapi_schema = complete(build(), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(relay: ApiContainer, *, eager: bool = False) -> FastAPI:
    """With `eager`, every router is built now (where init is paid ahead of requests:
    SnapStart, provisioned concurrency); else each on the first request to its paths."""
    app = FastAPI(
        title="Relay",
        version=__version__,
        description="Human-in-the-loop AI content workflows. Authenticate with `Authorization: Bearer rk_…`.",
        generate_unique_id_function=_operation_id,
        docs_url=None,  # relay.api.routers.docs serves /docs
        redoc_url=None,  # FastAPI's ReDoc page loads its script from a CDN
    )
    app.state.relay = relay
    errors.install(app)
    # Around the whole stack, Starlette's ServerErrorMiddleware included: its headers reach
    # every answer, an unhandled error's 500 too.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack())  # type: ignore[method-assign]
    add_lazy_routers(app, tuple((f"{__package__}.routers.{name}", paths) for name, paths in ROUTERS))
    if eager:
        load_all(app)
    _complete_openapi(app)
    return app
