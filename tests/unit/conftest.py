"""Shared fixtures for the unit tests: in-memory fakes of the adapters (see fakes.py) and a
user to act as. This directory is on sys.path, so tests import `fakes` and `builders`."""

from __future__ import annotations

import pytest

from builders import make_user
from fakes import FakeTemplateRepository, FakeUserRepository, FakeWorkflowStore
from relay.domain import User


@pytest.fixture
def user_repo() -> FakeUserRepository:
    return FakeUserRepository()


@pytest.fixture
def template_repo() -> FakeTemplateRepository:
    return FakeTemplateRepository()


@pytest.fixture
def workflow_store() -> FakeWorkflowStore:
    return FakeWorkflowStore()


@pytest.fixture
def alice() -> User:
    return make_user("alice")


@pytest.fixture
def bob() -> User:
    return make_user("bob")
