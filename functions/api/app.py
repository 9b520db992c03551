"""The REST API on Lambda: the FastAPI app behind Mangum (HTTP API payload v2).

Init builds everything a request needs, and nothing unique to one execution environment, so
it is safe to snapshot with SnapStart (`ApiSnapStart`): `relay.snapstart` makes fresh what a
restored environment must not share (boto3 session and clients, the `random` seed).
"""

import os
import re

from aws_lambda_powertools import Logger, Metrics, Tracer
from mangum import Mangum

from relay import snapstart
from relay.api import create_app
from relay.containers.api import ApiContainer
from relay.settings import ApiSettings

logger = Logger()
tracer = Tracer(patch_modules=("botocore",))  # the API calls AWS only; patch nothing else
metrics = Metrics()
relay = ApiContainer(ApiSettings())
# Routers are built on the first request to their paths, unless init is paid ahead of requests.
app = create_app(relay, eager=os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") in ("snap-start", "provisioned-concurrency"))
snapstart.register(relay)

_RUN_PATH = re.compile(r"/v1/runs/(run_[0-9a-z]{1,40})(?:/|$)")


def with_run_id(asgi_handler):
    """A request about one run logs its lines with that run's id (as the task functions do), so
    GET /v1/runs/{id}/logs finds the API's lines too. The keys are cleared per invocation."""

    def handle(event, context):
        match = _RUN_PATH.match(event.get("rawPath") or "")
        if match:
            logger.append_keys(run_id=match.group(1))
        return asgi_handler(event, context)

    return handle


handler = logger.inject_lambda_context(
    tracer.capture_lambda_handler(metrics.log_metrics(with_run_id(Mangum(app, lifespan="off")), capture_cold_start_metric=True)),
    correlation_id_path="requestContext.requestId",
    clear_state=True,
)
