"""AWS calls that stay throttled after botocore's retries, or cannot connect, answer 503 with
Retry-After: the real boto3 client and adapter, against a tiny server that always throttles."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import boto3
import pytest
from botocore.config import Config
from fastapi.testclient import TestClient

from relay.adapters.users import UserRepository
from relay.api import create_app
from relay.services import UserService


class _Throttling(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput for the table was exceeded.",
            }
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def throttling_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Throttling.calls = 0
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _client_for(endpoint: str) -> TestClient:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=1, read_timeout=2),
    )
    users = UserService(UserRepository(dynamodb, "users"))
    return TestClient(create_app(SimpleNamespace(users=users)), raise_server_exceptions=False)


def test_throttled_after_retries_is_a_503_problem_with_retry_after(throttling_endpoint):
    with _client_for(throttling_endpoint) as client:
        response = client.get("/v1/templates", headers={"Authorization": "Bearer rk_" + "a" * 40})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert _Throttling.calls >= 2  # botocore retried before giving up


def test_an_unreachable_endpoint_is_a_503_problem():
    with _client_for("http://127.0.0.1:9") as client:  # nothing listens on the discard port
        response = client.get("/v1/templates", headers={"Authorization": "Bearer rk_" + "a" * 40})
    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
