"""Business metrics of the API (EMF, flushed per invocation by the Lambda entry point)."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

# The namespace is named here, not only by POWERTOOLS_METRICS_NAMESPACE (template.yaml sets the
# same): where nothing flushes per request (the local server), Powertools flushes by itself
# every 100 metrics, and without a namespace that flush raised inside a request.
NAMESPACE = "Relay"

_metrics = Metrics(namespace=NAMESPACE)  # Powertools shares one metric set per namespace across instances


def count(name: str) -> None:
    _metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
