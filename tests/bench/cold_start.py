"""Cold-start benchmark: import time of the Lambda handler modules as a ratio to `import boto3`.

Every measurement is a fresh interpreter (`python -c …`) that times, with
`time.perf_counter`, only the import itself: `import boto3` for the baseline, and
`spec_from_file_location(...).loader.exec_module(...)` of `functions/<name>/app.py` for a
handler (which, like a Lambda init, also builds what the module builds at import: the
settings, the FastAPI app, Powertools Logger/Tracer/Metrics). One warm-up run of each comes
first so the .pyc files exist; then the runs are interleaved (baseline, api, step, baseline,
…) so drift on the machine hits all three alike, and the medians are compared.

The children get the environment a deployed function has: every RELAY_* setting that
`ApiSettings` requires (dummy values), AWS_DEFAULT_REGION/AWS_REGION,
POWERTOOLS_SERVICE_NAME, and LAMBDA_TASK_ROOT/AWS_LAMBDA_FUNCTION_NAME/AWS_EXECUTION_ENV.
POWERTOOLS_TRACE_DISABLED is *not* set (and removed if inherited): Powertools' Tracer turns
itself off when LAMBDA_TASK_ROOT is absent, so without it the X-Ray patching that happens at
a real cold start would be skipped. `--no-lambda-env` leaves those three Lambda variables out.

Two floors are measured in the same run for context: "framework" (`import boto3, fastapi,
mangum`) and "stack" (that plus pydantic-settings, Powertools Logger/Tracer/Metrics and a
one-route FastAPI app: what DESIGN.md prescribes for the API function); `relay_own_ms` is
the API handler minus the stack floor.

Prints ratios (the figures to watch) and medians in ms (for information; they depend on the
machine). Never asserts; exits 0.

    .venv/bin/python tests/bench/cold_start.py [--runs 7] [--top 10] [--no-lambda-env]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "relay"
HANDLERS = {"api": ROOT / "functions" / "api" / "app.py", "step": ROOT / "functions" / "run_step" / "app.py"}

# The child puts the layer first on sys.path (as Lambda does with /opt/python) before the
# clock starts, then times only the work.
_TIMED = """
import sys, time
sys.path.insert(0, {layer!r})
t0 = time.perf_counter()
{work}
t1 = time.perf_counter()
print("elapsed_ms=%.3f" % ((t1 - t0) * 1000))
"""

_IMPORT_HANDLER = """
import importlib.util
spec = importlib.util.spec_from_file_location("handler_under_test", {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules["handler_under_test"] = module
spec.loader.exec_module(module)
"""

# Floors, for context: what any API handler of this shape pays before Relay's own code runs.
# "framework": boto3 + FastAPI + Mangum imported.
# "stack": the stack DESIGN.md prescribes for the API function, built as a handler builds it:
# pydantic-settings, Powertools Logger/Tracer(botocore)/Metrics, and a FastAPI app with one
# route taking a pydantic body (the first route is when FastAPI imports pydantic.v1).
_WORK = {
    "boto3": "import boto3",
    "floor": "import boto3, fastapi, mangum",
    "stack": """
import boto3, mangum, pydantic, pydantic_settings
from aws_lambda_powertools import Logger, Metrics, Tracer
from fastapi import FastAPI
Logger(); Tracer(patch_modules=("botocore",)); Metrics()
class Body(pydantic.BaseModel):
    name: str
app = FastAPI()
@app.post("/items", response_model=Body)
def create(body: Body) -> Body:
    return body
mangum.Mangum(app, lifespan="off")
""",
}


def required_settings() -> dict[str, str]:
    """RELAY_* variables for every field of ApiSettings (a superset of Settings)."""
    sys.path.insert(0, str(LAYER))
    from relay.settings import ApiSettings  # the parent is not measured

    prefix = ApiSettings.model_config.get("env_prefix", "RELAY_")
    env = {}
    for name, field in ApiSettings.model_fields.items():
        key = f"{prefix}{name}".upper()
        if field.annotation is int:
            # Optional ints keep their defaults; a required int gets a harmless value.
            if field.is_required():
                env[key] = "1"
            continue
        if name.endswith("_arn"):
            env[key] = f"arn:aws:states:us-east-1:123456789012:stateMachine:bench-{name}"
        else:
            env[key] = f"bench-{name.replace('_', '-')}"
    return env


def child_env(function: str, lambda_env: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "POWERTOOLS_", "AWS_", "LAMBDA_"))}
    env.update(required_settings())
    env.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_SERVICE_NAME": "relay",
            "POWERTOOLS_METRICS_NAMESPACE": "Relay",
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up run must be able to write .pyc files
    if lambda_env:
        env.update(
            {
                "LAMBDA_TASK_ROOT": str(HANDLERS.get(function, HANDLERS["api"]).parent),
                "AWS_LAMBDA_FUNCTION_NAME": f"relay-bench-{function}",
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            }
        )
    return env


def code_for(target: str) -> str:
    work = _WORK.get(target) or _IMPORT_HANDLER.format(path=str(HANDLERS[target]))
    return _TIMED.format(layer=str(LAYER), work=work)


def measure(target: str, lambda_env: bool) -> float:
    result = subprocess.run(
        [sys.executable, "-c", code_for(target)],
        cwd=ROOT,
        env=child_env(target, lambda_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("elapsed_ms="):
            return float(line.split("=", 1)[1])
    raise RuntimeError(f"import of {target} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")


def importtime_top(target: str, lambda_env: bool, top: int) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of `python -X importtime`, largest cumulative first."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code_for(target)],
        cwd=ROOT,
        env=child_env(target, lambda_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        rows.append((int(parts[1]), int(parts[0]), parts[2].strip()))
    rows.sort(reverse=True)
    return rows[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs per target (default 7)")
    parser.add_argument("--top", type=int, default=10, help="importtime entries to list (default 10)")
    parser.add_argument(
        "--no-lambda-env",
        action="store_true",
        help="leave LAMBDA_TASK_ROOT etc. out (Powertools' Tracer then disables itself)",
    )
    args = parser.parse_args()
    lambda_env = not args.no_lambda_env
    targets = ("boto3", "floor", "stack", "api", "step")

    for target in targets:  # warm-up: writes .pyc files, fills the OS page cache
        measure(target, lambda_env)
    samples: dict[str, list[float]] = {t: [] for t in targets}
    for _ in range(max(1, args.runs)):
        for target in targets:
            samples[target].append(measure(target, lambda_env))
    median = {t: statistics.median(v) for t, v in samples.items()}

    print(f"runs: {max(1, args.runs)} per target (after 1 warm-up each); lambda_env: {str(lambda_env).lower()}")
    print(f"boto3_import_median_ms: {median['boto3']:.1f}")
    print(f"api_import_median_ms: {median['api']:.1f}")
    print(f"step_import_median_ms: {median['step']:.1f}")
    print(f"api_import_ratio: {median['api'] / median['boto3']:.2f}")
    print(f"step_import_ratio: {median['step'] / median['boto3']:.2f}")
    print(f"framework_floor_ratio: {median['floor'] / median['boto3']:.2f}  (import boto3, fastapi, mangum)")
    print(
        f"stack_floor_ratio: {median['stack'] / median['boto3']:.2f}  "
        "(+ pydantic-settings, Powertools Logger/Tracer/Metrics, a one-route FastAPI app)"
    )
    print(f"relay_own_ms: {median['api'] - median['stack']:.1f}  (api minus stack floor)")

    print(f"\nTop {args.top} imports of the API handler by cumulative time (python -X importtime, one run):")
    print(f"  {'cumulative ms':>13}  {'self ms':>8}  module")
    for cumulative, self_us, module in importtime_top("api", lambda_env, args.top):
        print(f"  {cumulative / 1000:13.1f}  {self_us / 1000:8.1f}  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
