"""TemplateService reads: tenancy (another user's ids are NOT_FOUND), lists, touch_used."""

from __future__ import annotations

import pytest

from builders import document, fmt, step
from relay.exceptions import InvalidRequestError, NotFoundError
from relay.services import TemplateService


def workflow(label="one", workflow_id="demo"):
    return document(step("s", fmt(label, to="out")), workflow_id=workflow_id)


@pytest.fixture
def service(template_repo, workflow_store):
    return TemplateService(template_repo, workflow_store, inline_max_bytes=64_000)


@pytest.fixture
def alices(service, alice):
    return service.submit_json(alice, workflow())


def test_owner_reads_template_and_version(service, alice, alices):
    assert service.get_template(alice, alices.template.template_id) == alices.template
    version = service.get_version(alice, alices.version.version_id)
    assert version.version_id == alices.version.version_id
    assert version.workflow == workflow()


def test_another_users_template_is_not_found(service, bob, alices):
    with pytest.raises(NotFoundError) as info:
        service.get_template(bob, alices.template.template_id)
    assert info.value.status == 404


def test_another_users_version_is_not_found(service, bob, alices):
    with pytest.raises(NotFoundError):
        service.get_version(bob, alices.version.version_id)


def test_another_users_versions_list_is_not_found(service, bob, alices):
    with pytest.raises(NotFoundError):
        service.list_versions(bob, alices.template.template_id, None, 10)


def test_unknown_ids_are_not_found(service, alice):
    with pytest.raises(NotFoundError):
        service.get_template(alice, "tpl_nope")
    with pytest.raises(NotFoundError):
        service.get_version(alice, "ver_nope")


def test_template_by_name(service, alice, bob, alices):
    assert service.template_by_name(alice, "demo").template_id == alices.template.template_id
    with pytest.raises(NotFoundError) as info:
        service.template_by_name(bob, "demo")
    assert info.value.code == "TEMPLATE_NOT_FOUND"


def test_list_templates_is_per_user_and_pages(service, alice, bob):
    for name in ("c", "a", "b"):
        service.submit_json(alice, workflow(workflow_id=name))
    service.submit_json(bob, workflow(workflow_id="z"))
    page, cursor = service.list_templates(alice, None, 2)
    assert [t.template_name for t in page] == ["a", "b"]
    rest, end = service.list_templates(alice, cursor, 2)
    assert [t.template_name for t in rest] == ["c"]
    assert end is None


def test_list_versions(service, alice, alices):
    second = service.submit_json(alice, workflow("two"))
    versions, _ = service.list_versions(alice, alices.template.template_id, None, 10)
    assert {v.version_id for v in versions} == {alices.version.version_id, second.version.version_id}


def test_garbage_cursor_is_a_400(service, alice, alices):
    with pytest.raises(InvalidRequestError) as info:
        service.list_templates(alice, "not-a-cursor", 10)
    assert info.value.code == "INVALID_CURSOR"


def test_touch_used(service, template_repo, alice, alices):
    assert template_repo.templates[(alice.user_id, "demo")].last_used_at is None
    service.touch_used(alices.template)
    assert template_repo.templates[(alice.user_id, "demo")].last_used_at is not None


def test_reading_a_large_version_does_not_change_what_is_stored(template_repo, workflow_store, alice):
    service = TemplateService(template_repo, workflow_store, inline_max_bytes=1)
    submitted = service.submit_json(alice, workflow())
    service.get_version(alice, submitted.version.version_id)
    stored = template_repo.versions[(submitted.template.template_id, submitted.version.content_hash)]
    assert stored.workflow is None
