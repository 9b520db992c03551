"""TemplateService.submit_json over the in-memory template repository and workflow store."""

from __future__ import annotations

import json

import pytest

from builders import document, fmt, step, text
from relay.exceptions import InvalidRequestError
from relay.services import TemplateService
from relay.workflows import WorkflowError, canonical_json, content_hash


def workflow(label: str = "one", **extra):
    return document(step("s", fmt(label, to="out")), workflow_id="demo", name="Demo", **extra)


@pytest.fixture
def service(template_repo, workflow_store):
    return TemplateService(template_repo, workflow_store, inline_max_bytes=64_000)


def test_first_submit_creates_template_and_version(service, template_repo, workflow_store, alice):
    submitted = service.submit_json(alice, workflow())
    assert submitted.created is True
    template, version = submitted.template, submitted.version
    assert template.template_name == "demo"  # defaults to the workflow_id
    assert template.display_name == "Demo"  # defaults to the workflow name
    assert template.user_id == alice.user_id
    assert template.latest_version_id == version.version_id
    assert template.version_count == 1
    assert list(template_repo.templates) == [(alice.user_id, "demo")]
    stored = template_repo.versions[(template.template_id, version.content_hash)]
    assert stored.version_id == version.version_id
    assert stored.workflow == workflow()
    assert stored.workflow_key is None
    assert stored.source_type == "json" and stored.workflow_id == "demo"
    assert stored.content_hash == content_hash(workflow())
    assert stored.size_bytes == len(canonical_json(workflow()))
    assert workflow_store.objects == {}


def test_same_content_again_is_the_same_version(service, template_repo, alice):
    first = service.submit_json(alice, workflow())
    reordered = json.loads(json.dumps(workflow(), sort_keys=True))  # same content, other key order
    again = service.submit_json(alice, reordered)
    assert again.created is False
    assert again.version.version_id == first.version.version_id
    assert len(template_repo.versions) == 1
    assert template_repo.templates[(alice.user_id, "demo")].version_count == 1


def test_new_content_is_a_new_version(service, template_repo, alice):
    first = service.submit_json(alice, workflow("one"))
    second = service.submit_json(alice, workflow("two"))
    assert second.created is True
    assert second.version.version_id != first.version.version_id
    assert second.template.template_id == first.template.template_id
    stored = template_repo.templates[(alice.user_id, "demo")]
    assert stored.latest_version_id == second.version.version_id
    assert stored.version_count == 2
    assert second.template.latest_version_id == second.version.version_id
    assert len(template_repo.versions) == 2


def test_resubmitting_old_content_does_not_move_latest(service, template_repo, alice):
    first = service.submit_json(alice, workflow("one"))
    second = service.submit_json(alice, workflow("two"))
    again = service.submit_json(alice, workflow("one"))
    assert again.created is False and again.version.version_id == first.version.version_id
    assert template_repo.templates[(alice.user_id, "demo")].latest_version_id == second.version.version_id


def test_template_name_and_display_name_can_be_given(service, template_repo, alice):
    submitted = service.submit_json(alice, workflow(), template_name="my.flow-1", display_name="Mine")
    assert (submitted.template.template_name, submitted.template.display_name) == ("my.flow-1", "Mine")
    assert (alice.user_id, "my.flow-1") in template_repo.templates


def test_users_have_separate_templates_of_the_same_name(service, template_repo, alice, bob):
    a = service.submit_json(alice, workflow())
    b = service.submit_json(bob, workflow())
    assert b.created is True
    assert a.template.template_id != b.template.template_id
    assert a.version.version_id != b.version.version_id
    assert len(template_repo.templates) == 2


@pytest.mark.parametrize("name", ["-starts-with-dash", "has space", "x" * 129, "slash/no"])
def test_invalid_template_name_changes_nothing(service, template_repo, alice, name):
    with pytest.raises(InvalidRequestError) as info:
        service.submit_json(alice, workflow(), template_name=name)
    assert info.value.code == "INVALID_TEMPLATE_NAME"
    assert template_repo.templates == {} and template_repo.versions == {}


def test_not_an_object_is_invalid_workflow(service, template_repo, alice):
    with pytest.raises(InvalidRequestError) as info:
        service.submit_json(alice, ["not", "a", "workflow"])
    assert info.value.code == "INVALID_WORKFLOW"
    assert template_repo.templates == {}


def test_invalid_workflow_changes_nothing(service, template_repo, alice):
    bad = document(step("s", {"module_id": "no.such.module"}), workflow_id="demo")
    with pytest.raises(WorkflowError) as info:
        service.submit_json(alice, bad)
    assert info.value.code == "INVALID_WORKFLOW"
    assert template_repo.templates == {} and template_repo.versions == {}


def test_claimed_hash_must_match(service, template_repo, alice):
    with pytest.raises(WorkflowError) as info:
        service.submit_json(alice, workflow(), content_hash="sha256:" + "0" * 64)
    assert info.value.code == "HASH_MISMATCH"
    assert template_repo.versions == {}
    ok = service.submit_json(alice, workflow(), content_hash=content_hash(workflow()))
    assert ok.created is True


def test_large_workflow_goes_to_the_store(template_repo, workflow_store, alice):
    service = TemplateService(template_repo, workflow_store, inline_max_bytes=10)
    big = document(step("ask", text("x" * 200, to="t")), workflow_id="big")
    submitted = service.submit_json(alice, big)
    template, version = submitted.template, submitted.version
    key = f"templates/{template.template_id}/{version.version_id}.json"
    assert list(workflow_store.objects) == [key]
    assert workflow_store.objects[key] == canonical_json(big)
    stored = template_repo.versions[(template.template_id, version.content_hash)]
    assert stored.workflow is None
    assert stored.workflow_key == key
    assert service.get_version(alice, version.version_id).workflow == big


def test_get_version_without_workflow_does_not_read_the_store(template_repo, workflow_store, alice):
    service = TemplateService(template_repo, workflow_store, inline_max_bytes=10)
    version = service.submit_json(alice, workflow()).version
    workflow_store.objects.clear()  # a read would now fail
    assert service.get_version(alice, version.version_id, with_workflow=False).workflow is None


def test_inline_limit_is_inclusive(template_repo, workflow_store, alice):
    size = len(canonical_json(workflow()))
    service = TemplateService(template_repo, workflow_store, inline_max_bytes=size)
    assert service.submit_json(alice, workflow()).version.workflow == workflow()
    assert workflow_store.objects == {}


def test_concurrent_identical_submit_returns_the_stored_version(workflow_store, alice):
    """Another request stores the same content between the hash lookup and the write:
    add_version refuses the duplicate and the stored version is returned, not a second one."""
    from fakes import FakeTemplateRepository

    class MissesOnce(FakeTemplateRepository):
        miss = False

        def get_version_by_hash(self, template_id, content_hash):
            if self.miss:
                self.miss = False
                return None
            return super().get_version_by_hash(template_id, content_hash)

    repo = MissesOnce()
    service = TemplateService(repo, workflow_store, inline_max_bytes=64_000)
    first = service.submit_json(alice, workflow())
    repo.miss = True
    second = service.submit_json(alice, workflow())
    assert second.created is False
    assert second.version.version_id == first.version.version_id
    assert len(repo.versions) == 1
    assert repo.templates[(alice.user_id, "demo")].version_count == 1
