"""The `relay` command: `relay local` (the embedded cloud and API) and `relay admin …`."""

from .main import main

__all__ = ["main"]
