"""The client's figures: how light the `relay` command is, and what driving a run through it
costs against driving the same run by raw HTTP.

1. `relay --help` and `relay runs list` wall time, each as a ratio to `python -c "import httpx"`
   (the floor of any httpx client), measured alternately in the same run; medians.
2. The README's 3-step greeting run (two pauses) through `relay run … --answer ask=Ada
   --answer pick=warm --no-input` (the event stream tells it when to answer) against the same
   run driven by raw HTTP calls from this process (submit, start, poll GET /v1/runs/{id} until
   each pause, answer, poll until completed), alternately; ratios of the medians. The raw
   driver is measured polling every 0.1 s (a tight loop) and every 1 s (the event stream's own
   cadence on the server, RELAY_EVENT_STREAM_POLL_SECONDS).

Against a real `relay local` on free ports. Prints `name: value` lines; never asserts.

    .venv/bin/python tests/bench/cli.py [--reps 9] [--run-reps 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RELAY = str(Path(sys.executable).parent / "relay")
DEV_KEY = "rk_bench_cli_dev_key_0123456789ab"
GREETING = {"workflow_id": "greeting", "schema_version": "1.0", "steps": [
    {"step_id": "ask", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Your name?", "max_length": 40},
                                    "outputs_to_state": {"value": "name"}}]},
    {"step_id": "pick", "modules": [{"module_id": "user.select", "inputs": {"prompt": "Tone?", "options": ["warm", "formal"]},
                                     "outputs_to_state": {"value": "tone"}}]},
    {"step_id": "write", "modules": [{"module_id": "transform.format", "inputs": {
        "template": "Hello {name} ({tone})", "values": {"name": "$state.name", "tone": "$state.tone"}},
        "outputs_to_state": {"value": "greeting"}}]}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_local() -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "AWS_", "MOTO_"))}
    process = subprocess.Popen([RELAY, "local", "--port", str(port)], cwd=ROOT, env={**env, "RELAY_DEV_API_KEY": DEV_KEY},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(450):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("relay local did not start")


def timed(argv: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def wait_for(api: httpx.Client, run_id: str, status: str, step: str | None, poll: float) -> None:
    while True:
        run = api.get(f"/v1/runs/{run_id}").json()
        if run["status"] == status and (step is None or run["current_step"] == step):
            return
        if run["status"] in ("error", "cancelled"):
            raise SystemExit(f"raw run ended {run['status']}")
        time.sleep(poll)


def raw_run(url: str, key: str, poll: float) -> float:
    start = time.perf_counter()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as api:
        api.post("/v1/templates", json={"workflow": GREETING}).raise_for_status()
        run_id = api.post("/v1/runs", json={"template_name": "greeting"},
                          headers={"Idempotency-Key": str(uuid.uuid4())}).json()["run_id"]
        for step, value in (("ask", "Ada"), ("pick", "warm")):
            wait_for(api, run_id, "awaiting_input", step, poll)
            api.post(f"/v1/runs/{run_id}/input", json={"step_id": step, "value": value}).raise_for_status()
        wait_for(api, run_id, "completed", None, poll)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--run-reps", type=int, default=5)
    args = parser.parse_args()
    process, url = start_local()
    try:
        made = httpx.post(f"{url}/v1/admin/users", headers={"Authorization": f"Bearer {DEV_KEY}"},
                          json={"username": "bench", "email": "bench@example.com"}).json()
        key = made["api_key"]
        work = tempfile.mkdtemp(prefix="relay-bench-cli-")
        (Path(work) / "greeting").mkdir()
        (Path(work) / "greeting" / "workflow.json").write_text(json.dumps(GREETING))
        env = {**os.environ, "RELAY_URL": url, "RELAY_API_KEY": key, "RELAY_CONFIG_DIR": work}
        commands = {"import_httpx": [sys.executable, "-c", "import httpx"], "relay_help": [RELAY, "--help"],
                    "relay_runs_list": [RELAY, "runs", "list"]}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.reps):
            for name, argv in commands.items():
                times[name].append(timed(argv, env, work))
        base = statistics.median(times["import_httpx"])
        print(f"import_httpx_seconds: {base:.3f}")
        for name in ("relay_help", "relay_runs_list"):
            print(f"{name}_seconds: {statistics.median(times[name]):.3f}")
            print(f"{name}_over_import_httpx: {statistics.median(times[name]) / base:.2f}   (goal <= 1.5)")
        cli = [RELAY, "run", "greeting", "--answer", "ask=Ada", "--answer", "pick=warm", "--no-input"]
        runs: dict[str, list[float]] = {"cli": [], "raw_0.1": [], "raw_1.0": []}
        timed(cli, env, work)  # warm: the template's first version, the functions' first invocations
        for _ in range(args.run_reps):
            runs["cli"].append(timed(cli, env, work))
            runs["raw_0.1"].append(raw_run(url, key, 0.1))
            runs["raw_1.0"].append(raw_run(url, key, 1.0))
        cli_median = statistics.median(runs["cli"])
        print(f"relay_run_seconds: {cli_median:.2f}")
        for poll in ("0.1", "1.0"):
            raw = statistics.median(runs[f"raw_{poll}"])
            print(f"raw_http_poll_{poll}s_seconds: {raw:.2f}")
            print(f"relay_run_over_raw_http_poll_{poll}s: {cli_median / raw:.2f}   (goal <= 1.2)")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
