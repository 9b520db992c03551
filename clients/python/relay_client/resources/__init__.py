"""One module per API resource; each wraps the shared Transport."""

from __future__ import annotations

from ..transport import Transport


class Resource:
    def __init__(self, transport: Transport) -> None:
        self._t = transport
