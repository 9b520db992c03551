"""The web UI (web/) on the API's origin under `relay local`: `/` and the app's own files, each
with a strict Content-Security-Policy; every other path goes to the API app untouched.

Only `relay local` wraps the API with this: the Lambda layer never serves web/ (in the cloud
CloudFront serves it from S3, with the same policy as a response headers policy)."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WEB_ROOT = Path(__file__).resolve().parents[3] / "web"
# What is served of web/: the page, its modules, styles and vendored files (never a dotfile or a
# file of another type that might land there).
SERVED_SUFFIXES = {".html", ".js", ".css", ".svg", ".txt", ".woff2", ".ico"}
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def content_security_policy(s3_origin: str) -> str:
    """No inline script, no eval, nothing from another origin but the local S3 endpoint, which
    the presigned POSTs (uploads) and presigned GETs (previews, players, downloads) go to."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"connect-src 'self' {s3_origin}",
            f"img-src 'self' blob: {s3_origin}",
            f"media-src 'self' blob: {s3_origin}",
            "object-src 'none'",
            "frame-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class WebFiles:
    """ASGI: GET/HEAD of `/` or of a file under web/ answers the file; anything else → `api`."""

    def __init__(self, api: ASGIApp, s3_origin: str, root: Path = WEB_ROOT) -> None:
        self.api = api
        self.root = root.resolve()
        self.csp = content_security_policy(s3_origin).encode()

    def _file(self, path: str) -> Path | None:
        relative = "index.html" if path == "/" else path.lstrip("/")
        if not relative or any(part.startswith(".") or part == "" for part in relative.split("/")):
            return None
        candidate = (self.root / relative).resolve()
        if self.root not in candidate.parents or candidate.suffix not in SERVED_SUFFIXES or not candidate.is_file():
            return None
        return candidate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._file(scope["path"]) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if found is None:
            await self.api(scope, receive, send)
            return
        body = found.read_bytes()
        kind = TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        headers = [
            (b"content-type", kind.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"content-security-policy", self.csp),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            # Revalidated on each visit: a new checkout's files are seen at once.
            (b"cache-control", b"no-cache"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
