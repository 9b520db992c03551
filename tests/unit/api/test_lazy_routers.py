"""Routers built on the first request to their paths (relay.api.lazy_routers): every route is
reachable through the prefixes app.ROUTERS declares, a request builds only the routers whose
prefixes it reaches, precedence is the eager app's, and first requests at once build each
router once."""

from __future__ import annotations

import importlib
import threading
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from relay.api import create_app
from relay.api.app import ROUTERS
from relay.api.lazy_routers import LazyRouter, pending
from relay.services import UserService

PACKAGE = "relay.api.routers"


def _app(users=None, *, eager: bool = False):
    return create_app(SimpleNamespace(users=users), eager=eager)


def _paths(app) -> list[str]:
    return list(app.openapi()["paths"])


@pytest.fixture
def users(user_repo):
    return UserService(user_repo)


@pytest.mark.parametrize(("name", "prefixes"), ROUTERS, ids=[name for name, _ in ROUTERS])
def test_every_route_of_a_router_is_under_its_declared_prefixes(name, prefixes):
    stand_in = LazyRouter(_app(), f"{PACKAGE}.{name}", prefixes)
    router = importlib.import_module(f"{PACKAGE}.{name}").router
    paths = [route.path for route in router.routes]
    assert paths, name
    for path in paths:
        assert stand_in.serves(path), f"{name}: {path} is under none of {prefixes}"


def test_no_two_routers_declare_the_same_module():
    names = [name for name, _ in ROUTERS]
    assert len(names) == len(set(names))


def test_building_the_app_builds_no_router_until_asked():
    app = _app()
    assert pending(app) == [f"{PACKAGE}.{name}" for name, _ in ROUTERS]


def test_a_request_builds_only_the_routers_whose_prefixes_it_reaches(users):
    app = _app(users)
    with TestClient(app) as client:
        response = client.get("/v1/runs/run_nope/artifacts", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401  # reached the artifacts router's route (it authenticates)
    loaded = {name for name, _ in ROUTERS} - {m.rsplit(".", 1)[1] for m in pending(app)}
    assert loaded == {"artifacts"}


def test_lazy_and_eager_apps_document_alike():
    """The document lists paths in route order, which is matching precedence."""
    lazy, eager = _app(), _app(eager=True)
    assert pending(eager) == []
    assert _paths(lazy) == _paths(eager)  # the document builds every router first
    assert pending(lazy) == []


def test_unknown_paths_build_nothing_and_are_404(users):
    app = _app(users)
    with TestClient(app) as client:
        response = client.get("/v2/nothing")
    assert response.status_code == 404
    assert len(pending(app)) == len(ROUTERS)


def test_a_wrong_method_on_a_lazy_path_is_405_with_allow(users):
    with TestClient(_app(users)) as client:
        response = client.delete("/v1/runs")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_first_requests_at_once_build_each_router_once(users):
    paths = {
        "runs": "/v1/runs",
        "approvals": "/v1/approvals",
        "templates": "/v1/templates",
        "artifacts": "/v1/runs/run_x/artifacts",
    }

    def first_request(app, barrier: threading.Barrier, statuses: list[int], path: str) -> None:
        with TestClient(app) as client:
            barrier.wait()
            statuses.append(client.get(path, headers={"Authorization": "Bearer rk_nope"}).status_code)

    for _ in range(20):
        app = _app(users)
        barrier = threading.Barrier(8)
        statuses: list[int] = []
        threads = [threading.Thread(target=first_request, args=(app, barrier, statuses, p)) for p in list(paths.values()) * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [401] * 8  # every one reached its route, which authenticates
        included = [getattr(route, "original_router", None) for route in app.router.routes]
        for name in paths:
            router = importlib.import_module(f"{PACKAGE}.{name}").router
            assert included.count(router) == 1, name
