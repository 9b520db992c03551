"""Concurrent answers and a workshop's worth of concurrent runs on one `relay local`.

Starts the local cloud and the API (uvicorn) in-process, as `make dev` does, then:

1. `--trials` trials of `--clients` answers racing for one pause (tests/integration's
   answer race, the same check the suite's stress test makes): counts double wins, runs
   stuck at the answered pause, losers not told the winning input, event sequences with a
   gap or a duplicate.
2. `--runs` runs at once, each started and answered (two pauses) by its own client, and the
   same with a single client first as the baseline: prints p50/p95 answer latency of both
   and their ratio.

Prints figures; never asserts.

    .venv/bin/python tests/bench/concurrent_answers.py [--trials 200] [--clients 10] [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

warnings.filterwarnings("ignore")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _race(client, key: str, trials: int, clients: int) -> None:
    from answer_race import all_events, run_trial

    double, stuck, untold, bad_seq, lost, other = 0, 0, 0, 0, 0, 0
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(trials):
        trial = run_trial(client, key, clients)
        latencies += trial.latencies
        other += len(trial.other)
        double += len(trial.winners) > 1
        if trial.after is None or (trial.after["status"], trial.after["current_step"]) != ("awaiting_input", "again"):
            stuck += 1
        if trial.winners:
            value, accepted = trial.winners[0]
            untold += sum(p.get("input_id") != accepted["input_id"] for p in trial.losers)
            if trial.after is not None and trial.after["state"].get("first") != value:
                lost += 1
        seqs = [e["seq"] for e in all_events(client, trial.run_id)]
        bad_seq += seqs != list(range(1, len(seqs) + 1))
    print(f"race_trials: {trials} x {clients} concurrent answers in {time.perf_counter() - started:.0f} s")
    print(f"double_wins: {double}")
    print(f"stuck_runs: {stuck}")
    print(f"lost_answers: {lost}")
    print(f"losers_not_told_winner: {untold}")
    print(f"event_seq_gaps_or_duplicates: {bad_seq}")
    print(f"answers_neither_202_nor_409: {other}")
    print(f"race_answer_p95_ms: {_percentile(latencies, 0.95) * 1000:.0f}")


def _one_run(base_url: str, key: str, template: str, latencies: list[float], lock: threading.Lock) -> None:
    import httpx

    from polling import wait_for_status

    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        run_id = http.post("/v1/runs", json={"template_name": template}).json()["run_id"]
        for step_id in ("ask", "again"):
            wait_for_status(http, run_id, "awaiting_input", timeout=120)
            started = time.perf_counter()
            response = http.post(f"/v1/runs/{run_id}/input", json={"step_id": step_id, "value": "x"})
            elapsed = time.perf_counter() - started
            assert response.status_code == 202, response.text
            with lock:
                latencies.append(elapsed)
        wait_for_status(http, run_id, "completed", timeout=120)


def _workshop(base_url: str, key: str, template: str, runs: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=_one_run, args=(base_url, key, template, latencies, lock)) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import httpx

    from answer_race import TWO_PAUSES
    from relay_tools.local import LocalCloud
    from servers import serving

    # Each race trial leaves its run paused: one user holds hundreds of active runs, far past
    # the default per-user quotas (docs/quotas.md), which this bench does not measure.
    quotas = {"QuotaActiveRuns": 100_000, "QuotaRunsPerDay": 1_000_000}
    cloud = LocalCloud(parameters={"LogLevel": "WARNING", **quotas})
    cloud.start()  # sets the local environment (no EMF metrics) before the app is imported
    from relay.api import create_app
    from relay.bootstrap import Relay
    from relay.settings import ApiSettings

    relay = Relay(ApiSettings())
    _, key = relay.users.create_user("bench", "bench@example.com")
    with serving(create_app(relay)) as url:
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        client.post("/v1/templates", json={"workflow": TWO_PAUSES})
        _race(client, key, args.trials, args.clients)

        single = _workshop(url, key, TWO_PAUSES["workflow_id"], 1) + _workshop(url, key, TWO_PAUSES["workflow_id"], 1)
        started = time.perf_counter()
        many = _workshop(url, key, TWO_PAUSES["workflow_id"], args.runs)
        elapsed = time.perf_counter() - started
        print(f"workshop: {args.runs} concurrent runs, each answered twice by its own client, in {elapsed:.1f} s")
        print(f"answer_p50_ms: {statistics.median(many) * 1000:.0f} (one client alone: {statistics.median(single) * 1000:.0f})")
        print(f"answer_p95_ms: {_percentile(many, 0.95) * 1000:.0f} (one client alone: {_percentile(single, 0.95) * 1000:.0f})")
        print(f"answer_p95_ratio_{args.runs}_vs_1: {_percentile(many, 0.95) / _percentile(single, 0.95):.2f}")
        client.close()
    cloud.stop()


if __name__ == "__main__":
    main()
