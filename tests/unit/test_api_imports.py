"""What the API's cold start imports from `relay`: the app, its schemas and the services'
front doors, not what only some requests use (workflow resolution, zips, validation, step
modules, the run interpreter). Measured by tests/bench/cold_start.py (relay_over_stack_ratio)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "relay"

NOT_AT_COLD_START = (
    "relay_workflow.archive",
    "relay_workflow.refs",
    "relay.workflows.formats",
    "relay.workflows.validation",
    "relay.workflows.prepare",
    "relay.runtime.modules",
    "relay.runtime.engine",
    "relay.runtime.services.execution",
    "relay.adapters.idempotency",
    "relay_tools",
)


def test_the_api_imports_only_what_every_request_may_need():
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import relay.api, relay.snapstart; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('relay'))))"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", code, str(LAYER)], check=True, capture_output=True, text=True).stdout
    )
    assert "relay.api.app" in loaded
    unwanted = [m for m in loaded if m.startswith(NOT_AT_COLD_START)]
    assert unwanted == []


def _imported_names(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_layer_never_imports_the_tooling():
    """relay and relay_workflow (the layer) import nothing of relay_tools (the local cloud and
    operator tooling, not shipped), at any level, function-level imports included; and
    relay_workflow (shared with the client) nothing of relay."""
    offending = {}
    for package, banned in (("relay", ("relay_tools",)), ("relay_workflow", ("relay_tools", "relay"))):
        files = sorted((LAYER / package).rglob("*.py"))
        assert len(files) > 3, package
        for path in files:
            bad = sorted(n for n in _imported_names(path) if n.split(".")[0] in banned)
            if bad:
                offending[str(path.relative_to(LAYER))] = bad
    assert offending == {}
    assert not (LAYER / "relay" / "local").exists() and not (LAYER / "relay" / "cli").exists()


def test_the_lazy_workflows_package_still_exports_everything():
    import relay.workflows as workflows

    for name in workflows.__all__:
        assert getattr(workflows, name) is not None
    assert "prepare_workflow" in dir(workflows)


def _modules_after(statement: str, *, env: dict[str, str] | None = None) -> list[str]:
    import os

    code = "import json, sys; sys.path.insert(0, sys.argv[1]); " + statement + "; print(json.dumps(sorted(sys.modules)))"
    environ = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-c", code, str(LAYER)], check=True, capture_output=True, text=True, env=environ)
    return json.loads(result.stdout.strip().splitlines()[-1])


HEAVY_SDKS = ("openai", "anthropic", "jsonschema")


def test_no_provider_sdk_is_imported_by_the_api_or_the_step_modules():
    """openai (0.4 s) and anthropic (0.9 s) load only when a step calls them: not with the
    API, not with the step modules, the engine or the LLM service RunStep builds."""
    for statement in (
        "import relay.api, relay.snapstart",
        "import relay.runtime.modules, relay.runtime.engine, relay.runtime.services.llm, relay.runtime.services.execution, relay.runtime.providers",
    ):
        loaded = _modules_after(statement)
        assert [m for m in loaded if m.split(".")[0] in HEAVY_SDKS] == [], statement


def test_the_step_function_imports_no_provider_sdk():
    env = dict.fromkeys(
        (
            "RELAY_USERS_TABLE",
            "RELAY_TEMPLATES_TABLE",
            "RELAY_VERSIONS_TABLE",
            "RELAY_RUNS_TABLE",
            "RELAY_EVENTS_TABLE",
            "RELAY_PENDING_INPUTS_TABLE",
            "RELAY_IDEMPOTENCY_TABLE",
            "RELAY_MEDIA_TABLE",
            "RELAY_ARTIFACTS_TABLE",
            "RELAY_ARTIFACTS_BUCKET",
            "RELAY_MEDIA_BUCKET",
            "RELAY_API_CALLS_TABLE",
            "RELAY_HISTORY_TABLE",
        ),
        "x",
    )
    env.update(AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_TRACE_DISABLED="true", POWERTOOLS_METRICS_DISABLED="true")
    app = Path(__file__).resolve().parents[2] / "functions" / "run_step"
    loaded = _modules_after(f"sys.path.insert(0, {str(app)!r}); import app; app.relay.execution", env=env)
    assert "app" in loaded and "relay.runtime.services.execution" in loaded
    assert [m for m in loaded if m.split(".")[0] in HEAVY_SDKS] == []
