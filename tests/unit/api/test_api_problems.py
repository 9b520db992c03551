"""The API's error mapping, without AWS: create_app over a stub composition root whose
`.users` is a UserService on the in-memory user repository."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from relay.api import create_app
from relay.services import UserService

PROBLEM = "application/problem+json"


@pytest.fixture
def users(user_repo):
    return UserService(user_repo)


@pytest.fixture
def client(users):
    with TestClient(create_app(SimpleNamespace(users=users))) as client:
        yield client


@pytest.fixture
def admin_key(users):
    return users.create_user("root", "root@example.com", is_admin=True)[1]


@pytest.fixture
def user_key(users):
    return users.create_user("alice", "alice@example.com")[1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:relay:problem:{code.lower()}"
    assert body["title"] and body["detail"]
    return body


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_missing_key_is_401_with_bearer_challenge(client):
    response = client.get("/v1/templates")
    assert_problem(response, 401, "MISSING_API_KEY")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "rk_no_scheme_given", "Bearer ", "Bearer"])
def test_no_bearer_key_is_missing(client, header):
    response = client.get("/v1/templates", headers={"Authorization": header})
    assert_problem(response, 401, "MISSING_API_KEY")


def test_wrong_key_is_401_invalid(client, user_key):
    response = client.get("/v1/templates", headers=bearer(user_key + "x"))
    assert_problem(response, 401, "INVALID_API_KEY")
    assert response.headers["www-authenticate"] == "Bearer"


def test_bearer_scheme_is_case_insensitive(client, admin_key):
    response = client.post(
        "/v1/admin/users",
        json={"username": "bob", "email": "bob@example.com"},
        headers={"Authorization": f"bearer {admin_key}"},
    )
    assert response.status_code == 201


def test_unknown_route_is_404_problem(client):
    body = assert_problem(client.get("/v1/no-such-thing"), 404, "NOT_FOUND")
    assert body["title"] == "Not Found"


def test_wrong_method_is_405_problem(client):
    assert_problem(client.delete("/healthz"), 405, "METHOD_NOT_ALLOWED")


def test_body_validation_error_is_400_with_errors(client, admin_key, user_repo):
    before = dict(user_repo.users)
    response = client.post("/v1/admin/users", json={"username": "x", "extra": 1}, headers=bearer(admin_key))
    body = assert_problem(response, 400, "INVALID_REQUEST")
    assert isinstance(body["errors"], list) and body["errors"]
    locations = [tuple(e["loc"]) for e in body["errors"]]
    assert ("body", "email") in locations
    assert ("body", "username") in locations  # too short
    assert ("body", "extra") in locations  # unknown field
    assert all(set(e) == {"loc", "msg", "type"} for e in body["errors"])
    assert user_repo.users == before


def test_body_that_is_not_json_is_400(client, admin_key):
    response = client.post("/v1/admin/users", content=b"{nope", headers={**bearer(admin_key), "Content-Type": "application/json"})
    assert_problem(response, 400, "INVALID_REQUEST")


def test_query_validation_error_is_400(client, user_key):
    body = assert_problem(client.get("/v1/templates?limit=0", headers=bearer(user_key)), 400, "INVALID_REQUEST")
    assert ["query", "limit"] in [e["loc"] for e in body["errors"]]


def test_domain_error_keeps_its_code(client, admin_key, user_repo):
    response = client.post("/v1/admin/users", json={"username": "_bad", "email": "b@example.com"}, headers=bearer(admin_key))
    assert_problem(response, 400, "INVALID_USERNAME")
    assert len(user_repo.users) == 1  # only the admin


def test_non_admin_is_403(client, user_key):
    response = client.post("/v1/admin/users", json={"username": "bob", "email": "bob@example.com"}, headers=bearer(user_key))
    assert_problem(response, 403, "ADMIN_ONLY")
    assert "www-authenticate" not in response.headers


def test_conflict_is_409(client, admin_key):
    body = {"username": "bob", "email": "bob@example.com"}
    assert client.post("/v1/admin/users", json=body, headers=bearer(admin_key)).status_code == 201
    again = client.post("/v1/admin/users", json={**body, "email": "b2@example.com"}, headers=bearer(admin_key))
    assert_problem(again, 409, "USERNAME_TAKEN")


def test_admin_creates_a_user_and_only_the_hash_is_kept(client, admin_key, user_repo):
    from relay.services import hash_api_key

    response = client.post("/v1/admin/users", json={"username": "Bob", "email": "Bob@Example.com"}, headers=bearer(admin_key))
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "bob"
    key = body["api_key"]
    assert user_repo.key_hashes[hash_api_key(key)] == body["user"]["user_id"]
    assert key not in repr(vars(user_repo))


def test_unexpected_exception_is_a_500_problem(users):
    class Broken:
        def authenticate(self, api_key):
            raise RuntimeError("secret internals")

    app = create_app(SimpleNamespace(users=Broken()))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/templates", headers=bearer("rk_whatever_long_enough"))
    body = assert_problem(response, 500, "INTERNAL_ERROR")
    assert "secret internals" not in response.text
    assert body["title"] == "Internal Server Error"


@pytest.mark.parametrize("method", ["TRACE", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"])
def test_every_405_names_the_allowed_methods(client, method):
    response = client.request(method, "/v1/templates")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"  # both routes of the path, not the first one
    if method != "HEAD":
        assert_problem(response, 405, "METHOD_NOT_ALLOWED")


def test_405_on_a_path_with_an_id(client):
    response = client.request("TRACE", "/v1/runs/run_abc/input")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


def test_json_body_in_another_content_type_is_415(client, admin_key):
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}):
        response = client.post(
            "/v1/admin/users",
            content=b'{"username": "bob", "email": "bob@example.com"}',
            headers={**bearer(admin_key), **headers},
        )
        assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_json_with_a_suffix_is_json(client, admin_key):
    response = client.post(
        "/v1/admin/users",
        content=b'{"username": "bob", "email": "bob@example.com"}',
        headers={**bearer(admin_key), "Content-Type": "application/vnd.relay+json; charset=utf-8"},
    )
    assert response.status_code == 201


def test_created_user_is_located(client, admin_key):
    response = client.post("/v1/admin/users", json={"username": "bob", "email": "bob@example.com"}, headers=bearer(admin_key))
    assert response.status_code == 201
    user = response.json()["user"]
    assert response.headers["location"] == f"/v1/admin/users/{user['user_id']}"
    got = client.get(response.headers["location"], headers=bearer(admin_key))
    assert got.status_code == 200 and got.json() == user
    assert_problem(client.get("/v1/admin/users/usr_nobody", headers=bearer(admin_key)), 404, "NOT_FOUND")
    assert_problem(client.get("/v1/admin/users/not-an-id", headers=bearer(admin_key)), 404, "NOT_FOUND")


def test_body_types_are_strict(client, admin_key):
    response = client.post(
        "/v1/admin/users",
        json={"username": "bob", "email": "bob@example.com", "is_admin": "true"},
        headers=bearer(admin_key),
    )
    body = assert_problem(response, 400, "INVALID_REQUEST")
    assert ["body", "is_admin"] in [e["loc"] for e in body["errors"]]


def test_request_models_take_integers_as_json_schema_does():
    from pydantic import ValidationError

    from relay.api.schemas.common import Strict

    class Body(Strict):
        n: int
        maybe: int | None = None
        ratio: float = 0.5

    assert Body.model_validate({"n": 2.0, "maybe": 3.0}).model_dump() == {"n": 2, "maybe": 3, "ratio": 0.5}
    assert Body.model_validate({"n": 1, "ratio": 2}).ratio == 2.0
    for bad in (2.5, "2", True):
        with pytest.raises(ValidationError):
            Body.model_validate({"n": bad})
