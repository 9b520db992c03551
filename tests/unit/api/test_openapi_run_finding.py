"""The OpenAPI document states the rules of finding and comparing runs: the search parameters'
lengths, patterns and formats, the codes they may answer, compare's two run ids."""

from __future__ import annotations

import re
from types import SimpleNamespace

from fastapi.testclient import TestClient

from relay.api import create_app
from relay.domain.search import INSTANT_PATTERN


def _document():
    with TestClient(create_app(SimpleNamespace())) as client:
        return client.get("/openapi.json").json()


def test_search_parameters_and_compare_are_declared():
    document = _document()
    listing = document["paths"]["/v1/runs"]["get"]
    params = {p["name"]: p["schema"] for p in listing["parameters"]}
    q = params["q"]["anyOf"][0]
    assert (q["minLength"], q["maxLength"]) == (1, 256)
    assert params["template"]["anyOf"][0]["pattern"]
    for name in ("since", "until"):
        assert params[name]["format"] == "date-time"  # beside anyOf: it constrains the string
        assert params[name]["anyOf"][0]["pattern"] == INSTANT_PATTERN
    assert "INVALID_SEARCH" in listing["responses"]["400"]["x-problem-codes"]

    compare = document["paths"]["/v1/runs/compare"]["get"]
    assert {p["name"] for p in compare["parameters"] if p["required"]} == {"a", "b"}
    assert compare["responses"]["404"]["x-problem-codes"] == ["NOT_FOUND"]
    assert "200" in compare["responses"]

    like = document["components"]["schemas"]["RunCreate"]["properties"]["like_run_id"]
    assert re.fullmatch(like["pattern"], "run_abc123") and not re.fullmatch(like["pattern"], "ver_abc123")


def test_the_instant_pattern_and_the_parser_agree():
    from relay.domain.search import instant

    for text in ("2026-01-01T00:00:00Z", "2026-01-01t00:00:00.5+01:00", "2026-01-01 00:00:00-00:30"):
        assert re.fullmatch(INSTANT_PATTERN, text) and instant(text)
    for text in ("2026-01-01", "2026-01-01T00:00Z", "0.5", "2026-01-01T00:00:00"):
        assert not re.fullmatch(INSTANT_PATTERN, text)
