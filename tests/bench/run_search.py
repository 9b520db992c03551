"""Run search figures: page 1 of `GET /v1/runs?q=` stays flat as my runs grow.

In-process moto (no server), the RunSearch and Runs tables created from template.yaml's
definitions and seeded with what a run's start writes (run_index.index_puts, the run item).
One user; every run has the word `common`, one in 100 also `rare`:

1. Page 1 (20) of `q=common`, with `--runs` runs stored against 100: the ratio of items
   DynamoDB reads for the page (Query on the word, BatchGetItem of the runs), and of moto's
   times (a base-table Query reads only its partition in moto too).
2. `q=common rare` (AND): each word counted up to PROBE_LIMIT, the rarest read, the other
   checked by BatchGetItem: items read and calls for page 1.
3. `q=common&status=completed` where half the runs completed: items read for page 1.
4. What a start writes: index items for the README's greeting run.

Prints `name: value` lines; never asserts.

    .venv/bin/python tests/bench/run_search.py [--runs 10000] [--reps 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
warnings.filterwarnings("ignore")


class Counting:
    """A DynamoDB client that counts calls and the items its reads return."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.items = 0
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**kwargs: Any) -> Any:
            response = method(**kwargs)
            self.calls[name] = self.calls.get(name, 0) + 1
            # what DynamoDB reads (and bills): ScannedCount, also for Select=COUNT
            self.items += response.get("ScannedCount", len(response.get("Items", [])))
            self.items += sum(len(v) for v in response.get("Responses", {}).values())
            return response

        return call


def _create(client: Any, template: dict[str, Any], logical_id: str, name: str) -> None:
    from relay_tools.local.deployer import create_table  # the layer is on sys.path by then (main)

    create_table(client, name, template["Resources"][logical_id]["Properties"])


def _batch_put(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        chunk = items[start : start + 25]
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}} for item in chunk]})


def _seed(client: Any, index: Any, user_id: str, count: int, offset: int) -> None:
    from relay.adapters.dynamo import to_item
    from relay.adapters.run_index import index_puts
    from relay.domain import Run, RunStatus

    runs, words = [], []
    for i in range(offset, offset + count):
        status = RunStatus.completed if i % 2 else RunStatus.awaiting_input
        run = Run(
            run_id=f"run_{user_id[4:]}{i:07d}",
            user_id=user_id,
            template_id="tpl_bench",
            template_name="bench",
            initial_version_id="ver_bench",
            current_version_id="ver_bench",
            project_name=f"common {i}",
            status=status,
            created_at=f"2026-01-01T00:00:00.{i:06d}Z",
            updated_at="2026-01-01T00:00:00.000000Z",
        )
        record = run.model_dump(mode="json")
        record["user_status"] = f"{user_id}#{status.value}"
        runs.append(to_item(record))
        texts = ["common", "bench"] + (["rare"] if i % 100 == 0 else [])
        words += [op["Put"]["Item"] for op in index_puts("search", run, texts)]
    _batch_put(client, "runs", runs)
    _batch_put(client, "search", words)


def _median_time(fn: Any, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()

    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sys.path.insert(0, str(ROOT / "layers" / "relay"))
    import boto3
    from moto import mock_aws

    from relay.adapters.run_index import RunIndex
    from relay.domain import RunStatus, User
    from relay.services.run_search import RunFilters, RunSearchService
    from relay_tools.local.cfn import load_template

    template = load_template(ROOT / "template.yaml")
    with mock_aws():
        raw = boto3.client("dynamodb", region_name="us-east-1")
        _create(raw, template, "RunSearchTable", "search")
        _create(raw, template, "RunsTable", "runs")
        seeding = RunIndex(raw, "search", "runs")
        small, large = (
            User(user_id="usr_small", username="s", email="s@x.io", created_at="x"),
            User(user_id="usr_large", username="l", email="l@x.io", created_at="x"),
        )
        _seed(raw, seeding, small.user_id, 100, 0)
        _seed(raw, seeding, large.user_id, args.runs, 0)
        counting = Counting(raw)
        service = RunSearchService(RunIndex(counting, "search", "runs"))

        def page(user: User, **filters: Any) -> tuple[int, dict[str, int], int]:
            counting.items, counting.calls = 0, {}
            runs, _ = service.find(user, RunFilters(**filters), None, 20)
            return counting.items, dict(counting.calls), len(runs)

        small_items, _, _ = page(small, q="common")
        large_items, large_calls, found = page(large, q="common")
        print(f"runs: {args.runs} (against 100)")
        print(f"page1_items_ratio: {large_items / small_items:.2f}   ({large_items} items, calls {large_calls}, {found} runs)")
        small_time = _median_time(lambda: service.find(small, RunFilters(q="common"), None, 20), args.reps)
        large_time = _median_time(lambda: service.find(large, RunFilters(q="common"), None, 20), args.reps)
        print(f"page1_time_ratio: {large_time / small_time:.2f}")
        items, calls, found = page(large, q="common rare")
        print(f"and_query_page1_items: {items}   (calls {calls}, {found} runs on the page)")
        items, calls, found = page(large, q="common", status=RunStatus.completed)
        print(f"status_filter_page1_items: {items}   (calls {calls}, {found} runs on the page)")

        from relay.domain.search import MAX_WORDS_AT_START, collect, strings_in, workflow_prompts

        greeting = {
            "steps": [
                {"modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Your name?"}}]},
                {"modules": [{"module_id": "user.select", "inputs": {"prompt": "Tone?"}}]},
            ]
        }
        words = collect(["demo", "greeting", *strings_in({}), *workflow_prompts(greeting)], MAX_WORDS_AT_START)
        print(f"greeting_start_index_items: {len(words)}   ({', '.join(words)}; the cap is {MAX_WORDS_AT_START})")


if __name__ == "__main__":
    main()
