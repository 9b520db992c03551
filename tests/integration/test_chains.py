"""Chains over real HTTP and the local cloud (issue 19, definition and submission): a
diamond is stored with its levels and read back; every rule refuses with a 400 problem
naming the step and stores nothing; another user's chain is a 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def stores(workflow_id: str, artifact_name: str) -> dict[str, Any]:
    return {
        "workflow_id": workflow_id,
        "schema_version": "1.0",
        "steps": [
            {
                "step_id": "s1",
                "modules": [
                    {
                        "module_id": "artifact.store",
                        "inputs": {
                            "data": "hello",
                            "artifact_name": artifact_name,
                            "artifact_type": "deliverable",
                            "format": "text",
                        },
                    }
                ],
            }
        ],
    }


@pytest.fixture
def templates(client: httpx.Client) -> httpx.Client:
    for name in ("first", "middle", "last"):
        response = client.post("/v1/templates", json={"workflow": stores(name, "out")})
        assert response.status_code == 201, response.text
    return client


def diamond() -> dict[str, Any]:
    return {
        "name": "diamond",
        "steps": [
            {"step_id": "A", "template_name": "first"},
            {"step_id": "B", "template_name": "middle", "depends_on": ["A"], "inputs": {"text": "$steps.A.artifacts.out"}},
            {"step_id": "C", "template_name": "middle", "depends_on": ["A"], "inputs": {"topic": "$steps.A.state.topic"}},
            {
                "step_id": "D",
                "template_name": "last",
                "depends_on": ["B", "C"],
                "inputs": {"b": "$steps.B.artifacts.out", "n": 2},
            },
        ],
    }


def test_diamond_is_stored_with_levels_and_read_back(templates: httpx.Client):
    client = templates
    created = client.post("/v1/chains", json=diamond())
    assert created.status_code == 201, created.text
    chain = created.json()
    assert created.headers["location"] == f"/v1/chains/{chain['chain_id']}"
    assert chain["levels"] == [["A"], ["B", "C"], ["D"]]
    assert chain["status"] == "initializing"
    assert [(s["step_id"], s["level"], s["status"]) for s in chain["steps"]] == [
        ("A", 0, "pending"),
        ("B", 1, "pending"),
        ("C", 1, "pending"),
        ("D", 2, "pending"),
    ]
    first = client.get("/v1/templates").json()["items"]
    assert chain["steps"][0]["version_id"] == next(t["latest_version_id"] for t in first if t["template_name"] == "first")

    shown = client.get(f"/v1/chains/{chain['chain_id']}")
    assert shown.status_code == 200 and shown.json() == chain
    steps = client.get(f"/v1/chains/{chain['chain_id']}/steps").json()
    assert steps["items"] == chain["steps"]
    listed = client.get("/v1/chains").json()
    assert [c["chain_id"] for c in listed["items"]] == [chain["chain_id"]]
    assert client.get("/v1/chains", params={"status": "initializing"}).json()["items"][0]["chain_id"] == chain["chain_id"]
    assert client.get("/v1/chains", params={"status": "failed"}).json()["items"] == []


def test_another_users_chain_is_not_found(templates: httpx.Client, make_client):
    chain = templates.post("/v1/chains", json=diamond()).json()
    other = make_client()
    for path in (f"/v1/chains/{chain['chain_id']}", f"/v1/chains/{chain['chain_id']}/steps"):
        response = other.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
    assert other.get("/v1/chains").json()["items"] == []
    # and the other user's templates are not the first user's: submitting it is refused
    refused = other.post("/v1/chains", json=diamond())
    assert refused.status_code == 400 and refused.json()["code"] == "CHAIN_UNKNOWN_TEMPLATE"


def _broken(change) -> dict[str, Any]:
    body = diamond()
    change(body["steps"])
    return body


CASES = [
    ("cycle", lambda s: s[0].update(depends_on=["D"]), "CHAIN_CYCLE", "A"),
    ("missing dependency", lambda s: s[3].update(depends_on=["B", "C", "Z"]), "CHAIN_UNKNOWN_DEPENDENCY", "D"),
    ("input not a dependency", lambda s: s[3]["inputs"].update(a="$steps.A.artifacts.out"), "CHAIN_INPUT_NOT_DEPENDENCY", "D"),
    ("artifact never stored", lambda s: s[1]["inputs"].update(text="$steps.A.artifacts.nope"), "CHAIN_UNKNOWN_ARTIFACT", "B"),
    ("unknown template", lambda s: s[2].update(template_name="nope"), "CHAIN_UNKNOWN_TEMPLATE", "C"),
    ("unknown version", lambda s: s[2].update(template_name=None, version_id="ver_0000"), "CHAIN_UNKNOWN_TEMPLATE", "C"),
    ("both template and version", lambda s: s[2].update(version_id="ver_0000"), "INVALID_CHAIN", "C"),
    ("malformed reference", lambda s: s[1]["inputs"].update(text="$steps.A"), "INVALID_CHAIN", "B"),
    ("duplicate step", lambda s: s[2].update(step_id="B"), "DUPLICATE_CHAIN_STEP", "B"),
]


@pytest.mark.parametrize(("case", "change", "code", "step_id"), CASES, ids=[c[0] for c in CASES])
def test_invalid_definitions_name_the_step_and_store_nothing(templates: httpx.Client, case, change, code, step_id):
    body = _broken(change)
    for step in body["steps"]:
        if step.get("template_name") is None:
            step.pop("template_name", None)
    response = templates.post("/v1/chains", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code and problem["step_id"] == step_id, problem
    assert templates.get("/v1/chains").json()["items"] == []


def test_schema_violations_are_invalid_request(templates: httpx.Client):
    response = templates.post("/v1/chains", json={"name": "x", "steps": [{"step_id": "a.b", "template_name": "first"}]})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_REQUEST"
    assert templates.get("/v1/chains").json()["items"] == []
