"""/docs through the API Lambda entry point (Mangum, HTTP API payload v2), as API Gateway and
CloudFront's /docs* and /docs/assets/* behaviours reach it: the page with its CSP, and each file
it names, as text (not base64), within Lambda's 6 MB response limit, byte for byte the vendored
copy, immutable for caches."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from test_api_on_lambda import _event

SWAGGER_UI = Path(__file__).resolve().parents[2] / "layers" / "relay" / "relay" / "api" / "swagger_ui"
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024


def test_the_docs_page_and_its_files_through_the_api_function(cloud):
    function = cloud.deployment.function("relay-ApiFunction")
    payload, error = cloud.runner.invoke(function, _event("GET", "/docs"))
    assert error is None
    page = json.loads(payload)
    assert page["statusCode"] == 200 and page["headers"]["content-type"].startswith("text/html")
    assert "script-src 'self'" in page["headers"]["content-security-policy"]
    assert "cache-control" not in page["headers"]
    assets = re.findall(r'(?:src|href)="(/docs/assets/[0-9a-f]{16}/[^"]+)"', page["body"])
    assert sorted(a.rsplit("/", 1)[1] for a in assets) == ["relay-docs.js", "swagger-ui-bundle.js", "swagger-ui.css"]

    manifest = json.loads((SWAGGER_UI / "MANIFEST.json").read_text())["files"]
    for path in assets:
        payload, error = cloud.runner.invoke(function, _event("GET", path))
        assert error is None and len(payload) < LAMBDA_RESPONSE_LIMIT, path
        answer = json.loads(payload)
        assert answer["statusCode"] == 200, path
        assert answer["isBase64Encoded"] is False, path  # text: API Gateway passes it as is
        body = answer["body"].encode() if not answer["isBase64Encoded"] else base64.b64decode(answer["body"])
        assert answer["headers"]["cache-control"] == "public, max-age=31536000, immutable"
        assert answer["headers"]["x-content-type-options"] == "nosniff"
        name = path.rsplit("/", 1)[1]
        if name in manifest:
            assert hashlib.sha256(body).hexdigest() == manifest[name], name
