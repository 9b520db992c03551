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
    "relay.workflows.archive",
    "relay.workflows.refs",
    "relay.workflows.validation",
    "relay.workflows.prepare",
    "relay.modules",
    "relay.engine",
    "relay.services.execution",
    "relay.adapters.idempotency",
    "relay.local",
    "relay.cli",
)


def test_the_api_imports_only_what_every_request_may_need():
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import relay.api, relay.snapstart; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('relay'))))"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", code, str(LAYER)], check=True,
                                       capture_output=True, text=True).stdout)
    assert "relay.api.app" in loaded
    unwanted = [m for m in loaded if m.startswith(NOT_AT_COLD_START)]
    assert unwanted == []


def test_the_lazy_workflows_package_still_exports_everything():
    import relay.workflows as workflows

    for name in workflows.__all__:
        assert getattr(workflows, name) is not None
    assert "prepare_workflow" in dir(workflows)
