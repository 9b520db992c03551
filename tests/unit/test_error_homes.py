"""Errors live in their package's exceptions.py: no module, test or tool imports an error
class from an adapter module (services and adapters both take them from
relay.domain.exceptions, relay.services.exceptions or relay.exceptions), and no adapter
module defines one."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import relay.adapters

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("layers", "tests", "tools", "functions") for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts]


def test_no_error_is_imported_from_an_adapter_module():
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("relay.adapters"):
                errors = [a.name for a in node.names if a.name.endswith(("Error", "Exception"))]
                if errors:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}: {errors}")
    assert found == []


def test_no_adapter_module_defines_an_error():
    defined = []
    for info in pkgutil.iter_modules(relay.adapters.__path__, "relay.adapters."):
        module = importlib.import_module(info.name)
        defined += [
            f"{info.name}.{name}"
            for name, obj in vars(module).items()
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name
        ]
    assert defined == []
