"""Package attributes imported on first use (PEP 562), from one table of name → module.

    _EXPORTS = {"content_hash": "canonical", "RefLimits": "relay_workflow.refs"}
    __all__ = sorted(_EXPORTS)
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

A module without a dot is the package's own (`.canonical`); with one, an absolute name. The
first lookup stores the value in the package's namespace, so later ones are plain attribute
reads. Here, in the package shared by the server and the client, so that both use it
(relay_workflow, relay.workflows, relay_client) and a cold start or `relay --help` imports only
what it touches. Standard library only, as all of relay_workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`, whose globals are `namespace`."""

    def module_getattr(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module if "." in module else f".{module}", package), name)
        namespace[name] = value
        return value

    def module_dir() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return module_getattr, module_dir
