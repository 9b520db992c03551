"""The local cloud and the API, started once for the integration tests: real HTTP to moto
(DynamoDB, S3, Step Functions with its executor) and to the API served by uvicorn."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from fake_comfyui import TEST_NODE_ALLOW_LIST, FakeComfyUI
from fake_providers import FakeProviders
from relay.api import create_app
from relay.bootstrap import Relay
from relay.settings import ApiSettings
from relay_tools.local import LocalCloud
from servers import serving


@pytest.fixture(scope="session")
def fake_providers() -> Iterator[FakeProviders]:
    """OpenAI and Anthropic on loopback (tests/support/fake_providers.py)."""
    server = FakeProviders().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_comfyui() -> Iterator[FakeComfyUI]:
    """ComfyUI on loopback (tests/support/fake_comfyui.py), the server media.generate uses."""
    server = FakeComfyUI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cloud(fake_providers: FakeProviders, fake_comfyui: FakeComfyUI) -> Iterator[LocalCloud]:
    # Continue-as-new after 4 RunSteps, so the suite exercises the hand-over (default 1000).
    # The providers are the fake servers, as template parameters (the step function's
    # environment), with their keys in the template's secret, as `relay local` passes them.
    parameters = {
        "ContinueAsNewAfter": 4,
        "OpenAIBaseUrl": fake_providers.openai_base_url,
        "AnthropicBaseUrl": fake_providers.url,
        "ComfyUIUrl": fake_comfyui.url,
        "ComfyUINodeAllowList": TEST_NODE_ALLOW_LIST,  # the defaults and the fake's control node
        "ProviderMaxRetries": 1,
        "ProviderTimeoutSeconds": 5,
        # Short event streams (the default is 25 s): the contract run opens many on a paused run.
        "EventStreamSeconds": 0.5,
        # Quotas well above what any test of one user starts or stores; test_quotas.py sets
        # small limits per user (admin overrides) to test them.
        "QuotaActiveRuns": 1000,
        "QuotaRunsPerDay": 100000,
        "QuotaPendingUploads": 1000,
    }
    keys = {"openai_api_key": "sk-local-openai", "anthropic_api_key": "sk-local-anthropic"}
    local = LocalCloud(meter=True, parameters=parameters, provider_keys=keys)
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="session")
def relay(cloud: LocalCloud) -> Relay:
    return Relay(ApiSettings())


@pytest.fixture(scope="session")
def api_url(relay: Relay) -> Iterator[str]:
    with serving(create_app(relay)) as url:
        yield url


_counter = iter(range(1, 1_000_000))


@pytest.fixture
def make_client(relay: Relay, api_url: str) -> Iterator[Callable[..., httpx.Client]]:
    """A new user (its own tenant) and an HTTP client authenticated as it."""
    clients: list[httpx.Client] = []

    def make(*, admin: bool = False) -> httpx.Client:
        n = next(_counter)
        user, key = relay.users.create_user(
            f"user{n}-{time.time_ns() % 10**8}", f"u{n}.{time.time_ns()}@example.com", is_admin=admin
        )
        client = httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        client.user = user  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., httpx.Client]) -> httpx.Client:
    return make_client()
