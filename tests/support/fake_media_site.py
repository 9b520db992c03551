"""A loopback HTTP server standing in for a site media.ingest_url downloads from. Paths:
  /pic.png                a PNG (Content-Length)        /song.mp3   an MP3 (ID3)
  /chunked.png?size=N     a PNG of N bytes, chunked, no Content-Length
  /big.png?size=N         Content-Length N (the body is never sent past the headers)
  /text.txt               text/plain                    /liar.jpg   PNG bytes sent as image/jpeg
  /octet                  PNG bytes as application/octet-stream
  /slow.png?seconds=S     sleeps S seconds before answering
  /redirect?to=URL        302 to URL                    /status/N   status N
Every request's path and Host header are kept in `requests`. Loopback only."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback_server import LoopbackServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(48))
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + bytes(40)


class FakeMediaSite(LoopbackServer):
    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None]] = []

    def start(self) -> FakeMediaSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                site.requests.append((self.path, self.headers.get("Host")))
                path = parts.path
                try:
                    if path == "/pic.png":
                        self._send(200, PNG, "image/png")
                    elif path == "/song.mp3":
                        self._send(200, MP3, "audio/mpeg")
                    elif path == "/text.txt":
                        self._send(200, b"hello, not a picture\n", "text/plain")
                    elif path == "/liar.jpg":
                        self._send(200, PNG, "image/jpeg")
                    elif path == "/octet":
                        self._send(200, PNG, "application/octet-stream")
                    elif path == "/slow.png":
                        time.sleep(float(query.get("seconds", 3)))
                        self._send(200, PNG, "image/png")
                    elif path == "/redirect":
                        self._send(302, b"", "text/plain", Location=query["to"])
                    elif path.startswith("/status/"):
                        self._send(int(path.rsplit("/", 1)[1]), b"no", "text/plain")
                    elif path == "/big.png":
                        self.send_response(200)
                        self.send_header("Content-Type", "image/png")
                        self.send_header("Content-Length", query.get("size", "100000000"))
                        self.end_headers()
                        self.wfile.write(PNG)
                        self.close_connection = True
                    elif path == "/chunked.png":
                        size = int(query.get("size", 1000))
                        body = (PNG + bytes(size))[:size]
                        self.send_response(200)
                        self.send_header("Content-Type", "image/png")
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for start in range(0, len(body), 8192):
                            chunk = body[start : start + 8192]
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self._send(404, b"no", "text/plain")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (a cap)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that stopped reading at a cap resets the connection

        return self._serve(Handler, "fake-media-site", QuietServer)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"
