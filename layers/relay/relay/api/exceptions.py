"""Errors of the HTTP layer itself (what a route refuses before any use case runs)."""

from __future__ import annotations

from relay.exceptions import RelayError


class UnsupportedMediaTypeError(RelayError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415
