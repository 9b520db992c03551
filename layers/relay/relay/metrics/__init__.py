"""Relay's business metrics: the registry of names (names.py) and their publishing (emit.py)."""

from .emit import DEFAULT_NAMESPACE, DEFAULT_SERVICE, MetricDimensionsError, count, namespace, publish, service
from .names import OTHER, PROVIDERS, REGISTRY, MetricSpec, Unit, bounded

__all__ = [
    "DEFAULT_NAMESPACE",
    "DEFAULT_SERVICE",
    "OTHER",
    "PROVIDERS",
    "REGISTRY",
    "MetricDimensionsError",
    "MetricSpec",
    "Unit",
    "bounded",
    "count",
    "namespace",
    "publish",
    "service",
]
