"""What a ComfyUI generation costs while it runs: Lambda time against the job's time.

Starts the local cloud in-process with the fake ComfyUI (tests/support/fake_comfyui.py) as
its `ComfyUIUrl`, runs a workflow with one `media.generate` whose job takes `--job-seconds`
on the server, polled every `--poll-seconds`, and reports:

* RunStep invocations and the time spent inside the RunStep handler (timed around each
  in-process invoke), as a ratio to the job's duration. A design that kept a Lambda waiting
  on the job would be busy for the whole job: ratio ≥ 1.
* State transitions (the executions' `*StateEntered` events, what Standard workflows bill),
  and per minute of job.

Prints figures; never asserts.

    .venv/bin/python tests/bench/media_wait.py [--job-seconds 20] [--poll-seconds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))

warnings.filterwarnings("ignore")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-seconds", type=float, default=20)
    parser.add_argument("--poll-seconds", type=int, default=2)
    args = parser.parse_args()
    os.chdir(ROOT)

    from fastapi.testclient import TestClient

    from fake_comfyui import TEST_NODE_ALLOW_LIST, FakeComfyUI
    from relay.api import create_app
    from relay.bootstrap import Relay
    from relay.settings import ApiSettings
    from relay_tools.local import LocalCloud

    comfy = FakeComfyUI().start()
    cloud = LocalCloud(parameters={"ComfyUIUrl": comfy.url, "ComfyUINodeAllowList": TEST_NODE_ALLOW_LIST, "LogLevel": "WARNING"})
    cloud.start()
    busy: list[float] = []
    lock = threading.Lock()
    invoke = cloud.runner.invoke

    def timed(function, event):
        started = time.perf_counter()
        try:
            return invoke(function, event)
        finally:
            if function.logical_id == "RunStepFunction":
                with lock:
                    busy.append(time.perf_counter() - started)

    cloud.runner.invoke = timed
    try:
        relay = Relay(ApiSettings())
        _, key = relay.users.create_user("bench", "bench@example.com")
        api = TestClient(create_app(relay), headers={"Authorization": f"Bearer {key}"})
        graph = {
            "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse"}},
            "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0]}},
            "99": {"class_type": "RelayFakeControl", "inputs": {"seconds": args.job_seconds}},
        }
        workflow = {
            "workflow_id": "bench-generate",
            "schema_version": "1.0",
            "steps": [
                {
                    "step_id": "make",
                    "modules": [
                        {
                            "module_id": "media.generate",
                            "inputs": {"workflow": graph, "poll_seconds": args.poll_seconds},
                            "outputs_to_state": {"job": "job"},
                        }
                    ],
                }
            ],
        }
        started = time.monotonic()
        run_id = api.post("/v1/runs", json={"workflow": workflow}).json()["run_id"]
        while (run := api.get(f"/v1/runs/{run_id}").json())["status"] not in ("completed", "error"):
            time.sleep(0.1)
        wall = time.monotonic() - started
        if run["status"] != "completed":
            print("the run failed:", run.get("error"))
            return 1
        sfn = relay.stepfunctions
        arn = relay.run_repository.get(run_id).execution_arn.rsplit(":", 1)[0]  # not in API answers
        transitions = 0
        for execution in sfn.list_executions(stateMachineArn=arn.replace(":execution:", ":stateMachine:"))["executions"]:
            if execution["name"].startswith(run_id):
                events = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
                transitions += sum(1 for e in events if e["type"].endswith("StateEntered"))
        job = run["state"]["job"]["seconds"]
        print(f"job_seconds {job:.1f}  poll_seconds {args.poll_seconds}  run_wall_seconds {wall:.1f}")
        print(
            f"runstep_invocations {len(busy)}  runstep_busy_seconds {sum(busy):.2f}  "
            f"busy_to_job_ratio {sum(busy) / job:.3f}  (a Lambda waiting on the job: >= 1)"
        )
        print(f"state_transitions {transitions}  per_job_minute {transitions / (job / 60):.0f}")
        polls = sorted(busy[1:])
        print(
            f"first_runstep_seconds {busy[0]:.3f} (cold: loads the function, uploads, queues)  "
            f"median_poll_seconds {polls[len(polls) // 2]:.3f}"
        )
        return 0
    finally:
        cloud.stop()
        comfy.stop()


if __name__ == "__main__":
    sys.exit(main())
