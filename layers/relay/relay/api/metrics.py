"""Business metrics of the API (EMF, flushed per invocation by the Lambda entry point)."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

_metrics = Metrics()  # Powertools shares one metric set per namespace across instances


def count(name: str) -> None:
    _metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
