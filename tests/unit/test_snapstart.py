"""SnapStart: the after-restore hook gives each restored environment its own `random` sequence
and its own boto3 session and clients; the API's entry point registers it."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import SimpleNamespace

import pytest
import snapshot_restore_py

from relay import snapstart
from relay.api.lazy_routers import pending
from relay.bootstrap import Relay
from relay.settings import ApiSettings

ROOT = Path(__file__).resolve().parents[2]


class FakeSession:
    made = 0

    def __init__(self) -> None:
        type(self).made += 1
        self.clients: list[tuple[str, object]] = []

    def client(self, service: str, config=None) -> object:
        client = SimpleNamespace(service=service, session=self)
        self.clients.append((service, client))
        return client


@pytest.fixture
def fake_boto3_session(monkeypatch):
    FakeSession.made = 0
    monkeypatch.setattr("relay.containers.adapters.boto3.session.Session", FakeSession)
    return FakeSession


@pytest.fixture
def settings():
    names = ("users", "templates", "versions", "runs", "events", "pending_inputs", "idempotency")
    return SimpleNamespace(
        **{f"{name}_table": f"t-{name}" for name in names},
        artifacts_bucket="b-artifacts",
        inline_workflow_max_bytes=65536,
        comfyui_node_allow_list="",  # Settings' default: ComfyUI's built-in nodes
    )


@pytest.fixture
def hooks():
    """The runtime's registry, emptied of what a test registers."""
    registry = snapshot_restore_py.get_after_restore()
    before = list(registry)
    yield registry
    registry[:] = before


def restore(registry) -> None:
    """What the Lambda runtime does after restoring a snapshot (in registration order)."""
    for func, args, kwargs in list(registry):
        func(*args, **kwargs)


def test_nothing_aws_is_made_at_init(fake_boto3_session, settings):
    relay = Relay(settings)
    assert fake_boto3_session.made == 0  # not even the session: nothing to snapshot
    _ = relay.users  # services and adapters are plain objects; the client comes with them
    assert fake_boto3_session.made == 1


def test_refresh_forgets_session_clients_adapters_and_services(fake_boto3_session, settings):
    relay = Relay(settings)
    client, users, templates = relay.dynamodb, relay.users, relay.templates
    relay.refresh()
    assert relay.dynamodb is not client
    assert relay.dynamodb.session is not client.session  # a new session: credentials resolved again
    assert relay.users is not users and relay.templates is not templates
    assert fake_boto3_session.made == 2


def test_refresh_keeps_a_session_given_to_it(settings):
    given = FakeSession()
    relay = Relay(settings, session=given)
    first = relay.s3
    relay.refresh()
    assert relay.s3 is not first and relay.s3.session is given


def test_register_adds_the_after_restore_hook(hooks, settings):
    relay = Relay(settings)
    snapstart.register(relay)
    assert hooks[-1] == (snapstart.after_restore, (relay,), {})


def test_restored_environments_draw_different_random_sequences(hooks, fake_boto3_session, settings):
    relay = Relay(settings)
    snapstart.register(relay)
    random.seed(7)
    snapshot = random.getstate()  # what every environment restored from one snapshot holds
    sequences = []
    for _ in range(2):
        random.setstate(snapshot)
        restore(hooks[-1:])
        sequences.append([random.random() for _ in range(4)])
    random.setstate(snapshot)
    unrestored = [random.random() for _ in range(4)]
    assert sequences[0] != sequences[1]
    assert unrestored not in sequences


def test_a_client_made_before_the_snapshot_is_not_used_after_restore(hooks, fake_boto3_session, settings):
    relay = Relay(settings)
    snapstart.register(relay)
    before = relay.stepfunctions
    restore(hooks[-1:])
    assert relay.stepfunctions is not before


def load_api_entry_point(monkeypatch):
    prefix = ApiSettings.model_config["env_prefix"]
    for name, field in ApiSettings.model_fields.items():
        if field.is_required():
            value = "1" if field.annotation is int else f"arn:aws:states:us-east-1:1:stateMachine:{name}"
            monkeypatch.setenv(f"{prefix}{name}".upper(), value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    spec = importlib.util.spec_from_file_location("api_entry_point_under_test", ROOT / "functions" / "api" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_the_api_entry_point_registers_the_hook_for_its_relay(hooks, monkeypatch):
    module = load_api_entry_point(monkeypatch)
    assert (snapstart.after_restore, (module.relay,), {}) in hooks
    assert module.app.state.relay is module.relay


@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
@pytest.mark.parametrize(
    ("init_type", "built_at_init"),
    [("snap-start", True), ("provisioned-concurrency", True), ("on-demand", False), (None, False)],
)
def test_routers_are_built_at_init_only_when_init_is_paid_ahead(hooks, monkeypatch, init_type, built_at_init):
    """Under SnapStart the snapshot should hold every router; on demand, each is built by the
    first request that reaches it (relay.api.lazy_routers)."""
    if init_type is None:
        monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    else:
        monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", init_type)
    module = load_api_entry_point(monkeypatch)
    assert (pending(module.app) == []) is built_at_init


@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_the_api_logs_a_run_request_with_its_run_id(hooks, monkeypatch):
    """The API's lines about a run carry its id (GET /v1/runs/{id}/logs filters on it); the
    keys of one invocation do not reach the next."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Relay")  # as template.yaml's Globals
    module = load_api_entry_point(monkeypatch)
    context = SimpleNamespace(
        function_name="api",
        function_version="$LATEST",
        memory_limit_in_mb=1024,
        invoked_function_arn="arn:aws:lambda:us-east-1:1:function:api",
        aws_request_id="req-1",
    )

    def request(path: str) -> int:
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {"host": "api.example.com"},
            "requestContext": {
                "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "t"},
                "requestId": "req-1",
                "accountId": "1",
                "apiId": "a",
                "domainName": "api.example.com",
                "stage": "$default",
                "timeEpoch": 0,
            },
            "isBase64Encoded": False,
        }
        return module.handler(event, context)["statusCode"]

    assert request("/v1/runs/run_abc123/events") == 401  # no key: refused, but logged as the run's
    assert module.logger.get_current_keys()["run_id"] == "run_abc123"
    assert request("/v1/templates") == 401
    assert "run_id" not in module.logger.get_current_keys()
