"""The client's figures: how light the `relay` command is, and what driving a run through it
costs against driving the same run by raw HTTP.

1. `relay --help` and `relay runs list` wall time, each as a ratio to `python -c "import httpx"`
   (the floor of any httpx client), measured alternately in the same run; medians.
2. The README's 3-step greeting run (two pauses) through `relay run … --answer ask=Ada
   --answer pick=warm --no-input` (the event stream tells it when to answer) against the same
   run driven by raw HTTP calls from this process (submit, start, poll GET /v1/runs/{id} until
   each pause, answer, poll until completed), alternately; ratios of the medians. The raw
   driver is measured polling every 0.1 s (a tight loop, the server's event stream's own
   cadence while a run moves: RELAY_EVENT_STREAM_MIN_POLL_SECONDS) and every 1 s (a patient
   script). The CLI pays its process start (`relay --help`'s time) besides; this process's
   raw driver has httpx imported already.

Against a real `relay local` on free ports. Prints `name: value` lines; never asserts.

    .venv/bin/python tests/bench/cli.py [--reps 9] [--run-reps 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from client_setup import GREETING, new_user, write_greeting  # noqa: E402
from relay_local import RELAY, relay_local  # noqa: E402


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
        run_id = api.post("/v1/runs", json={"template_name": "greeting"}, headers={"Idempotency-Key": str(uuid.uuid4())}).json()[
            "run_id"
        ]
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
    with relay_local() as server, tempfile.TemporaryDirectory(prefix="relay-bench-cli-") as home:
        user = new_user(server, Path(home), prefix="bench")
        write_greeting(user.home)
        env, work = user.env(), str(user.home)
        commands = {
            "import_httpx": [sys.executable, "-c", "import httpx"],
            "relay_help": [RELAY, "--help"],
            "relay_runs_list": [RELAY, "runs", "list"],
        }
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
            runs["raw_0.1"].append(raw_run(user.url, user.key, 0.1))
            runs["raw_1.0"].append(raw_run(user.url, user.key, 1.0))
        cli_median = statistics.median(runs["cli"])
        print(f"relay_run_seconds: {cli_median:.2f}")
        for poll in ("0.1", "1.0"):
            raw = statistics.median(runs[f"raw_{poll}"])
            print(f"raw_http_poll_{poll}s_seconds: {raw:.2f}")
            print(f"relay_run_over_raw_http_poll_{poll}s: {cli_median / raw:.2f}   (goal <= 1.2)")


if __name__ == "__main__":
    main()
