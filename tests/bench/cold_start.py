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

"Deployed" measures what Lambda loads instead of the warm virtualenv: a copy of the layer laid
out as Lambda sees it (`python/`: `pip install --target` of layers/relay/requirements.txt at
the venv's versions, for this host, plus the layer's packages), with the bytecode `make build`
ships (tools/lambda_bytecode.py: every `.py` compiled to unchecked-hash `.pyc`), and the API
function's own directory likewise. Both go through a zip written as SAM writes it (every entry
dated 1980-01-01) and are extracted with those dates, as Lambda does; the handler is then
imported from there with PYTHONDONTWRITEBYTECODE=1 (Lambda's /opt and /var/task are read-only)
and `python -S` (only the copy and the standard library on sys.path, as on Lambda). The same
copy extracted without its `__pycache__` entries gives the figure for a build that ships no
bytecode (what `sam build` alone produces). The dependencies are installed and compiled once
and kept in .cache/cold_start/, keyed by a hash of the requirements, the venv's versions and
this Python; the layer's packages and the function are copied and compiled again on every run.
`deployed_cold_ratio` (deployed / warm venv, goal <= 1.10) and `relay_over_stack_ratio` (API
handler / stack floor, goal <= 1.10) are the figures to watch.

Prints ratios (the figures to watch) and medians in ms (for information; they depend on the
machine). Never asserts; exits 0.

    .venv/bin/python tests/bench/cold_start.py [--runs 7] [--top 10] [--no-lambda-env] [--no-deployed]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "relay"
# What sam build puts in the layer from LAYER: its packages (relay, relay_workflow).
LAYER_PACKAGES = sorted(init.parent.name for init in LAYER.glob("*/__init__.py"))
HANDLERS = {"api": ROOT / "functions" / "api" / "app.py", "step": ROOT / "functions" / "run_step" / "app.py"}
CACHE = ROOT / ".cache" / "cold_start"

sys.path.insert(0, str(ROOT / "tools"))
import lambda_bytecode  # noqa: E402  (the bytecode step `make build` runs)

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

# "First request": init plus one invocation through the handler, so that what is built on the
# first request (Relay builds a router when a request first reaches its paths) is counted too.
# Relay's request is GET /v1/runs/{id} with no credentials: routing builds the runs router, and
# the auth dependency builds the users service (its DynamoDB client) and answers 401 without a
# call. The stack's is POST /items through a handler wrapped in the same Powertools decorators,
# whose route makes a DynamoDB client too (as any API of this stack does to reach its table on
# its first request), so that only Relay's own work differs.
_EVENT = """
class _Context:
    function_name = "bench"; function_version = "$LATEST"; memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"; aws_request_id = "req-1"
def _event(method, path, body=None):
    return {{"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
            "headers": {{"host": "api.example.com", "content-type": "application/json"}},
            "requestContext": {{"http": {{"method": method, "path": path, "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1", "userAgent": "bench"}}, "requestId": "req-1", "accountId": "123456789012",
            "apiId": "bench", "domainName": "api.example.com", "stage": "$default", "timeEpoch": 0}},
            "body": body, "isBase64Encoded": False}}
{work}
"""
_WORK["stack_request"] = _EVENT.format(
    work=_WORK["stack"]
    .replace(
        'mangum.Mangum(app, lifespan="off")',
        """handler = logger.inject_lambda_context(
    tracer.capture_lambda_handler(metrics.log_metrics(mangum.Mangum(app, lifespan="off"), capture_cold_start_metric=True)),
    correlation_id_path="requestContext.requestId",
    clear_state=True,
)
assert handler(_event("POST", "/items", '{"name": "x"}'), _Context())["statusCode"] == 200""",
    )
    .replace(
        'Logger(); Tracer(patch_modules=("botocore",)); Metrics()',
        'logger, tracer, metrics = Logger(), Tracer(patch_modules=("botocore",)), Metrics()',
    )
    .replace("    return body", "    boto3.client('dynamodb')\n    return body")
)
_FIRST_REQUEST = """
assert module.handler(_event("GET", "/v1/runs/run_0123456789abcdef"), _Context())["statusCode"] == 401
"""


def required_settings() -> dict[str, str]:
    """RELAY_* variables for every field of ApiSettings (a superset of Settings)."""
    sys.path.insert(0, str(LAYER))
    from relay.settings import ApiSettings  # the parent is not measured

    prefix = ApiSettings.model_config.get("env_prefix", "RELAY_")
    env = {}
    for name, field in ApiSettings.model_fields.items():
        key = f"{prefix}{name}".upper()
        if not field.is_required():
            continue  # settings with a default keep it
        if field.annotation in (int, float):
            env[key] = "1"
        elif name.endswith("_arn"):
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
                "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info[0]}.{sys.version_info[1]}",
            }
        )
    return env


# -- the deployed copy -------------------------------------------------------------------
def _venv_pins() -> str:
    """`name==version` of the venv's copy of every distribution the layer's requirements pull
    in, so the copy has the versions the warm venv measures, not whatever is newest today."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    todo = [
        Requirement(line)
        for line in (LAYER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    pinned: dict[str, tuple[str, set[str]]] = {}
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            continue
        known = pinned.get(name, (dist.version, set()))[1]
        if name in pinned and set(requirement.extras) <= known:
            continue
        extras = known | set(requirement.extras)
        pinned[name] = (dist.version, extras)
        for spec in dist.requires or []:
            dependency = Requirement(spec)
            if dependency.marker is None or any(dependency.marker.evaluate({"extra": extra}) for extra in (extras or {""})):
                todo.append(dependency)
    return "".join(f"{name}=={version}\n" for name, (version, _) in sorted(pinned.items()))


def _dependencies() -> Path:
    """The layer's dependencies for this host, installed and compiled once per key."""
    requirements = (LAYER / "requirements.txt").read_bytes()
    pins = _venv_pins()
    key = hashlib.sha256(
        b"\0".join([requirements, pins.encode(), sys.version.encode(), os.uname().machine.encode()])
    ).hexdigest()[:16]
    deps = CACHE / f"deps-{key}"
    if (deps / ".complete").is_file():
        return deps
    print(f"building the layer's dependencies for this host into {deps.relative_to(ROOT)} (once)", file=sys.stderr)
    for stale in CACHE.glob("deps-*"):  # other requirements, versions or Pythons
        shutil.rmtree(stale, ignore_errors=True)
    for stale in CACHE.glob("constraints-*.txt"):
        stale.unlink()
    CACHE.mkdir(parents=True, exist_ok=True)
    constraints = CACHE / f"constraints-{key}.txt"
    constraints.write_text(pins)
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(deps / "python"),
            "-r",
            str(LAYER / "requirements.txt"),
            "-c",
            str(constraints),
        ],
        capture_output=True,
        text=True,
    )
    if pip.returncode:
        raise RuntimeError(f"pip install --target failed:\n{pip.stdout[-2000:]}\n{pip.stderr[-3000:]}")
    lambda_bytecode.compile_tree(deps / "python")
    (deps / ".complete").touch()
    return deps


def _sam_zip(source: Path, archive: Path) -> None:
    """A zip as `sam package`/`sam deploy` writes one (samcli.lib.package.utils.make_zip): every
    file under `source`, deflated, each entry dated 1980-01-01 (ZipInfo's default)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for root, _, files in os.walk(source):
            for name in files:
                path = Path(root) / name
                info = zipfile.ZipInfo(str(path.relative_to(source)))
                info.create_system = 3
                info.external_attr = path.stat().st_mode << 16
                zf.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)


def _extract(archive: Path, target: Path, with_bytecode: bool) -> None:
    """Extract as Lambda does: each file's mtime is its entry's date (1980-01-01)."""
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if not with_bytecode and "__pycache__/" in info.filename:
                continue
            path = Path(zf.extract(info, target))
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(path, (stamp, stamp))


def build_deployed() -> dict[str, Path]:
    """{"layer": …/python, "handler": …/app.py, "layer_source", "handler_source"}: the API
    handler and its layer as Lambda would load them, with and without the shipped bytecode."""
    deps = _dependencies()
    stage = CACHE / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(deps / "python", stage / "layer" / "python", symlinks=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in LAYER_PACKAGES:
        shutil.copytree(LAYER / package, stage / "layer" / "python" / package, ignore=ignore)
        lambda_bytecode.compile_tree(stage / "layer" / "python" / package)  # the dependencies are, once
    shutil.copytree(HANDLERS["api"].parent, stage / "function", ignore=ignore)
    lambda_bytecode.compile_tree(stage / "function")
    for part in ("layer", "function"):
        count, problems = lambda_bytecode.check_tree(stage / part)
        if problems:
            raise RuntimeError(f"{len(problems)} of {count} .py in the {part} lack bytecode: {problems[:5]}")
    for part in ("layer", "function"):
        archive = CACHE / f"{part}.zip"
        _sam_zip(stage / part, archive)
        _extract(archive, CACHE / "deployed" / part, with_bytecode=True)
        _extract(archive, CACHE / "deployed-source" / part, with_bytecode=False)
    shutil.rmtree(stage)
    return {
        "layer": CACHE / "deployed" / "layer" / "python",
        "handler": CACHE / "deployed" / "function" / "app.py",
        "layer_source": CACHE / "deployed-source" / "layer" / "python",
        "handler_source": CACHE / "deployed-source" / "function" / "app.py",
    }


DEPLOYED: dict[str, Path] = {}  # filled by main() when the deployed copy is measured


def code_for(target: str) -> str:
    if target == "api_request":
        work = _EVENT.format(work=_IMPORT_HANDLER.format(path=str(HANDLERS["api"])) + _FIRST_REQUEST)
        return _TIMED.format(layer=str(LAYER), work=work)
    if target == "api_eager":
        target = "api"  # the environment differs (env_for)
    if target in ("deployed", "deployed_source"):
        suffix = "_source" if target == "deployed_source" else ""
        work = _IMPORT_HANDLER.format(path=str(DEPLOYED["handler" + suffix]))
        return _TIMED.format(layer=str(DEPLOYED["layer" + suffix]), work=work)
    work = _WORK.get(target) or _IMPORT_HANDLER.format(path=str(HANDLERS[target]))
    return _TIMED.format(layer=str(LAYER), work=work)


def command_for(target: str, *flags: str) -> list[str]:
    if target in ("deployed", "deployed_source"):
        # -S: no site-packages, so nothing outside the copy (and the standard library) is found.
        return [sys.executable, "-S", *flags, "-c", code_for(target)]
    return [sys.executable, *flags, "-c", code_for(target)]


def env_for(target: str, lambda_env: bool) -> dict[str, str]:
    if target in ("deployed", "deployed_source"):
        env = child_env("api", lambda_env)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # /opt and /var/task are read-only on Lambda
        if lambda_env:
            env["LAMBDA_TASK_ROOT"] = str(DEPLOYED["handler"].parent)
        return env
    if target == "api_eager":  # SnapStart init: every router is built before the snapshot
        return {**child_env("api", lambda_env), "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
    return child_env("api" if target == "api_request" else target, lambda_env)


def measure(target: str, lambda_env: bool) -> float:
    result = subprocess.run(
        command_for(target),
        cwd=ROOT,
        env=env_for(target, lambda_env),
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
        command_for(target, "-X", "importtime"),
        cwd=ROOT,
        env=env_for(target, lambda_env),
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
    parser.add_argument("--no-deployed", action="store_true", help="skip the deployed-copy measurement (no pip install)")
    args = parser.parse_args()
    lambda_env = not args.no_lambda_env
    targets: tuple[str, ...] = ("boto3", "floor", "stack", "api", "step", "stack_request", "api_request", "api_eager")
    if not args.no_deployed:
        DEPLOYED.update(build_deployed())
        targets += ("deployed", "deployed_source")

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
    print(f"relay_over_stack_ratio: {median['api'] / median['stack']:.2f}  (api / stack floor; goal <= 1.10)")
    print(
        f"relay_first_request_over_stack_ratio: {median['api_request'] / median['stack_request']:.2f}  "
        f"(init + first request, {median['api_request']:.1f} ms / the stack's {median['stack_request']:.1f} ms)"
    )
    print(
        f"relay_eager_over_stack_ratio: {median['api_eager'] / median['stack']:.2f}  "
        "(every router built at init, as under SnapStart)"
    )
    if "deployed" in median:
        print(f"deployed_import_median_ms: {median['deployed']:.1f}")
        print(f"deployed_no_bytecode_import_median_ms: {median['deployed_source']:.1f}")
        print(
            f"deployed_cold_ratio: {median['deployed'] / median['api']:.2f}  "
            f"deployed_no_bytecode_ratio: {median['deployed_source'] / median['api']:.2f}  "
            "(API handler from the layer as deployed / from the warm venv; goal <= 1.10)"
        )

    print(f"\nTop {args.top} imports of the API handler by cumulative time (python -X importtime, one run):")
    print(f"  {'cumulative ms':>13}  {'self ms':>8}  module")
    for cumulative, self_us, module in importtime_top("api", lambda_env, args.top):
        print(f"  {cumulative / 1000:13.1f}  {self_us / 1000:8.1f}  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
