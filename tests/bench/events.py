"""Event-history figures: branch rebuilds and run listing stay flat as history grows.

In-process moto (no server), tables created from template.yaml's definitions and seeded
directly with what RunRepository writes:

1. Rebuild for a branch at event N of one 10,000-event run (200 steps of 48 modules each: a
   step snapshot every 50 events), as a ratio to the rebuild at event 10 of the same run:
   find the event (ByEventId), read back to the nearest snapshot (ByBranch, newest first, in
   pages of 10, 20, 40 …), replay the module outputs, place the cursor: what POST /branches
   does before it commits. Three ratios: the items DynamoDB returns (its work and bill), the
   replay's time (Relay's part: items → events → state and cursor), and the whole rebuild's
   time in moto (which answers every GSI Query by scanning the table, the same 10,000 events
   for any N, so this one says little about DynamoDB).
2. Page 1 (20) of my runs, newest first (ByUser), with 100,000 runs stored against 100.
   Prints the ratio of items DynamoDB returned per page and the ratio of moto's times. moto
   answers every GSI Query by scanning the whole table (moto/dynamodb/models/table.py,
   Table.query), so its time grows with the table where DynamoDB reads only the page; the
   item counts are what DynamoDB reads (and bills) for the page.

Prints `name: ratio` lines; never asserts.

    .venv/bin/python tests/bench/events.py [--runs 100000] [--events 10000] [--reps 30]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
warnings.filterwarnings("ignore")

MODULES_PER_STEP = 48


class Counting:
    """A DynamoDB client that counts the items its reads return."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.items = 0
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**kwargs: Any) -> Any:
            response = method(**kwargs)
            self.calls += 1
            self.items += len(response.get("Items", [])) + (1 if "Item" in response else 0)
            return response

        return call


def _create(client: Any, template: dict[str, Any], logical_id: str, name: str) -> None:
    from relay_tools.local.deployer import create_table  # the layer is on sys.path by then (main)

    create_table(client, name, template["Resources"][logical_id]["Properties"])


def _batch_put(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        chunk = items[start : start + 25]
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}} for item in chunk]})


def _workflow(steps: int) -> Any:
    from relay.workflows import Workflow

    modules = [
        {
            "module_id": "transform.format",
            "inputs": {"template": f"m{j}-{{x}}", "values": {"x": f"$state.k{(j + 7) % 8}"}},
            "outputs_to_state": {"value": f"k{j % 8}"},
        }
        for j in range(MODULES_PER_STEP)
    ]
    return Workflow.model_validate(
        {
            "workflow_id": "bench",
            "schema_version": "1.0",
            "steps": [{"step_id": f"s{i}", "modules": modules} for i in range(steps)],
        }
    )


def _seed_events(client: Any, table: str, run_id: str, total: int) -> list[str]:
    """run_created, then per step: step_started, 48 module_completed, step_completed (its
    state snapshot). Returns the event ids in seq order."""
    from relay.adapters.dynamo import to_item
    from relay.domain import Event

    state = {f"k{k}": "" for k in range(8)}
    raw: list[tuple[str, str | None, dict[str, Any]]] = [("run_created", None, {"inputs": dict(state)})]
    step = 0
    while len(raw) < total:
        raw.append(("step_started", f"s{step}", {"step_index": step}))
        for j in range(MODULES_PER_STEP):
            value = f"m{j}-{state[f'k{(j + 7) % 8}']}"[:64]
            state[f"k{j % 8}"] = value
            raw.append(
                (
                    "module_completed",
                    f"s{step}",
                    {"module_index": j, "module_id": "transform.format", "outputs": {"value": value}},
                )
            )
        raw.append(("step_completed", f"s{step}", {"step_index": step, "state": dict(state)}))
        step += 1
    raw = raw[:total]
    items, ids = [], []
    for seq, (kind, step_id, data) in enumerate(raw, start=1):
        record = Event(
            run_id=run_id,
            seq=seq,
            event_id=f"evt_{seq:012d}",
            event_type=kind,
            branch_id="main",
            workflow_version_id="ver_bench",
            correlation_id="corr_bench",
            step_id=step_id,
            data=data,
            timestamp="2025-01-01T00:00:00.000000Z",
        ).model_dump()
        record["run_branch"] = f"{run_id}#main"
        items.append(to_item(record))
        ids.append(record["event_id"])
    _batch_put(client, table, items)
    return ids


def _seed_runs(client: Any, table: str, user_id: str, count: int) -> None:
    from relay.adapters.runs import RunRepository
    from relay.domain import Run

    repository = RunRepository(client, table, "unused", "unused")
    items = []
    for i in range(count):
        stamp = f"2025-01-01T00:00:00.{i:06d}Z" if i < 1_000_000 else "2025-01-02T00:00:00.000000Z"
        run = Run(
            run_id=f"run_{user_id[4:]}{i:08d}",
            user_id=user_id,
            template_id="tpl_bench",
            template_name="bench",
            initial_version_id="ver_bench",
            current_version_id="ver_bench",
            project_name=f"project {i}",
            inputs={"topic": f"t{i}"},
            state={"topic": f"t{i}"},
            created_at=stamp,
            updated_at=stamp,
        )
        items.append(repository._run_item(run))
    _batch_put(client, table, items)


def _history_items(client: Any, event: Any) -> list[dict[str, Any]]:
    """The items BranchRepository.history_to reads for `event` (same query, same pages)."""
    from relay.domain.rebuild import SNAPSHOT_EVENTS

    kwargs: dict[str, Any] = {
        "TableName": "events",
        "IndexName": "ByBranch",
        "ScanIndexForward": False,
        "Limit": 10,
        "KeyConditionExpression": "run_branch = :rb AND seq <= :seq",
        "ExpressionAttributeValues": {":rb": {"S": f"{event.run_id}#{event.branch_id}"}, ":seq": {"N": str(event.seq)}},
    }
    items: list[dict[str, Any]] = []
    while True:
        response = client.query(**kwargs)
        for item in response["Items"]:
            items.append(item)
            if item["event_type"]["S"] in SNAPSHOT_EVENTS:
                return items[::-1]
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        kwargs["Limit"] = min(kwargs["Limit"] * 2, 500)


def _ratio(measured: Any, base: Any, reps: int) -> float:
    """Median time of `measured` over median time of `base`, timed alternately (so drift in
    the process, e.g. a growing heap, falls on both)."""
    measured(), base()  # warm
    a, b = [], []
    for _ in range(reps):
        for fn, times in ((measured, a), (base, b)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(a) / statistics.median(b)


def _median_time(fn: Any, reps: int) -> float:
    fn()  # warm
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()

    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sys.path.insert(0, str(ROOT / "layers" / "relay"))
    import boto3
    from moto import mock_aws

    from relay.adapters.branches import BranchRepository
    from relay.adapters.runs import RunRepository
    from relay.domain.rebuild import SNAPSHOT_EVENTS, cursor_after, state_at
    from relay_tools.local.cfn import load_template

    template = load_template(ROOT / "template.yaml")
    with mock_aws():
        raw = boto3.client("dynamodb", region_name="us-east-1")
        _create(raw, template, "EventsTable", "events")
        _create(raw, template, "BranchesTable", "branches")
        steps = -(-args.events // (MODULES_PER_STEP + 2))
        workflow = _workflow(steps)
        ids = _seed_events(raw, "events", "run_bench", args.events)
        counting = Counting(raw)
        branches = BranchRepository(counting, "branches", "events")

        def rebuild(n: int) -> Any:
            event = branches.find_event("run_bench", ids[n - 1])
            state = state_at(branches.history_to(event, SNAPSHOT_EVENTS), lambda v: workflow)
            return state, cursor_after(event, workflow)

        def reads(n: int) -> int:
            counting.items = 0
            rebuild(n)
            return counting.items

        def replay(n: int) -> Any:
            """What Relay does with what DynamoDB returned (items → events, the replay, the
            cursor), without moto's query time."""
            event = branches.find_event("run_bench", ids[n - 1])
            items = _history_items(raw, event)
            return lambda: (
                state_at([BranchRepository._event(i) for i in items], lambda v: workflow),
                cursor_after(event, workflow),
            )

        # Event 10 is 9 events after its snapshot (run_created); the N compared with it are too
        # (9 after a step_completed), so the ratios show what the run's length costs. The last
        # lines are the longest way back a step of this workflow has (49 events).
        per_step = MODULES_PER_STEP + 2
        near = lambda target: 1 + per_step * ((target - 10) // per_step) + 9  # noqa: E731
        worst = near(args.events - 10) - 9 + per_step - 1
        worst = worst - per_step if worst > args.events else worst
        base_reads = reads(10)
        for n, label in [
            (near(args.events // 10), ""),
            (near(args.events // 2), ""),
            (near(args.events - 10), ""),
            (worst, "_49_events_after_its_snapshot"),
        ]:
            print(f"rebuild_at_{n}{label}_vs_10_items_read: {reads(n) / base_reads:.2f}")
            print(f"rebuild_at_{n}{label}_vs_10_replay_time: {_ratio(replay(n), replay(10), args.reps * 10):.2f}")
            in_moto = _ratio(functools.partial(rebuild, n), functools.partial(rebuild, 10), args.reps)
            print(f"rebuild_at_{n}{label}_vs_10_time_in_moto: {in_moto:.2f}")

        _create(raw, template, "RunsTable", "runs_small")
        _create(raw, template, "RunsTable", "runs_large")
        _seed_runs(raw, "runs_small", "usr_small", 100)
        _seed_runs(raw, "runs_large", "usr_large", args.runs)
        figures = {}
        for label, table, user in (("small", "runs_small", "usr_small"), ("large", "runs_large", "usr_large")):
            repository = RunRepository(counting, table, "events", "unused")
            page = functools.partial(repository.list_for_user, user, None, None, 20)
            counting.items = 0
            runs, cursor = page()
            assert len(runs) == 20 and cursor
            figures[label] = (_median_time(page, 3), counting.items)
        print(f"list_runs_page1_{args.runs}_vs_100_items_read: {figures['large'][1] / figures['small'][1]:.2f}")
        print(
            f"list_runs_page1_{args.runs}_vs_100_time_in_moto: {figures['large'][0] / figures['small'][0]:.2f}"
            "  (moto scans the table for every GSI Query; DynamoDB reads only the page)"
        )


if __name__ == "__main__":
    main()
