"""Publishing a business metric: one EMF line on stdout at once (Lambda ships stdout to the
function's log group, CloudWatch turns the line into metrics).

Each call flushes its own small metric set instead of Powertools' process-wide one: nothing
waits for an entry point to flush (the API under `relay local` has none per request), and under
`relay local`, where functions run in threads of one process, a line is printed on the thread of
the invocation it belongs to, so it is shipped with that function's logs."""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from .names import MetricSpec

# template.yaml's Globals set POWERTOOLS_METRICS_NAMESPACE to this (a unit test keeps them
# alike); the default keeps a process without the variable (the local API server) publishing.
DEFAULT_NAMESPACE = "Relay"
DEFAULT_SERVICE = "relay"  # POWERTOOLS_SERVICE_NAME in the Globals, the `service` dimension


class MetricDimensionsError(ValueError):
    """A publish with dimensions its metric does not declare: a bug in Relay, never a client's
    problem, so it has no problem code."""


def namespace() -> str:
    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE


def service() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE


def publish(values: Mapping[MetricSpec, float], dimensions: Mapping[str, str] | None = None) -> None:
    """Publish `values` (metrics sharing one dimension set) in one EMF line: with `service`
    alone, and with `dimensions` added when the metrics declare them."""
    dims = dict(dimensions or {})
    for spec in values:
        if set(spec.dimensions) != set(dims):
            raise MetricDimensionsError(f"{spec.name} takes dimensions {spec.dimensions}, not {tuple(dims)}")
    if not values:
        return
    emf = EphemeralMetrics(namespace=namespace(), service=service())
    for spec, value in values.items():
        emf.add_metric(name=spec.name, unit=MetricUnit(spec.unit.value), value=float(value))
    if dims:
        emf.add_dimensions(service=service(), **dims)
    emf.flush_metrics()


def count(spec: MetricSpec, value: float = 1) -> None:
    publish({spec: value})
