"""Template routes on fakes: status codes, tenancy and cursor errors through the API."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from builders import document, fmt, step
from relay.api import create_app
from relay.services import TemplateService, UserService


@pytest.fixture
def app_parts(user_repo, template_repo, workflow_store):
    users = UserService(user_repo)
    relay = SimpleNamespace(users=users, templates=TemplateService(template_repo, workflow_store, inline_max_bytes=64_000))
    keys = {name: users.create_user(name, f"{name}@example.com")[1] for name in ("alice", "bob")}
    with TestClient(create_app(relay)) as client:
        yield client, keys


def as_(keys, name):
    return {"Authorization": f"Bearer {keys[name]}"}


WORKFLOW = document(step("s", fmt("hi", to="out")), workflow_id="demo")


def test_submit_is_201_then_200(app_parts, template_repo):
    client, keys = app_parts
    first = client.post("/v1/templates", json={"workflow": WORKFLOW}, headers=as_(keys, "alice"))
    assert first.status_code == 201, first.text
    assert first.json()["created"] is True
    again = client.post("/v1/templates", json={"workflow": WORKFLOW}, headers=as_(keys, "alice"))
    assert again.status_code == 200
    assert again.json()["version"]["version_id"] == first.json()["version"]["version_id"]
    assert len(template_repo.versions) == 1


def test_invalid_workflow_is_400_with_problems(app_parts, template_repo):
    client, keys = app_parts
    bad = document(step("s", {"module_id": "no.such"}), workflow_id="demo")
    response = client.post("/v1/templates", json={"workflow": bad}, headers=as_(keys, "alice"))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "INVALID_WORKFLOW"
    assert body["problems"][0]["module_id"] == "no.such"
    assert template_repo.templates == {}


def test_submit_body_validation_is_400_with_errors(app_parts):
    client, keys = app_parts
    response = client.post("/v1/templates", json={"workflow": "nope"}, headers=as_(keys, "alice"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_REQUEST"
    assert body["errors"][0]["loc"] == ["body", "workflow"]  # as FastAPI locates body errors elsewhere


def test_another_users_template_and_version_are_404(app_parts):
    client, keys = app_parts
    submitted = client.post("/v1/templates", json={"workflow": WORKFLOW}, headers=as_(keys, "alice")).json()
    template_id, version_id = submitted["template"]["template_id"], submitted["version"]["version_id"]
    assert client.get(f"/v1/templates/{template_id}", headers=as_(keys, "alice")).status_code == 200
    for path in (f"/v1/templates/{template_id}", f"/v1/versions/{version_id}", f"/v1/templates/{template_id}/versions"):
        response = client.get(path, headers=as_(keys, "bob"))
        assert response.status_code == 404, path
        assert response.json()["code"] == "NOT_FOUND"
        assert "demo" not in response.text


def test_bad_cursor_is_400(app_parts):
    client, keys = app_parts
    response = client.get("/v1/templates?cursor=garbage", headers=as_(keys, "alice"))
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_CURSOR"
