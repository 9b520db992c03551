"""LLM step benchmark: what the api.llm step costs around one provider call, and what loading the
provider SDKs lazily saves the step function's cold start. Prints `name: value` lines; ratios
are the figures (both sides measured in the same run), milliseconds are for information.

1. Overhead per call. The fake OpenAI server of tests/support (loopback, answering at once)
   is called, interleaved, many times by
   - `sdk`: the openai SDK directly: one `OpenAI` client, `responses.create` with the same
     parameters our provider sends (relay.runtime.providers.openai_provider.build_params);
   - `step`: our step as RunStep runs it, minus the run's own commit: the interpreter
     (`advance`) running a one-module workflow whose api.llm step goes through RunLlm and
     LlmService to the OpenAI provider (its cached SDK client), validates inputs, builds the
     messages, normalises usage and prices the call, and records it (ApiCall + bodies) in
     in-memory stores;
   - `step_own`: the same step with the provider replaying a reply it got from the server
     once: everything the step does except the round trip (its own cost);
   - `step_moto` (not with --no-moto): the same, with the record written through boto3 to
     ApiCallsTable in moto in-process (the serialisation path RunStep takes; moto's own speed
     is part of this figure, so read it as an upper bound).
   `llm_step_overhead_ratio` = median(step) / median(sdk); `step_own_over_sdk_ratio` =
   median(step_own) / median(sdk), the share the step adds to one call (noise-free, as the
   round trip's own variation is larger than the difference).

2. Cold import of the step function (functions/run_step/app.py, as cold_start.py times it: a
   fresh interpreter per measurement, the Lambda environment, the layer first on sys.path),
   `lazy` as it is (the SDKs load on the first call) against `eager`: the same after
   `import openai, anthropic, jsonschema`, as a handler importing its providers at module level
   would. Interleaved; medians. `step_import_eager_over_lazy_ratio` = eager / lazy.

    .venv/bin/python tests/bench/llm_step.py [--calls 400] [--imports 9] [--no-moto]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "relay"))
sys.path.insert(0, str(ROOT / "tests" / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

MODEL = "gpt-5-mini"
PROMPT = "Three words for a calm morning."


class _Calls:
    """ApiCallRepository's `put`, in memory."""

    def __init__(self) -> None:
        self.count = 0

    def put(self, call: Any) -> None:
        self.count += 1


class _Bodies:
    def put_json(self, key: str, value: Any, retention: str) -> None:
        raise AssertionError("bodies this small stay inline")

    def put_image_once(self, key: str, data: bytes, media_type: str, retention: str) -> None:
        raise AssertionError("no images in this benchmark")


def _service(base_url: str, calls: Any, storage: Any) -> Any:
    from relay.runtime.services.llm import LlmConfig, LlmService

    config = LlmConfig(
        keys_secret="bench",
        base_urls={"openai": base_url},
        timeout_seconds=30,
        max_retries=0,
        default_provider="openai",
        default_models={"openai": MODEL},
    )
    return LlmService(calls, storage, None, None, None, config, keys=lambda name: {"openai_api_key": "sk-bench"})


def _replaying(service: Any) -> Any:
    """The same service whose OpenAI provider answers with a reply it got from the fake server
    once, without the round trip: what is left is the step's own work."""
    from relay.runtime.providers import LlmRequest, Message
    from relay.runtime.services.llm import LlmService

    real = service.provider("openai")
    reply = real.complete(LlmRequest(MODEL, [Message("user", [PROMPT])], None, None, None))
    replaying = LlmService.__new__(LlmService)
    replaying.__dict__.update(service.__dict__)
    replaying.provider = lambda name: SimpleNamespace(complete=lambda request: reply)
    return replaying


def _workflow() -> Any:
    from relay.workflows import Workflow

    return Workflow.model_validate(
        {
            "workflow_id": "bench",
            "schema_version": "1.0",
            "steps": [
                {
                    "step_id": "ask",
                    "modules": [
                        {
                            "module_id": "api.llm",
                            "inputs": {"provider": "openai", "model": MODEL, "messages": [{"role": "user", "content": PROMPT}]},
                            "outputs_to_state": {"text": "answer"},
                        }
                    ],
                }
            ],
        }
    )


def _step(service: Any, workflow: Any) -> Any:
    from relay.domain import Cursor
    from relay.runtime.engine import advance
    from relay.runtime.modules.capabilities import Capabilities
    from relay.runtime.services.run_llm import RunLlm

    run = SimpleNamespace(run_id="run_bench", user_id="usr_bench", model_preferences=None)

    def once() -> None:
        result = advance(
            workflow,
            run_id=run.run_id,
            project_name=None,
            inputs={},
            state={},
            cursor=Cursor(),
            pending=None,
            answer=None,
            default_timeout_seconds=60,
            capabilities=Capabilities(llm=RunLlm(service, run, "corr-bench")),
        )
        if result.outcome != "completed" or not result.state.get("answer"):
            raise RuntimeError(f"the step did not complete: {result.outcome} {result.error}")

    return once


def _sdk(base_url: str) -> Any:
    import openai

    from relay.runtime.providers import LlmRequest, Message
    from relay.runtime.providers.openai_provider import build_params

    client = openai.OpenAI(api_key="sk-bench", base_url=base_url, max_retries=0, timeout=30)
    params = build_params(LlmRequest(MODEL, [Message("user", [PROMPT])], None, None, None))

    def once() -> None:
        if not client.responses.create(**params).output_text:
            raise RuntimeError("no text")

    return once


def _moto_stores() -> tuple[Any, Any, Any]:
    import boto3
    from moto import mock_aws

    from relay.adapters.api_calls import ApiCallRepository, ApiCallStorage
    from relay_tools.local.cfn import load_template

    mock = mock_aws()
    mock.start()
    table = load_template(ROOT / "template.yaml")["Resources"]["ApiCallsTable"]["Properties"]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName="api-calls",
        BillingMode=table["BillingMode"],
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        LocalSecondaryIndexes=table["LocalSecondaryIndexes"],
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="artifacts")
    return mock, ApiCallRepository(dynamodb, "api-calls"), ApiCallStorage(s3, "artifacts")


def _timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def overhead(calls: int, with_moto: bool) -> dict[str, float]:
    from fake_providers import FakeProviders

    fake = FakeProviders().start()
    mock = None
    try:
        base_url = fake.openai_base_url
        workflow = _workflow()
        memory = _Calls()
        service = _service(base_url, memory, _Bodies())
        runners = {"sdk": _sdk(base_url), "step": _step(service, workflow), "step_own": _step(_replaying(service), workflow)}
        if with_moto:
            mock, repository, storage = _moto_stores()
            runners["step_moto"] = _step(_service(base_url, repository, storage), workflow)
        times: dict[str, list[float]] = {name: [] for name in runners}
        for _ in range(20):  # warm-up: connections, first SDK use, pydantic caches
            for run in runners.values():
                run()
        names = list(runners)
        for i in range(calls):
            for name in names[i % len(names) :] + names[: i % len(names)]:  # each goes first in turn
                times[name].append(_timed(runners[name]))
        if memory.count != 2 * (20 + calls):
            raise RuntimeError(f"{memory.count} calls recorded, {2 * (20 + calls)} made")
        medians = {name: statistics.median(values) for name, values in times.items()}
        # the same iteration's two calls, paired: less noise than a difference of medians
        medians["paired_overhead"] = statistics.median(s - d for s, d in zip(times["step"], times["sdk"], strict=True))
        return medians
    finally:
        if mock is not None:
            mock.stop()
        fake.stop()


def cold_imports(runs: int) -> dict[str, float]:
    import cold_start

    lazy = cold_start.code_for("step")
    eager = lazy.replace("t0 = time.perf_counter()\n", "t0 = time.perf_counter()\nimport openai, anthropic, jsonschema\n", 1)
    assert eager != lazy
    env = cold_start.child_env("step", True)
    import subprocess

    def measure(code: str) -> float:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        for line in reversed(result.stdout.splitlines()):
            if line.startswith("elapsed_ms="):
                return float(line.split("=", 1)[1])
        raise RuntimeError(f"the step function's import failed (exit {result.returncode}):\n{result.stderr[-3000:]}")

    check = subprocess.run(
        [sys.executable, "-c", lazy + "\nprint(sorted(m for m in ('openai', 'anthropic', 'jsonschema') if m in sys.modules))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "[]" not in check.stdout:
        raise RuntimeError(f"the step function imports an SDK at init: {check.stdout} {check.stderr[-2000:]}")
    measure(lazy), measure(eager)  # warm-up: .pyc files
    times: dict[str, list[float]] = {"lazy": [], "eager": []}
    for _ in range(runs):
        times["lazy"].append(measure(lazy))
        times["eager"].append(measure(eager))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--imports", type=int, default=9)
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args()

    medians = overhead(args.calls, not args.no_moto)
    print(f"calls: {args.calls} per variant, interleaved, fake OpenAI server on loopback")
    print(f"sdk_call_ms: {medians['sdk']:.3f}")
    print(f"step_call_ms: {medians['step']:.3f}")
    print(f"llm_step_overhead_ratio: {medians['step'] / medians['sdk']:.2f}")
    print(f"step_overhead_ms: {medians['paired_overhead']:.3f}   (median of step - sdk, paired per iteration)")
    print(f"step_own_ms: {medians['step_own']:.3f}   (the step with the reply replayed: no round trip)")
    print(f"step_own_over_sdk_ratio: {medians['step_own'] / medians['sdk']:.3f}")
    if "step_moto" in medians:
        print(f"step_with_moto_record_ms: {medians['step_moto']:.3f}")
        print(f"llm_step_moto_record_ratio: {medians['step_moto'] / medians['sdk']:.2f}")

    if args.imports < 1:
        return 0
    imports = cold_imports(args.imports)
    print(f"step_import_runs: {args.imports} each, fresh interpreters, interleaved")
    print(f"step_import_lazy_ms: {imports['lazy']:.1f}")
    print(f"step_import_eager_ms: {imports['eager']:.1f}")
    print(f"step_import_eager_over_lazy_ratio: {imports['eager'] / imports['lazy']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
