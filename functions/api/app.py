"""The REST API on Lambda: the FastAPI app behind Mangum (HTTP API payload v2).

Init builds everything a request needs, and nothing unique to one execution environment, so
it is safe to snapshot with SnapStart (`ApiSnapStart`): `relay.snapstart` makes fresh what a
restored environment must not share (boto3 session and clients, the `random` seed).
"""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from mangum import Mangum

from relay import snapstart
from relay.api import create_app
from relay.bootstrap import Relay
from relay.settings import ApiSettings

logger = Logger()
tracer = Tracer(patch_modules=("botocore",))  # the API calls AWS only; patch nothing else
metrics = Metrics()
relay = Relay(ApiSettings())
# Routers are built on the first request to their paths, unless init is paid ahead of requests.
app = create_app(relay, eager=os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") in ("snap-start", "provisioned-concurrency"))
snapstart.register(relay)

handler = logger.inject_lambda_context(
    tracer.capture_lambda_handler(metrics.log_metrics(Mangum(app, lifespan="off"), capture_cold_start_metric=True)),
    correlation_id_path="requestContext.requestId",
    clear_state=True,
)
