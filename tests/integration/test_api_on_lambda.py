"""The API Lambda entry point (Mangum + Powertools) answering HTTP API (payload v2) events."""

from __future__ import annotations

import json


def _event(method: str, path: str, key: str | None = None, body: dict | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "local.execute-api.us-east-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "21/Nov/2026:12:00:00 +0000",
            "timeEpoch": 0,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def test_api_function_serves_http_api_events(cloud, relay):
    function = cloud.deployment.function("relay-ApiFunction")
    _, key = relay.users.create_user("lambda-user", "lambda-user@example.com")

    payload, error = cloud.runner.invoke(function, _event("GET", "/healthz"))
    assert error is None
    response = json.loads(payload)
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"status": "ok"}
    # The security headers reach API Gateway's answer (HTTP API passes the function's headers).
    assert response["headers"]["x-content-type-options"] == "nosniff"
    assert "cache-control" not in response["headers"]  # a public document, asked anonymously

    payload, error = cloud.runner.invoke(function, _event("GET", "/v1/runs"))
    response = json.loads(payload)
    assert response["statusCode"] == 401
    assert response["headers"]["content-type"] == "application/problem+json"
    assert response["headers"]["x-content-type-options"] == "nosniff"
    assert response["headers"]["cache-control"] == "no-store"

    workflow = {
        "workflow_id": "on_lambda",
        "schema_version": "1",
        "steps": [{"step_id": "s", "modules": [{"module_id": "transform.format", "inputs": {"template": "x"}}]}],
    }
    payload, error = cloud.runner.invoke(function, _event("POST", "/v1/templates", key, {"workflow": workflow}))
    response = json.loads(payload)
    assert response["statusCode"] == 201, response
    assert json.loads(response["body"])["template"]["template_name"] == "on_lambda"
    assert response["headers"]["x-content-type-options"] == "nosniff"
    assert response["headers"]["cache-control"] == "no-store"

    payload, error = cloud.runner.invoke(function, _event("GET", "/openapi.json"))
    response = json.loads(payload)
    assert response["statusCode"] == 200 and response["headers"]["x-content-type-options"] == "nosniff"
