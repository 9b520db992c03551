"""Per-run AWS usage and list-price cost of a 5-step workflow with one pause.

Starts the local cloud in-process (template.yaml deployed into moto, Lambda invokes answered
in-process), builds the same FastAPI app the ApiFunction serves, and drives K runs over HTTP
(FastAPI TestClient): POST /v1/runs → wait for awaiting_input → POST /v1/runs/{id}/input →
wait for completed. For every run it reports, averaged:

* DynamoDB calls by operation, and the read/write request units they would consume;
* Step Functions API calls (the app's own: StartExecution, SendTaskSuccess, …);
* Lambda invokes by function (ApiFunction = one per API request; the others are the state
  machine's task invokes) and their measured in-process durations;
* state transitions, from the execution's history;
* list-price cost per 1,000 runs (prices below).

How it counts (so the numbers can be trusted, and where they are estimates):

* Calls: `LocalCloud(meter=True)` counts every request that reaches the local cloud
  ("service:Operation"). Snapshots are taken just before POST /v1/runs and after the
  execution has SUCCEEDED, so user creation and template submission are left out.
* Our own polling is left out *by construction*, not by subtraction: the run is polled
  through a second API app whose boto3 clients talk to a second, unmetered HTTP endpoint of
  the same moto backend. (Snapshotting around each poll would not work: the execution
  advances in background threads while we poll, so its calls would land in the poll's
  delta.) What one poll costs is measured once, at the end, when nothing else is running,
  and printed separately: a client that polls P times per run adds P × that.
* Request units: the call meter only counts calls, so a small WSGI middleware sits between
  it and moto for DynamoDB requests. It reads each request and response body and looks up
  the affected items in moto's backend before and after each write, then applies
  DynamoDB's on-demand rules: a write is ceil(max(old, new item size) / 1 KB) WRU, twice
  that inside TransactWriteItems (counted per item in the transaction); every GSI whose key
  the old or new item carries costs ceil(size / 1 KB) more per index write (two writes —
  delete + put — when the index key changes); a read is ceil(size / 4 KB) RRU (at least 1)
  if strongly consistent, half that if eventually consistent (GSI queries always are),
  twice that in TransactGetItems; a Query is charged on the total size of the items it
  returns. Item sizes follow DynamoDB's rules (names + values; numbers ~1 byte per 2
  digits + 1; 3 bytes per list/map + 1 per element) — approximately, not byte-exact.
  Failed conditional writes are charged like successful ones (as DynamoDB does).
* State transitions: Standard workflows bill each state a run enters (including Choice and
  Succeed states, and each retry). The history's `*StateEntered` events are one per state
  entered, so their count is the billed-transition proxy used here.
* Lambda duration: each handler invocation is timed in-process (the state machine's tasks
  by wrapping the local Lambda runner; the API by timing the TestClient request) and billed
  rounded up to 1 ms at its MemorySize from template.yaml (ApiFunction 1024 MB, the others
  512 MB from Globals), arm64. One warm-up run is made first and not counted, so init
  (cold-start) time is not included: on a busy system containers are warm. The durations
  include round trips to the local moto server, which is faster than real DynamoDB; the
  line `cost_per_1000_runs_usd_at_100ms` shows the cost with 100 ms per invocation instead.
* Not included: CloudWatch Logs ingestion, X-Ray traces, EMF metrics, S3 (the workflow is
  stored inline, so a run makes no S3 calls — any that appear are listed), data transfer,
  free tiers. Function log level is WARNING (template parameter LogLevel) to keep the output
  readable.

Prints figures; never asserts. `cost_per_1000_runs_usd: N.NNNN` is the headline line.

    .venv/bin/python tests/bench/run_cost.py [--runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import sys
import threading
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "relay"))

# --- us-east-1 list prices (USD), no free tier ------------------------------------------
SFN_STANDARD_PER_TRANSITION = 0.025 / 1_000  # Step Functions Standard: $0.025 per 1,000 state transitions
LAMBDA_PER_REQUEST = 0.20 / 1_000_000  # Lambda: $0.20 per 1M requests
LAMBDA_ARM64_PER_GB_SECOND = 0.0000133334  # Lambda arm64 duration (first pricing tier)
DYNAMODB_PER_WRU = 0.625 / 1_000_000  # DynamoDB on-demand: $0.625 per million write request units
DYNAMODB_PER_RRU = 0.125 / 1_000_000  # DynamoDB on-demand: $0.125 per million read request units
APIGW_HTTP_PER_REQUEST = 1.00 / 1_000_000  # API Gateway HTTP API: $1.00 per million requests
ASSUMED_DURATION_MS = 100  # for the alternative line that does not use measured durations

API_FUNCTION = "ApiFunction"
STEP_TIMEOUT_S = 30.0

DYNAMODB_READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


# --- DynamoDB item size and request units ---------------------------------------------------
def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0").rstrip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def attribute_size(value: dict[str, Any]) -> int:
    """Approximate stored size of one attribute value (DynamoDB JSON), per AWS's rules."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(len(b) * 3 // 4 for b in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_size(v) for k, v in inner.items())
    return len(json.dumps(inner))


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def _units(size: int, block: int) -> int:
    return max(1, math.ceil(size / block))


class CapacityMeter:
    """WSGI middleware (between the call meter and moto): DynamoDB request units.

    `enabled` gates counting, so only the measured windows are charged."""

    def __init__(self, app: Callable[..., Any], backend_lookup: Callable[[], Any]) -> None:
        self.app = app
        self._backend = backend_lookup
        self._lock = threading.Lock()
        self.enabled = False
        self.wru: Counter[str] = Counter()  # "table" / "gsi" / "transactional"
        self.rru = 0.0
        self.transact_items = 0
        self.failed_writes = 0

    # -- moto lookups ---------------------------------------------------------------------
    def _table(self, name: str) -> Any:
        from moto.dynamodb.exceptions import ResourceNotFoundException

        try:
            return self._backend().get_table(name)
        except ResourceNotFoundException:
            return None

    def _current(self, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        from moto.dynamodb.exceptions import DynamodbException
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = self._table(table_name)
        if table is None:
            return None
        try:
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            item = table.get_item(hash_key, range_key)
        except (KeyError, DynamodbException):  # a key attribute missing (moto refuses a missing range key)
            return None
        return json.loads(json.dumps(item.to_json()["Attributes"], default=str)) if item else None

    def _key_of(self, table_name: str, item: dict[str, Any]) -> dict[str, Any]:
        table = self._table(table_name)
        if table is None:
            return {}
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return {n: item[n] for n in names if n in item}

    def _gsi_keys(self, table_name: str) -> list[list[str]]:
        table = self._table(table_name)
        if table is None:
            return []
        return [[k["AttributeName"] for k in index.schema] for index in table.global_indexes]

    # -- writes ---------------------------------------------------------------------------
    def _write_targets(self, operation: str, request: dict[str, Any]) -> list[dict[str, Any]]:
        """(table, key, request item, transactional) of every item the write touches."""
        targets = []

        def add(table: str, key: dict[str, Any] | None, item: dict[str, Any] | None, transactional: bool) -> None:
            key = key or (self._key_of(table, item) if item else {})
            targets.append({"table": table, "key": key, "item": item, "tx": transactional})

        if operation == "PutItem":
            add(request["TableName"], None, request.get("Item"), False)
        elif operation in ("UpdateItem", "DeleteItem"):
            add(request["TableName"], request.get("Key"), None, False)
        elif operation == "BatchWriteItem":
            for table, writes in request.get("RequestItems", {}).items():
                for write in writes:
                    if "PutRequest" in write:
                        add(table, None, write["PutRequest"]["Item"], False)
                    else:
                        add(table, write["DeleteRequest"]["Key"], None, False)
        elif operation == "TransactWriteItems":
            for entry in request.get("TransactItems", []):
                ((kind, body),) = entry.items()
                add(body["TableName"], body.get("Key"), body.get("Item") if kind == "Put" else None, True)
        for target in targets:
            target["old"] = self._current(target["table"], target["key"]) if target["key"] else None
        return targets

    def _charge_write(self, target: dict[str, Any], succeeded: bool) -> None:
        old = target["old"]
        new = self._current(target["table"], target["key"]) if succeeded and target["key"] else old
        if not succeeded and target["item"] is not None:
            new = target["item"]  # a failed put is charged on the size it would have written
        size = max(item_size(old), item_size(new))
        units = _units(size, 1024)
        if target["tx"]:
            self.wru["transactional"] += 2 * units
        else:
            self.wru["table"] += units
        if not succeeded:
            return
        for key_names in self._gsi_keys(target["table"]):
            old_key = (
                tuple(json.dumps(old[k], sort_keys=True) for k in key_names) if old and all(k in old for k in key_names) else None
            )
            new_key = (
                tuple(json.dumps(new[k], sort_keys=True) for k in key_names) if new and all(k in new for k in key_names) else None
            )
            if old_key is None and new_key is None:
                continue
            if old_key is not None and new_key is not None:
                if old_key == new_key:
                    if old != new:
                        self.wru["gsi"] += _units(item_size(new), 1024)
                else:  # the entry moves: delete the old one, put the new one
                    self.wru["gsi"] += _units(item_size(old), 1024) + _units(item_size(new), 1024)
            else:
                self.wru["gsi"] += _units(item_size(new if new_key else old), 1024)

    # -- reads ----------------------------------------------------------------------------
    def _charge_read(self, operation: str, request: dict[str, Any], response: dict[str, Any]) -> None:
        if operation == "GetItem":
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            self.rru += factor * _units(item_size(response.get("Item")), 4096)
        elif operation in ("Query", "Scan"):
            consistent = request.get("ConsistentRead") and not request.get("IndexName")
            total = sum(item_size(i) for i in response.get("Items", []))
            self.rru += (1.0 if consistent else 0.5) * _units(total, 4096)
        elif operation == "BatchGetItem":
            for table, items in response.get("Responses", {}).items():
                consistent = request.get("RequestItems", {}).get(table, {}).get("ConsistentRead")
                for item in items:
                    self.rru += (1.0 if consistent else 0.5) * _units(item_size(item), 4096)
        elif operation == "TransactGetItems":
            for entry in response.get("Responses", []):
                self.rru += 2 * _units(item_size(entry.get("Item")), 4096)

    # -- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not self.enabled or not target.startswith("DynamoDB_20120810."):
            return self.app(environ, start_response)
        operation = target.partition(".")[2]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        request = json.loads(raw or b"{}")
        write_targets = self._write_targets(operation, request) if operation in DYNAMODB_WRITES else []

        status: dict[str, str] = {}

        def capture(code: str, headers: list[Any], exc_info: Any = None) -> Any:
            status["code"] = code
            return start_response(code, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        succeeded = status.get("code", "").startswith("200")
        with self._lock:
            if operation in DYNAMODB_WRITES:
                if operation == "TransactWriteItems":
                    self.transact_items += len(write_targets)
                if not succeeded:
                    self.failed_writes += 1
                for write in write_targets:
                    self._charge_write(write, succeeded)
            elif operation in DYNAMODB_READS and succeeded:
                with contextlib.suppress(ValueError):
                    self._charge_read(operation, request, json.loads(body or b"{}"))
        return [body]

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {
                "wru_table": self.wru["table"],
                "wru_transactional": self.wru["transactional"],
                "wru_gsi": self.wru["gsi"],
                "rru": self.rru,
                "transact_items": self.transact_items,
                "failed_writes": self.failed_writes,
            }


# --- the workflow ----------------------------------------------------------------------------
def _module(module_id: str, inputs: dict[str, Any], **outputs_to_state: str) -> dict[str, Any]:
    return {"module_id": module_id, "inputs": inputs, "outputs_to_state": outputs_to_state}


WORKFLOW = {
    "workflow_id": "bench-run-cost",
    "name": "5 steps, one pause",
    "schema_version": "1.0",
    "steps": [
        {
            "step_id": "intro",
            "modules": [_module("transform.format", {"template": "Topic: {t}", "values": {"t": "bench"}}, value="intro")],
        },
        {"step_id": "ask", "modules": [_module("user.text_input", {"prompt": "Your angle?", "max_length": 200}, value="angle")]},
        {
            "step_id": "draft",
            "modules": [
                _module(
                    "transform.format",
                    {"template": "{i} / {a}", "values": {"i": "$state.intro", "a": "$state.angle"}},
                    value="draft",
                )
            ],
        },
        {
            "step_id": "polish",
            "modules": [_module("transform.format", {"template": "{d}!", "values": {"d": "$state.draft"}}, value="polished")],
        },
        {
            "step_id": "final",
            "modules": [_module("transform.format", {"template": "[{p}]", "values": {"p": "$state.polished"}}, value="final")],
        },
    ],
}


class _EndpointSession:
    """Duck-typed boto3 session for Relay: clients on a given endpoint (the unmetered one)."""

    def __init__(self, endpoint_url: str) -> None:
        import boto3

        self._session = boto3.session.Session()
        self._endpoint_url = endpoint_url

    def client(self, service: str, config: Any = None) -> Any:
        return self._session.client(service, config=config, endpoint_url=self._endpoint_url)


def memory_sizes(template: Path) -> dict[str, int]:
    from relay_tools.local.cfn import load_template

    document = load_template(template)
    default = int(document.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    return {
        logical_id: int(resource.get("Properties", {}).get("MemorySize", default))
        for logical_id, resource in document["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs (default 5; one warm-up run comes first)")
    args = parser.parse_args()
    runs = max(1, args.runs)
    wall = time.monotonic()

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*httpx.*")
    os.chdir(ROOT)

    from relay_tools.local import LocalCloud

    cloud = LocalCloud(meter=True, parameters={"LogLevel": "WARNING"})
    cloud.start()
    try:
        return _bench(cloud, runs, wall)
    finally:
        cloud.stop()


def _bench(cloud: Any, runs: int, wall: float) -> int:
    from fastapi.testclient import TestClient
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from werkzeug.serving import make_server

    from relay.api import create_app
    from relay.bootstrap import Relay
    from relay.settings import ApiSettings
    from relay_tools.local.cloud import REGION

    # The metered chain is CallMeter → CapacityMeter → Lambda front → moto; the unmetered
    # endpoint (for polling and history reads) goes straight to the Lambda front.
    front = cloud.meter.app
    capacity = CapacityMeter(front, lambda: dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION])
    cloud.meter.app = capacity
    quiet = make_server(cloud.host, 0, front, threaded=True)
    quiet_thread = threading.Thread(target=quiet.serve_forever, name="unmetered", daemon=True)
    quiet_thread.start()
    quiet_url = f"http://{cloud.host}:{quiet.server_port}"

    # Time every Lambda invoke the state machine makes (the handler call only).
    durations: list[tuple[str, float]] = []
    durations_lock = threading.Lock()
    invoke = cloud.runner.invoke

    def timed_invoke(function: Any, event: Any) -> Any:
        started = time.perf_counter()
        try:
            return invoke(function, event)
        finally:
            with durations_lock:
                durations.append((function.logical_id, (time.perf_counter() - started) * 1000))

    cloud.runner.invoke = timed_invoke

    try:
        relay = Relay(ApiSettings())
        _, api_key = relay.users.create_user("bench", "bench@example.com")
        headers = {"Authorization": f"Bearer {api_key}"}
        api = TestClient(create_app(relay), headers=headers)  # metered: what the run costs
        observer_relay = Relay(ApiSettings(), session=_EndpointSession(quiet_url))
        observer = TestClient(create_app(observer_relay), headers=headers)  # unmetered: our polling
        sfn = observer_relay.stepfunctions

        submitted = api.post("/v1/templates", json={"workflow": WORKFLOW})
        if submitted.status_code not in (200, 201):
            print(f"template submission failed: {submitted.status_code} {submitted.text}")
            return 0

        def wait_status(run_id: str, wanted: str) -> dict[str, Any]:
            deadline = time.monotonic() + STEP_TIMEOUT_S
            while True:
                run = observer.get(f"/v1/runs/{run_id}").json()
                if run.get("status") == wanted:
                    return run
                if run.get("status") in ("error", "cancelled") or time.monotonic() > deadline:
                    raise RuntimeError(f"run {run_id} is {run.get('status')}, wanted {wanted}: {run}")
                time.sleep(0.01)

        def wait_execution(arn: str) -> None:
            deadline = time.monotonic() + STEP_TIMEOUT_S
            while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                if time.monotonic() > deadline:
                    raise RuntimeError(f"execution {arn} still running")
                time.sleep(0.01)

        def one_run() -> tuple[str, list[tuple[str, float]]]:
            """Start, pause, answer, complete. Returns the execution ARN and API timings."""
            api_ms = []
            started = time.perf_counter()
            response = api.post("/v1/runs", json={"template_name": WORKFLOW["workflow_id"]})
            api_ms.append(("POST /v1/runs", (time.perf_counter() - started) * 1000))
            if response.status_code != 201:
                raise RuntimeError(f"start failed: {response.status_code} {response.text}")
            run_id = response.json()["run_id"]
            paused = wait_status(run_id, "awaiting_input")
            step_id = paused["pending_input"]["step_id"]
            started = time.perf_counter()
            response = api.post(f"/v1/runs/{run_id}/input", json={"step_id": step_id, "value": "x"})
            api_ms.append(("POST /v1/runs/{id}/input", (time.perf_counter() - started) * 1000))
            if response.status_code != 202:
                raise RuntimeError(f"input failed: {response.status_code} {response.text}")
            wait_status(run_id, "completed")
            arn = observer_relay.run_repository.get(run_id).execution_arn  # not in API answers (unmetered read)
            wait_execution(arn)
            return arn, api_ms

        one_run()  # warm-up: handler imports, caches; not counted

        calls_total: Counter[str] = Counter()
        capacity_total: Counter[str] = Counter()
        transitions_total = 0
        invokes: dict[str, list[float]] = defaultdict(list)
        for _ in range(runs):
            with durations_lock:
                first = len(durations)
            calls_before, capacity.enabled = cloud.meter.snapshot(), True
            units_before = capacity.snapshot()
            arn, api_ms = one_run()
            capacity.enabled = False
            calls_total += cloud.meter.snapshot() - calls_before
            units_after = capacity.snapshot()
            capacity_total.update({k: units_after[k] - units_before[k] for k in units_after})
            with durations_lock:
                for function, ms in durations[first:]:
                    invokes[function].append(ms)
            for _, ms in api_ms:
                invokes[API_FUNCTION].append(ms)
            # Billed transitions ≈ states entered (see the module docstring).
            history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            transitions_total += sum(1 for event in history if event["type"].endswith("StateEntered"))

        # One poll, alone (nothing else running): what each GET /v1/runs/{id} adds.
        poll_calls_before, capacity.enabled = cloud.meter.snapshot(), True
        poll_units_before = capacity.snapshot()
        started = time.perf_counter()
        api.get(f"/v1/runs/{arn.rsplit(':', 1)[1]}")
        poll_ms = (time.perf_counter() - started) * 1000
        capacity.enabled = False
        poll_calls = cloud.meter.snapshot() - poll_calls_before
        poll_units_after = capacity.snapshot()
        poll_rru = poll_units_after["rru"] - poll_units_before["rru"]
    finally:
        cloud.runner.invoke = invoke
        quiet.shutdown()
        quiet.server_close()

    memory = memory_sizes(cloud.template)
    per = {k: v / runs for k, v in calls_total.items()}
    per_units = {k: v / runs for k, v in capacity_total.items()}
    transitions = transitions_total / runs

    def ops(prefix: str, names: set[str] | None = None) -> list[tuple[str, float]]:
        return sorted(
            (k.split(":", 1)[1], v)
            for k, v in per.items()
            if k.startswith(prefix + ":") and (names is None or k.split(":", 1)[1] in names)
        )

    ddb_reads = ops("dynamodb", DYNAMODB_READS)
    ddb_writes = ops("dynamodb", DYNAMODB_WRITES)
    ddb_other = [(k, v) for k, v in ops("dynamodb") if k not in DYNAMODB_READS | DYNAMODB_WRITES]
    sfn_calls = ops("states")
    other = sorted((k, v) for k, v in per.items() if not k.startswith(("dynamodb:", "states:", "lambda:")))
    wru = per_units.get("wru_table", 0) + per_units.get("wru_transactional", 0) + per_units.get("wru_gsi", 0)
    rru = per_units.get("rru", 0)
    tx_calls = per.get("dynamodb:TransactWriteItems", 0)

    api_requests = len(invokes[API_FUNCTION]) / runs
    lambda_requests = sum(len(v) for v in invokes.values()) / runs
    metered_invokes = per.get("lambda:Invoke", 0)

    def gb_seconds(duration_of: Callable[[str, float], float]) -> float:
        total = 0.0
        for function, samples in invokes.items():
            for ms in samples:
                total += math.ceil(duration_of(function, ms)) / 1000 * memory.get(function, 512) / 1024
        return total / runs

    gbs_measured = gb_seconds(lambda f, ms: ms)
    gbs_assumed = gb_seconds(lambda f, ms: ASSUMED_DURATION_MS)

    def costs(gbs: float) -> dict[str, float]:
        return {
            "Step Functions transitions": transitions * SFN_STANDARD_PER_TRANSITION,
            "Lambda requests": lambda_requests * LAMBDA_PER_REQUEST,
            "Lambda duration": gbs * LAMBDA_ARM64_PER_GB_SECOND,
            "DynamoDB writes": wru * DYNAMODB_PER_WRU,
            "DynamoDB reads": rru * DYNAMODB_PER_RRU,
            "API Gateway requests": api_requests * APIGW_HTTP_PER_REQUEST,
        }

    measured, assumed = costs(gbs_measured), costs(gbs_assumed)

    print(f"runs: {runs} (after 1 warm-up run); workflow: 5 steps, 1 pause (user.text_input), 4 transform.format")
    print("\nPer run (averages):")
    print(
        f"  {'DynamoDB reads':<34}"
        + ", ".join(f"{k} {v:g}" for k, v in ddb_reads)
        + f"  (total {sum(v for _, v in ddb_reads):g} calls)"
    )
    print(
        f"  {'DynamoDB writes':<34}"
        + ", ".join(f"{k} {v:g}" for k, v in ddb_writes)
        + f"  (total {sum(v for _, v in ddb_writes):g} calls)"
    )
    if tx_calls:
        print(f"  {'  items per TransactWriteItems':<34}{per_units.get('transact_items', 0) / tx_calls:.2f}")
    if per_units.get("failed_writes"):
        print(f"  {'  failed (conditional) writes':<34}{per_units['failed_writes']:g}")
    if ddb_other:
        print(f"  {'DynamoDB other':<34}" + ", ".join(f"{k} {v:g}" for k, v in ddb_other))
    print(
        f"  {'DynamoDB request units':<34}RRU {rru:g}; WRU {wru:g} "
        f"(transactional {per_units.get('wru_transactional', 0):g}, standard {per_units.get('wru_table', 0):g}, "
        f"GSI {per_units.get('wru_gsi', 0):g})"
    )
    print(f"  {'Step Functions API calls':<34}" + (", ".join(f"{k} {v:g}" for k, v in sfn_calls) or "none"))
    print(f"  {'State transitions':<34}{transitions:g}")
    invoke_parts = []
    for function in sorted(invokes):
        samples = sorted(invokes[function])
        median = samples[len(samples) // 2]
        invoke_parts.append(f"{function} {len(samples) / runs:g} (median {median:.0f} ms, {memory.get(function, 512)} MB)")
    print(f"  {'Lambda invokes':<34}" + "; ".join(invoke_parts))
    print(f"  {'  of which by Step Functions':<34}{metered_invokes:g} (lambda:Invoke calls metered)")
    print(f"  {'API Gateway requests':<34}{api_requests:g} (POST /v1/runs, POST input; polling excluded)")
    if other:
        print(f"  {'Other AWS calls':<34}" + ", ".join(f"{k} {v:g}" for k, v in other))

    print("\nCost per 1,000 runs (us-east-1 list prices, USD):")
    print(f"  {'component':<28}{'measured durations':>20}{f'{ASSUMED_DURATION_MS} ms per invoke':>20}")
    for name in measured:
        print(f"  {name:<28}{measured[name] * 1000:>20.4f}{assumed[name] * 1000:>20.4f}")
    print(f"  {'total':<28}{sum(measured.values()) * 1000:>20.4f}{sum(assumed.values()) * 1000:>20.4f}")
    print(f"  (Lambda GB-s per run: {gbs_measured:.4f} measured, {gbs_assumed:.4f} at {ASSUMED_DURATION_MS} ms)")

    poll_cost = (
        APIGW_HTTP_PER_REQUEST
        + LAMBDA_PER_REQUEST
        + math.ceil(poll_ms) / 1000 * memory.get(API_FUNCTION, 1024) / 1024 * LAMBDA_ARM64_PER_GB_SECOND
        + poll_rru * DYNAMODB_PER_RRU
    )
    print(
        "\nEach GET /v1/runs/{id} poll adds: "
        + ", ".join(f"{k} {v}" for k, v in sorted(poll_calls.items()))
        + f", RRU {poll_rru:g}, {poll_ms:.0f} ms → ${poll_cost * 1000:.4f} per 1,000 polls"
    )
    print(f"\ncost_per_1000_runs_usd: {sum(measured.values()) * 1000:.4f}")
    print(f"cost_per_1000_runs_usd_at_100ms: {sum(assumed.values()) * 1000:.4f}")
    print(f"elapsed_s: {time.monotonic() - wall:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
