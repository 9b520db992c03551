"""The REST API on Lambda: the FastAPI app behind Mangum (HTTP API payload v2)."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from mangum import Mangum

from relay.api import create_app
from relay.bootstrap import Relay
from relay.settings import ApiSettings

logger = Logger()
tracer = Tracer(patch_modules=("botocore",))  # the API calls AWS only; patch nothing else
metrics = Metrics()
app = create_app(Relay(ApiSettings()))

handler = logger.inject_lambda_context(
    tracer.capture_lambda_handler(metrics.log_metrics(Mangum(app, lifespan="off"), capture_cold_start_metric=True)),
    correlation_id_path="requestContext.requestId",
    clear_state=True,
)
