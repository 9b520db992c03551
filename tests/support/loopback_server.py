"""What every fake HTTP server of the tests shares: serving on 127.0.0.1 (an ephemeral port)
from a daemon thread, and stopping."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    _server: ThreadingHTTPServer | None = None

    def _serve(
        self, handler: type[BaseHTTPRequestHandler], name: str, server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer
    ):
        self._server = server_class(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name=name).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.server_address[1]
