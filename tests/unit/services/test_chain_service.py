"""ChainService.submit over the real TemplateService (fake repositories): templates and
versions resolve per user, stored artifact names are read from the upstream workflow, and
a refusal stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from fakes import FakeChainRepository
from relay.domain.exceptions import InvalidChainError
from relay.exceptions import NotFoundError
from relay.services.chains import ChainService
from relay.services.templates import TemplateService


def workflow(workflow_id: str, stores: str | None = None) -> dict[str, Any]:
    modules: list[dict[str, Any]] = [{"module_id": "transform.format", "inputs": {"template": "hi"}}]
    if stores:
        modules.append(
            {
                "module_id": "artifact.store",
                "inputs": {"data": "hello", "artifact_name": stores, "artifact_type": "deliverable", "format": "text"},
            }
        )
    return {"workflow_id": workflow_id, "schema_version": "1.0", "steps": [{"step_id": "s1", "modules": modules}]}


@pytest.fixture
def setup(template_repo, workflow_store, alice):
    templates = TemplateService(template_repo, workflow_store, inline_max_bytes=64_000)
    for name in ("first", "second", "last"):
        templates.submit_json(alice, workflow(name, stores="out"))
    repo = FakeChainRepository()
    return ChainService(repo, templates), repo, templates


def diamond(**overrides: Any) -> dict[str, Any]:
    steps = [
        {"step_id": "A", "template_name": "first"},
        {"step_id": "B", "template_name": "second", "depends_on": ["A"], "inputs": {"text": "$steps.A.artifacts.out"}},
        {"step_id": "C", "template_name": "second", "depends_on": ["A"], "inputs": {"n": 2}},
        {"step_id": "D", "template_name": "last", "depends_on": ["B", "C"], "inputs": {"b": "$steps.B.artifacts.out"}},
    ]
    return {"name": "diamond", "steps": steps, **overrides}


def test_submit_stores_the_chain_with_levels_and_versions(setup, alice):
    service, repo, templates = setup
    chain, steps = service.submit(alice, diamond())
    assert chain.levels == [["A"], ["B", "C"], ["D"]]
    assert chain.status == "initializing" and chain.user_id == alice.user_id
    assert [(s.step_id, s.level) for s in steps] == [("A", 0), ("B", 1), ("C", 1), ("D", 2)]
    assert steps[0].version_id == templates.template_by_name(alice, "first").latest_version_id
    assert repo.steps(chain.chain_id) == steps
    assert service.get(alice, chain.chain_id) == chain


def test_another_users_chain_is_not_found(setup, alice, bob):
    service, _, _ = setup
    chain, _ = service.submit(alice, diamond())
    with pytest.raises(NotFoundError):
        service.get(bob, chain.chain_id)
    with pytest.raises(NotFoundError):
        service.steps(bob, chain.chain_id)
    assert service.list(bob, None, None, 10) == ([], None)


def refused(setup, user, body) -> InvalidChainError:
    service, repo, _ = setup
    with pytest.raises(InvalidChainError) as caught:
        service.submit(user, body)
    assert repo.chains == {}  # nothing stored
    return caught.value


def test_unknown_template_names_the_step(setup, alice, bob):
    body = diamond()
    body["steps"][2]["template_name"] = "nope"
    error = refused(setup, alice, body)
    assert error.code == "CHAIN_UNKNOWN_TEMPLATE" and error.extra["step_id"] == "C"
    # alice's templates are not bob's
    error = refused(setup, bob, diamond())
    assert error.code == "CHAIN_UNKNOWN_TEMPLATE" and error.extra["step_id"] == "A"


def test_unknown_version_names_the_step(setup, alice):
    body = diamond()
    body["steps"][1] = {**body["steps"][1], "template_name": None, "version_id": "ver_doesnotexist"}
    del body["steps"][1]["template_name"]
    error = refused(setup, alice, body)
    assert error.code == "CHAIN_UNKNOWN_TEMPLATE" and error.extra["step_id"] == "B"


def test_artifact_never_stored_upstream(setup, alice):
    body = diamond()
    body["steps"][3]["inputs"] = {"b": "$steps.B.artifacts.missing"}
    error = refused(setup, alice, body)
    assert error.code == "CHAIN_UNKNOWN_ARTIFACT" and error.extra == {"step_id": "D", "input": "b"}


def test_cycle_and_shape_refused_before_any_lookup(setup, alice):
    body = diamond()
    body["steps"][0]["depends_on"] = ["D"]
    error = refused(setup, alice, body)
    assert error.code == "CHAIN_CYCLE" and error.extra["cycle"][0] == error.extra["step_id"]
    bad = diamond()
    bad["steps"][1]["depends_on"] = "A"  # not a list
    error = refused(setup, alice, bad)
    assert error.code == "INVALID_CHAIN" and error.extra["step_id"] == "B"
