"""The OpenAPI document, without AWS: valid OpenAPI 3.1, every operation's problem responses
derived from its dependencies and declarations, one Problem schema, the workflow's JSON
Schema the validator's own model, and `Location` on every 201. Schemathesis checks the
server against it (tests/integration/test_openapi_contract.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from relay.api import create_app
from relay.api.problems import PROBLEM_CODES
from relay.workflows.models import Workflow

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(SimpleNamespace())) as client:
        yield client


@pytest.fixture(scope="module")
def document(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_docs_are_served(client):
    response = client.get("/docs")
    assert response.status_code == 200 and "swagger" in response.text.lower()


def test_operation_ids_are_the_endpoint_names(document):
    ids = {label: op["operationId"] for label, op in operations(document)}
    assert ids["POST /v1/runs"] == "start_run"
    assert ids["POST /v1/templates"] == "submit_template"
    assert len(set(ids.values())) == len(ids)


def test_every_error_is_the_one_problem_schema_with_registered_codes(document):
    for label, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, (label, status)
            codes = response["x-problem-codes"]
            assert codes, (label, status)
            assert all(PROBLEM_CODES[code].status == int(status) for code in codes), (label, status, codes)
            assert all(f"`{code}`" in response["description"] for code in codes)


def test_fastapis_default_422_is_gone(document):
    # Bad input is a 400; a 422 is only where a route declares a 422 code.
    assert "422" not in document["paths"]["/v1/templates"]["post"]["responses"]
    assert "422" not in document["paths"]["/v1/admin/users"]["post"]["responses"]
    assert document["paths"]["/v1/runs"]["post"]["responses"]["422"]["x-problem-codes"] == ["IDEMPOTENCY_KEY_REUSED"]
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas


def test_statuses_follow_from_dependencies(document):
    for label, operation in operations(document):
        statuses = set(operation["responses"])
        if label == "GET /healthz":
            assert statuses == {"200"}
            continue
        assert {"401", "503"} <= statuses, label  # a caller, and AWS behind it
        assert operation["security"] == [{"ApiKey": []}], label
        assert ("403" in statuses) == label.startswith(("POST /v1/admin", "GET /v1/admin", "PUT /v1/admin")), label
        if "{" in label:
            assert "404" in statuses, label
        if "requestBody" in operation:
            assert {"400", "415"} <= statuses, label
    listing = document["paths"]["/v1/runs"]["get"]["responses"]["400"]["x-problem-codes"]
    assert listing == ["INVALID_CURSOR", "INVALID_REQUEST", "INVALID_SEARCH"]
    approvals = document["paths"]["/v1/approvals"]["get"]["responses"]["400"]["x-problem-codes"]
    assert approvals == ["INVALID_CURSOR", "INVALID_REQUEST"]


def test_headers_of_401_503_and_201(document):
    for label, operation in operations(document):
        responses = operation["responses"]
        if "401" in responses:
            assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
        if "503" in responses:
            assert responses["503"]["headers"]["Retry-After"]["required"] is True
        if "201" in responses:
            assert responses["201"]["headers"]["Location"]["required"] is True, label


def test_problem_schema_allows_extension_members(document):
    problem = document["components"]["schemas"]["Problem"]
    assert problem["additionalProperties"] is True
    assert problem["required"] == ["type", "title", "status", "detail", "code"]


def _without_null_defaults(node):
    # FastAPI leaves out `"default": null` (the document is serialised without None values).
    if isinstance(node, dict):
        return {k: _without_null_defaults(v) for k, v in node.items() if not (k == "default" and v is None)}
    if isinstance(node, list):
        return [_without_null_defaults(v) for v in node]
    return node


def test_the_workflow_schema_is_the_validators_model(document):
    ref = "#/components/schemas/{model}"
    model = _without_null_defaults(Workflow.model_json_schema(ref_template=ref))
    schemas = document["components"]["schemas"]
    for name, definition in model.pop("$defs").items():
        assert schemas[name] == definition, name
    run_create = schemas["RunCreate"]["properties"]["workflow"]["anyOf"][0]
    template_create = document["paths"]["/v1/templates"]["post"]["requestBody"]["content"]["application/json"]
    assert run_create == model
    assert _without_null_defaults(template_create["schema"]["properties"]["workflow"]) == model
    outputs = schemas["ModuleSpec"]["properties"]["outputs_to_state"]
    assert outputs["propertyNames"]["pattern"] and outputs["additionalProperties"]["pattern"]


def test_run_create_says_exactly_one_source(document):
    run_create = document["components"]["schemas"]["RunCreate"]
    assert [branch["required"] for branch in run_create["oneOf"]] == [
        ["template_name"],
        ["version_id"],
        ["workflow"],
        ["like_run_id"],
    ]
    assert run_create["additionalProperties"] is False


def test_request_formats_and_patterns(document):
    user = document["components"]["schemas"]["UserCreate"]["properties"]
    assert user["email"]["format"] == "email" and user["email"]["pattern"]
    assert user["username"]["pattern"]
    run = document["paths"]["/v1/runs/{run_id}"]["get"]["parameters"][0]
    assert run["schema"]["pattern"] == "^run_[0-9a-z]{1,40}$"
    cursor = next(p for p in document["paths"]["/v1/runs"]["get"]["parameters"] if p["name"] == "cursor")
    assert cursor["schema"]["pattern"] == "^[A-Za-z0-9_\\-]*$"


def test_the_description_lists_every_code(document):
    description = document["info"]["description"]
    assert all(f"| `{code}` | {entry.status} |" in description for code, entry in PROBLEM_CODES.items())
