"""Start the local cloud: moto server (Step Functions executor on) behind the Lambda invoke
front, template.yaml deployed into it, and this process's environment pointed at it."""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

from . import notifications, stopping, transactions
from .deployer import Deployer, Deployment
from .invoke import FunctionRunner, LambdaInvokeFront
from .isolation import SerializedServices
from .log_shipping import LogShipper
from .metering import CallMeter
from .post_policy import PostPolicyFront

REGION = "us-east-1"
# Template parameters the local cloud sets unless told otherwise: no CloudFront distribution
# (nor its web bucket); `relay local` serves web/ on the API's own origin instead.
LOCAL_PARAMETERS = {"WebDistribution": "Disabled"}


def default_template() -> Path:
    """template.yaml of the checkout this package was installed from (or the cwd's)."""
    for candidate in (Path.cwd() / "template.yaml", Path(__file__).resolve().parents[3] / "template.yaml"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("template.yaml not found; run from the repository root or pass --template")


def keys_from_environment() -> dict[str, str]:
    """`relay local` passes the provider keys of its own environment to the local secret."""
    return {
        "openai_api_key": os.environ.get("OPENAI_API_KEY", ""),
        "anthropic_api_key": os.environ.get("ANTHROPIC_API_KEY", ""),
    }


def _cache_moto_module_list() -> None:
    """moto's server lists its package directory (a listdir and ~150 isdir calls) on every
    request to match the Host header; the list never changes while it runs, so list it once."""
    from moto import backends

    if getattr(backends.list_of_moto_modules, "relay_cached", False):
        return
    names = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules() -> tuple[str, ...]:
        return names

    list_of_moto_modules.relay_cached = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules


class LocalCloud:
    def __init__(
        self,
        template: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        stack_name: str = "relay",
        parameters: dict[str, Any] | None = None,
        meter: bool = False,
        provider_keys: dict[str, str] | None = None,
    ) -> None:
        self.template = template or default_template()
        self.host = host
        self.port = port
        self.stack_name = stack_name
        self.parameters = {**LOCAL_PARAMETERS, **(parameters or {})}
        # Into the template's ProviderKeysSecret, as an operator would put them in the cloud.
        self.provider_keys = provider_keys if provider_keys is not None else keys_from_environment()
        self.meter: CallMeter | None = None
        self._want_meter = meter
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.deployment: Deployment | None = None
        self.runner = FunctionRunner()

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Deployment:
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per AWS call
        _cache_moto_module_list()
        self.deployment = Deployment(stack_name=self.stack_name, region=REGION)
        transactions.install()  # item-level rollback: safe because requests are serialised
        stopping.install()  # StopExecution ends a waiting execution at once, as in the cloud
        # S3 form uploads are checked against their policy inside the S3 lock, so what moto
        # stores (and the tags the form asks for) is complete before anything reads it.
        moto = SerializedServices(PostPolicyFront(DomainDispatcherApplication(create_backend_app), secrets={"local": "local"}))
        app: Any = LambdaInvokeFront(moto, self.deployment, self.runner)
        if self._want_meter:
            app = self.meter = CallMeter(app)
        self._server = make_server(self.host, self.port, app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-cloud", daemon=True)
        self._thread.start()

        # moto's executor sends Lambda invokes to localhost:$MOTO_PORT, i.e. back to us.
        os.environ.update(
            {
                "MOTO_PORT": str(self.port),
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()

        import boto3

        deployed = Deployer(boto3.session.Session(), self.endpoint_url, REGION).deploy(
            self.template, self.stack_name, self.parameters
        )
        # The front holds this object: fill it in rather than replace it.
        self.deployment.refs, self.deployment.outputs = deployed.refs, deployed.outputs
        self.deployment.functions.update(deployed.functions)
        notifications.install(self.deployment, self.runner)  # S3 events → local functions
        # Each function's log lines into its log group, as Lambda ships them.
        self.runner.log_shipper = LogShipper(
            boto3.session.Session().client("logs", endpoint_url=self.endpoint_url, region_name=REGION)
        )
        self._put_provider_keys(boto3.session.Session())
        os.environ.update(self.deployment.environment())
        return self.deployment

    def _put_provider_keys(self, session: Any) -> None:
        secret = self.deployment.environment().get("RELAY_PROVIDER_KEYS_SECRET") if self.deployment else None
        if not secret or not any(self.provider_keys.values()):
            return
        client = session.client("secretsmanager", endpoint_url=self.endpoint_url, region_name=REGION)
        current = json.loads(client.get_secret_value(SecretId=secret)["SecretString"] or "{}")
        current.update({k: v for k, v in self.provider_keys.items() if v})
        client.put_secret_value(SecretId=secret, SecretString=json.dumps(current))

    def stop(self) -> None:
        if self.deployment is not None:
            notifications.uninstall(self.deployment)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
