"""relay local's web file server (relay_tools.local.web.WebFiles) as an ASGI app: `/` and web/'s
own files with their types and the strict CSP; traversal, dotfiles, other types and other
methods never read a file and go to the API untouched."""

from __future__ import annotations

import asyncio

import pytest

from relay_tools.local.web import WebFiles

S3 = "http://127.0.0.1:4566"


def call(app: WebFiles, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path, "headers": []}, receive, send))
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


async def api(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 599, "headers": [(b"x-from", b"api")]})
    await send({"type": "http.response.body", "body": scope["path"].encode()})


@pytest.fixture
def app(tmp_path) -> WebFiles:
    root = tmp_path / "web"
    (root / "js").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>t</title>")
    (root / "js" / "main.js").write_text("export {};")
    (root / "app.css").write_text("body{}")
    (root / ".env").write_text("SECRET=1")
    (root / "notes.py").write_text("print(1)")
    (tmp_path / "outside.txt").write_text("outside")
    return WebFiles(api, S3, root=root)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/js/main.js", "text/javascript; charset=utf-8"),
        ("/app.css", "text/css; charset=utf-8"),
    ],
)
def test_files_are_served_with_their_type_and_the_strict_headers(app, path, kind) -> None:
    status, headers, body = call(app, path)
    assert status == 200 and headers["content-type"] == kind and body
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp and "object-src 'none'" in csp
    assert f"connect-src 'self' {S3}" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["content-length"] == str(len(body))


def test_head_answers_the_headers_without_the_body(app) -> None:
    status, headers, body = call(app, "/js/main.js", "HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(len(b"export {};"))


@pytest.mark.parametrize(
    "path",
    [
        "/../outside.txt",
        "/js/../../outside.txt",
        "/.env",
        "/notes.py",
        "/js//main.js",
        "/missing.js",
        "/js",
        "/v1/templates",
        "/docs",
    ],
)
def test_anything_else_goes_to_the_api(app, path) -> None:
    status, headers, body = call(app, path)
    assert (status, headers.get("x-from"), body) == (599, "api", path.encode())


def test_only_get_and_head_read_files(app) -> None:
    assert call(app, "/index.html", "POST")[0] == 599
