"""The unit-test fakes offer exactly the adapters' public methods, with the same parameters,
so services tested on fakes call nothing the real adapters lack. What the run repository's
unit of work does is checked on both by test_unit_of_work_contract.py."""

from __future__ import annotations

import inspect

import pytest

from fakes import FakeRunRepository, FakeTemplateRepository, FakeUserRepository, FakeWorkflowStore
from relay.adapters.runs import RunRepository
from relay.adapters.templates import TemplateRepository, WorkflowStore
from relay.adapters.users import UserRepository


def public_methods(cls) -> dict[str, list[str]]:
    return {
        name: [p for p in inspect.signature(member).parameters if p != "self"]
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("fake", "real"),
    [
        (FakeUserRepository, UserRepository),
        (FakeTemplateRepository, TemplateRepository),
        (FakeWorkflowStore, WorkflowStore),
        (FakeRunRepository, RunRepository),
    ],
)
def test_fake_mirrors_adapter(fake, real):
    assert public_methods(fake) == public_methods(real)
