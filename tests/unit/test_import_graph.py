"""The layering of `relay`, read from every import in the layer (function-level ones
included): the API's cold start holds nothing of the runtime package, and no package imports
upward. docs/architecture.md draws the same picture."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "relay"
RELAY = LAYER / "relay"

# The kernel every package may use: errors and ids.
KERNEL = ("relay.exceptions", "relay.ids")

# Outside relay.runtime, only these modules reach into it, each for one reason:
RUNTIME_DOORS = {
    # the composition root of the task Lambdas builds the runtime's services
    "relay.containers.runtime": ("relay.runtime",),
    # submit-time validation asks the module catalog what each module accepts
    "relay.workflows.validation": ("relay.runtime.modules",),
    # an answer is checked by the module that asked (first answer only)
    "relay.services.answers": ("relay.runtime.modules",),
}

# What each package may import of relay (besides itself and the kernel).
ALLOWED = {
    "relay.domain": (),
    "relay.workflows": ("relay.domain", "relay.settings"),
    "relay.adapters": ("relay.domain", "relay.workflows", "relay.settings"),
    "relay.services": ("relay.domain", "relay.workflows", "relay.adapters", "relay.settings", "relay.metrics"),
    # The runtime's one adapter import: is_transient (AWS throttling or unreachability) at the
    # task Lambdas' edge, where it becomes ServiceUnavailableError for Step Functions' Retry.
    "relay.runtime": ("relay.domain", "relay.workflows", "relay.settings", "relay.adapters.dynamo", "relay.metrics"),
    # Business metrics (EMF): their registry and publishing, imported by the services and the
    # runtime where things happen; they import nothing of relay.
    "relay.metrics": (),
    "relay.containers": ("relay.domain", "relay.adapters", "relay.services", "relay.settings"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(LAYER).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any level, relative imports resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
    return {n for n in found if n == "relay" or n.startswith("relay.")}


def _graph() -> dict[str, set[str]]:
    files = sorted(RELAY.rglob("*.py"))
    assert len(files) > 100
    return {_module_name(path): _imports(path) for path in files}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_package_imports_upward():
    offending = {}
    for module, imported in _graph().items():
        own = next((p for p in ALLOWED if _within(module, (p,))), None)
        if own is None:
            continue
        allowed = (own, *KERNEL, *ALLOWED[own], *RUNTIME_DOORS.get(module, ()))
        bad = sorted(n for n in imported if not _within(n, allowed))
        if bad:
            offending[module] = bad
    assert offending == {}


def test_only_the_named_doors_lead_into_the_runtime():
    offending = {}
    for module, imported in _graph().items():
        if _within(module, ("relay.runtime",)):
            continue
        into = sorted(n for n in imported if _within(n, ("relay.runtime",)))
        doors = RUNTIME_DOORS.get(module, ())
        bad = [n for n in into if not _within(n, doors)]
        if bad:
            offending[module] = bad
    assert offending == {}


def test_the_runtime_never_imports_the_api_or_its_use_cases():
    offending = {
        module: sorted(n for n in imported if _within(n, ("relay.api", "relay.services", "relay.containers", "relay.bootstrap")))
        for module, imported in _graph().items()
        if _within(module, ("relay.runtime",))
    }
    assert {m: bad for m, bad in offending.items() if bad} == {}


def test_the_domain_is_pure():
    """The domain imports nothing of relay but itself and the kernel, nor AWS or the web."""
    graph = _graph()
    for module, imported in graph.items():
        if _within(module, ("relay.domain",)):
            assert all(_within(n, ("relay.domain", *KERNEL)) for n in imported), (module, imported)
    for path in sorted((RELAY / "domain").rglob("*.py")):
        tree = ast.parse(path.read_text())
        heavy = {
            (a.name if isinstance(n, ast.Import) else n.module or "").split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and not getattr(n, "level", 0)
            for a in (n.names if isinstance(n, ast.Import) else [n])
        } & {"boto3", "botocore", "fastapi", "starlette", "mangum", "aws_lambda_powertools"}
        assert heavy == set(), path


def _env() -> dict[str, str]:
    tables = (
        "USERS",
        "TEMPLATES",
        "VERSIONS",
        "RUNS",
        "EVENTS",
        "PENDING_INPUTS",
        "IDEMPOTENCY",
        "MEDIA",
        "ARTIFACTS",
        "API_CALLS",
        "HISTORY",
        "BRANCHES",
        "RUN_SEARCH",
    )
    env = {**os.environ, **{f"RELAY_{name}_TABLE": "x" for name in tables}}
    env.update(
        RELAY_ARTIFACTS_BUCKET="x",
        RELAY_MEDIA_BUCKET="x",
        AWS_DEFAULT_REGION="us-east-1",
        RELAY_RUN_STATE_MACHINE_ARN="arn:aws:states:us-east-1:123456789012:stateMachine:run",
        RELAY_LOG_GROUPS="",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    return env


def _loaded_by(function: str) -> list[str]:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]); import app; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(LAYER), str(ROOT / "functions" / function)],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_api_function_loads_nothing_of_the_runtime():
    loaded = _loaded_by("api")
    assert "app" in loaded and "relay.api.app" in loaded and "relay.containers.api" in loaded
    assert [m for m in loaded if _within(m, ("relay.runtime", "relay.containers.runtime", "relay.bootstrap"))] == []


def test_the_task_functions_load_nothing_of_the_api():
    for function in ("run_step", "await_input", "record_failure"):
        loaded = _loaded_by(function)
        assert "relay.containers.runtime" in loaded, function
        assert [m for m in loaded if _within(m, ("relay.api", "relay.containers.api"))] == [], function
