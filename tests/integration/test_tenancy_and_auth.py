"""API keys, admin-only user creation, and one tenant never seeing another's data (404)."""

from __future__ import annotations

import httpx

from documents import greeting
from polling import wait_for_status


def test_missing_or_wrong_key_is_401_problem(api_url):
    for headers in ({}, {"Authorization": "Bearer rk_wrongwrongwrongwrong"}, {"Authorization": "Basic abc"}):
        response = httpx.get(f"{api_url}/v1/runs", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["code"] in ("MISSING_API_KEY", "INVALID_API_KEY")
    assert httpx.get(f"{api_url}/healthz").json() == {"status": "ok"}
    assert "/v1/runs" in httpx.get(f"{api_url}/openapi.json").json()["paths"]


def test_admin_creates_users_whose_key_works_once_shown(make_client, api_url):
    admin, plain = make_client(admin=True), make_client()
    created = admin.post("/v1/admin/users", json={"username": "Carol", "email": "carol@example.com"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["user"]["username"] == "carol" and body["user"]["user_id"].startswith("usr_")
    assert body["api_key"].startswith("rk_")
    carol = httpx.get(f"{api_url}/v1/runs", headers={"Authorization": f"Bearer {body['api_key']}"})
    assert carol.status_code == 200

    dup = admin.post("/v1/admin/users", json={"username": "carol", "email": "other@example.com"})
    assert dup.status_code == 409 and dup.json()["code"] == "USERNAME_TAKEN"
    dup = admin.post("/v1/admin/users", json={"username": "carol2", "email": "CAROL@example.com"})
    assert dup.status_code == 409 and dup.json()["code"] == "EMAIL_TAKEN"
    bad = admin.post("/v1/admin/users", json={"username": "x y", "email": "a@b.co"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_USERNAME"
    bad = admin.post("/v1/admin/users", json={"username": "dave", "email": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_EMAIL"

    forbidden = plain.post("/v1/admin/users", json={"username": "eve", "email": "eve@example.com"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "ADMIN_ONLY"


def test_another_users_records_answer_404(make_client):
    owner, other = make_client(), make_client()
    submitted = owner.post("/v1/templates", json={"workflow": greeting("private")}).json()
    template_id = submitted["template"]["template_id"]
    version_id = submitted["version"]["version_id"]
    run_id = owner.post("/v1/runs", json={"template_name": "private"}).json()["run_id"]
    wait_for_status(owner, run_id, "awaiting_input")

    for path in (
        f"/v1/templates/{template_id}",
        f"/v1/templates/{template_id}/versions",
        f"/v1/versions/{version_id}",
        f"/v1/runs/{run_id}",
        f"/v1/runs/{run_id}/events",
    ):
        response = other.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "NOT_FOUND"
        assert set(response.json()) == {"type", "title", "status", "detail", "code"}  # no data

    answer = other.post(f"/v1/runs/{run_id}/input", json={"step_id": "ask", "value": "intruder"})
    assert answer.status_code == 404
    assert other.post("/v1/runs", json={"version_id": version_id}).status_code == 404
    assert other.post("/v1/runs", json={"template_name": "private"}).status_code == 404
    assert other.get("/v1/runs").json()["items"] == []
    assert other.get("/v1/approvals").json()["items"] == []
    assert other.get("/v1/templates").json()["items"] == []
    # the owner's run is untouched
    assert owner.get(f"/v1/runs/{run_id}").json()["status"] == "awaiting_input"


def test_ids_of_the_wrong_shape_answer_404_without_a_lookup(make_client):
    client = make_client()
    long_id = "run_" + "r" * 3000  # DynamoDB would refuse it as a key (over 2 KB)
    for path in (
        f"/v1/runs/{long_id}",
        f"/v1/runs/{long_id}/events",
        "/v1/runs/tpl_0123456789abcdef",
        "/v1/templates/" + "t" * 3000,
        "/v1/templates/run_0123456789abcdef/versions",
        "/v1/versions/ver_NOT-AN-ID",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "NOT_FOUND"
        assert len(response.json()["detail"]) < 100  # the id is not echoed back whole
    answer = client.post(f"/v1/runs/{long_id}/input", json={"step_id": "ask", "value": "x"})
    assert answer.status_code == 404
    assert client.post("/v1/runs", json={"version_id": "ver_" + "v" * 60}).status_code == 404


def test_a_cursor_only_pages_the_list_it_came_from(make_client):
    owner, other = make_client(), make_client()
    for name in ("c1", "c2"):
        owner.post("/v1/templates", json={"workflow": greeting(name)})
    cursor = owner.get("/v1/templates", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    stolen = other.get("/v1/templates", params={"cursor": cursor})
    assert stolen.status_code == 400 and stolen.json()["code"] == "INVALID_CURSOR"
    assert owner.get("/v1/runs", params={"cursor": cursor}).json()["code"] == "INVALID_CURSOR"
