"""The FastAPI application: one router per resource, errors mapped in one place."""

from __future__ import annotations

from fastapi import FastAPI

from relay import __version__
from relay.bootstrap import Relay

from . import errors
from .routers import admin, approvals, health, runs, templates


def create_app(relay: Relay) -> FastAPI:
    app = FastAPI(
        title="Relay",
        version=__version__,
        description="Human-in-the-loop AI content workflows. Authenticate with `Authorization: Bearer rk_…`.",
    )
    app.state.relay = relay
    errors.install(app)
    for module in (health, admin, templates, runs, approvals):
        app.include_router(module.router)
    return app
