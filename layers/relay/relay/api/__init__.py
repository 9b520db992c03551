"""The REST API (FastAPI). `create_app(relay)` builds it around a composition root."""

from .app import create_app

__all__ = ["create_app"]
