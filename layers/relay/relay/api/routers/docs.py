"""The interactive API docs: Swagger UI from the project's own copy (relay/api/swagger_ui, the
npm package swagger-ui-dist pinned by its MANIFEST.json; tools/vendor_swagger_ui.py), never a
CDN, so /docs works offline and under a strict Content-Security-Policy.

FastAPI's own page inlines the script that starts Swagger UI, which a CSP without
'unsafe-inline' blocks; this page loads it as a file (docs_init.js). The assets are served under
a digest of their contents, so they can be cached for good (the browser, CloudFront's
/docs/assets/* behaviour) and an upgrade changes their URLs. Nothing here is read until the
first request to /docs (this router is built lazily, see lazy_routers)."""

from __future__ import annotations

import hashlib
import html
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

_API = Path(__file__).resolve().parents[1]
_VENDORED = _API / "swagger_ui"
_JS, _CSS, _TEXT = "text/javascript; charset=utf-8", "text/css; charset=utf-8", "text/plain; charset=utf-8"
# What may be fetched, by the name it is served under.
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (_VENDORED / "swagger-ui-bundle.js", _JS),
    "swagger-ui.css": (_VENDORED / "swagger-ui.css", _CSS),
    "relay-docs.js": (_API / "docs_init.js", _JS),
    "LICENSE": (_VENDORED / "LICENSE", _TEXT),
    "NOTICE": (_VENDORED / "NOTICE", _TEXT),
    "swagger-ui-bundle.js.LICENSE.txt": (_VENDORED / "swagger-ui-bundle.js.LICENSE.txt", _TEXT),
}
# Swagger UI's stylesheet draws its icons as data: SVGs; "Try it out" calls this origin and shows
# images it fetched as blob: URLs.
_CSP_DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_CSP_DIRECTIVES)
IMMUTABLE = "public, max-age=31536000, immutable"
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API docs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<script defer src="{assets}/swagger-ui-bundle.js"></script>
<script defer src="{assets}/relay-docs.js"></script>
</head>
<body>
<noscript>The interactive docs need JavaScript; the OpenAPI document is at <a href="{openapi}">{openapi}</a>.</noscript>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@cache
def _assets() -> tuple[str, dict[str, bytes]]:
    """The files' contents and the digest their URLs carry (read once per process)."""
    contents = {name: path.read_bytes() for name, (path, _) in ASSETS.items()}
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode() + b"\0" + hashlib.sha256(contents[name]).digest())
    return digest.hexdigest()[:16], contents


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    digest, _ = _assets()
    page = _PAGE.format(
        title=html.escape(request.app.title),
        assets=f"{root}/docs/assets/{digest}",
        openapi=html.escape(f"{root}{request.app.openapi_url}", quote=True),
    )
    return HTMLResponse(
        page,
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"},
    )


@router.get("/docs/assets/{digest}/{name}")
def swagger_ui_asset(digest: str, name: str) -> Response:
    current, contents = _assets()
    if digest != current or name not in contents:
        raise HTTPException(404, "No such docs asset (the page names the current ones).")
    return Response(contents[name], media_type=ASSETS[name][1], headers={"Cache-Control": IMMUTABLE})
