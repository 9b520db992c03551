"""Checking a problem+json answer of the API."""

from __future__ import annotations

from typing import Any


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """`response` is an RFC 9457 problem with this status and Relay `code`; returns its body."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body
