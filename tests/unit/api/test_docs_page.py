"""/docs: Swagger UI from the project's own pinned copy, a page with no inline script under a
strict CSP, its files under a digest of their contents (cacheable for good, refused otherwise),
and nothing of it in the OpenAPI document or at the API's cold start."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from relay.api import create_app
from relay.api.routers import docs

ROOT = Path(__file__).resolve().parents[3]
LAYER = ROOT / "layers" / "relay"
MANIFEST = json.loads((LAYER / "relay" / "api" / "swagger_ui" / "MANIFEST.json").read_text())


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [name for name in attributes if name.startswith("on")]
        if tag == "script":
            self.scripts.append(attributes)
            self._in_script = True
        elif tag == "link":
            self.links.append(attributes)

    def handle_endtag(self, tag):
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(SimpleNamespace())) as client:
        yield client


@pytest.fixture(scope="module")
def page(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    parsed = Page()
    parsed.feed(response.text)
    return response, parsed


def test_the_page_has_no_inline_script_and_loads_only_its_own_files(page):
    response, parsed = page
    assert parsed.inline == [] and parsed.handlers == []
    sources = [s["src"] for s in parsed.scripts]
    digest = docs._assets()[0]
    assert sources == [f"/docs/assets/{digest}/swagger-ui-bundle.js", f"/docs/assets/{digest}/relay-docs.js"]
    assert all("defer" in s for s in parsed.scripts)  # in order, after the page is parsed
    stylesheets = [link["href"] for link in parsed.links if link["rel"] == "stylesheet"]
    assert stylesheets == [f"/docs/assets/{digest}/swagger-ui.css"]
    assert not re.search(r"https?://", response.text)  # no CDN, no other origin
    assert 'data-openapi-url="/openapi.json"' in response.text


def test_the_page_csp_allows_no_inline_script_no_eval_and_no_other_origin(page):
    response, _ = page
    csp = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["default-src"] == "'none'"
    assert csp["connect-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in response.headers  # public: no no-store (asked without credentials)


def test_assets_are_the_vendored_files_immutable_under_their_digest(client, page):
    digest = docs._assets()[0]
    for name, kind in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"), ("LICENSE", "text/plain")):
        response = client.get(f"/docs/assets/{digest}/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(kind)
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert hashlib.sha256(response.content).hexdigest() == MANIFEST["files"][name]
    init = client.get(f"/docs/assets/{digest}/relay-docs.js")
    assert init.status_code == 200 and "SwaggerUIBundle" in init.text and "validatorUrl: null" in init.text


def test_other_digests_names_and_paths_are_404_problems(client):
    digest = docs._assets()[0]
    for path in (
        f"/docs/assets/{'0' * 16}/swagger-ui-bundle.js",
        f"/docs/assets/{digest}/swagger-ui-bundle.js.map",
        f"/docs/assets/{digest}/MANIFEST.json",
        f"/docs/assets/{digest}/..%2Fdocs.py",
        f"/docs/assets/{digest}/__init__.py",
        "/redoc",
        "/docs/oauth2-redirect",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path
        assert response.json()["code"] == "NOT_FOUND"


def test_the_digest_changes_with_any_file(monkeypatch, tmp_path):
    before = docs._assets()[0]
    changed = tmp_path / "relay-docs.js"
    changed.write_bytes(docs.ASSETS["relay-docs.js"][0].read_bytes() + b"\n// changed\n")
    monkeypatch.setitem(docs.ASSETS, "relay-docs.js", (changed, docs.ASSETS["relay-docs.js"][1]))
    docs._assets.cache_clear()
    try:
        assert docs._assets()[0] != before
    finally:
        monkeypatch.undo()
        docs._assets.cache_clear()
    assert docs._assets()[0] == before


def test_nothing_of_the_docs_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/docs")]


def test_the_vendored_copy_is_the_pinned_one():
    assert MANIFEST["package"] == "swagger-ui-dist" and re.fullmatch(r"5\.\d+\.\d+", MANIFEST["version"])
    assert MANIFEST["integrity"].startswith("sha512-")
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "vendor_swagger_ui.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    bundle = (LAYER / "relay" / "api" / "swagger_ui" / "swagger-ui-bundle.js").read_bytes()
    assert hashlib.sha256(bundle).hexdigest() == MANIFEST["files"]["swagger-ui-bundle.js"]


def test_the_api_cold_start_imports_nothing_of_the_docs():
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import relay.api, relay.snapstart; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('relay.api'))))"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", code, str(LAYER)], check=True, capture_output=True, text=True).stdout
    )
    assert "relay.api.app" in loaded and "relay.api.routers.docs" not in loaded
