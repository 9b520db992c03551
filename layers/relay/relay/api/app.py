"""The FastAPI application: one router per resource, errors mapped in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from relay import __version__
from relay.bootstrap import Relay

from . import errors
from .routers import admin, api_calls, approvals, artifacts, health, media, runs, templates


def _operation_id(route: APIRoute) -> str:
    return route.name  # the endpoint function's name: submit_template, start_run …


def _complete_openapi(app: FastAPI) -> None:
    """Problem responses are added to FastAPI's document on the first GET /openapi.json
    (relay.api.openapi), so building the app costs nothing for it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from .openapi import complete

            app.openapi_schema = complete(build(), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(relay: Relay) -> FastAPI:
    app = FastAPI(
        title="Relay",
        version=__version__,
        description="Human-in-the-loop AI content workflows. Authenticate with `Authorization: Bearer rk_…`.",
        generate_unique_id_function=_operation_id,
    )
    app.state.relay = relay
    errors.install(app)
    for module in (health, admin, templates, runs, approvals, media, artifacts, api_calls):
        app.include_router(module.router)
    _complete_openapi(app)
    return app
