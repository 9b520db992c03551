"""Schemathesis (v4) against the running API, as `schemathesis run URL/openapi.json --checks all`
would: every operation in /openapi.json, every phase (examples, coverage, fuzzing, stateful),
every built-in check, plus Relay's own checks below. Shared by test_openapi_contract.py
(bounded, in CI) and tests/bench/openapi_fuzz.py (the long run).

It runs in this process, through schemathesis' engine (what its CLI drives), against the API
served over HTTP on the local cloud, authenticated as a seeded admin user (so admin
operations answer 201, not 403). Seeded ids (a template, its version, a run paused at
`ask`) are given as the path parameters' and body fields' `example`s in the loaded copy of
the document (never in the served one), so the examples and coverage phases read real
records as well as missing ones; the fuzzing phase also reuses ids it saw in responses, and
the stateful phase chains operations by their ids (links inferred from the schemas and from
`Location`).

No check is excluded. One is configured: `positive_data_acceptance` (a schema-valid request
must not get a 4xx other than 401/403/404/409/429) also accepts, per operation, the statuses at
which that operation declares a code for a rule JSON Schema cannot state (`beyond_the_schema`:
400 for an unknown module, a cursor the server did not issue, a hash mismatch, an answer the
pause did not ask for; 413 for 64 KiB limits in bytes; 422 for an Idempotency-Key reused with
another body). `rejected_only_for_rules_beyond_the_schema` then holds those answers to it: a
schema-valid request refused with INVALID_REQUEST (or another code the document's schemas
express, `by_schema=True`) fails, as the schema would be looser than the server.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
import schemathesis
from schemathesis.engine import events as st_events
from schemathesis.engine import from_schema
from schemathesis.engine.statistic import Statistic

from relay.api.problems import PROBLEM_CODES
from relay.api.schemas.common import GREETING_WORKFLOW
from relay.services import StartRun

PROBLEM_JSON = "application/problem+json"
POSITIVE_DATA_ACCEPTANCE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default
SEEDED_TEMPLATE = GREETING_WORKFLOW["workflow_id"]  # the document's own example


@dataclass(frozen=True)
class Seeded:
    api_key: str
    user_id: str
    template_id: str
    version_id: str
    run_id: str
    # Runs in the state an operation needs to succeed once (cancel, retry, branch, confirm a
    # resume), by (method, path); and body field examples by schema: {"BranchCreate": {...}}.
    run_for: dict[tuple[str, str], str] = field(default_factory=dict)
    body_examples: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path_examples(self) -> dict[str, str]:
        return {
            "user_id": self.user_id,
            "template_id": self.template_id,
            "version_id": self.version_id,
            "run_id": self.run_id,
        }


def seed(relay: Any, timeout: float = 60) -> Seeded:
    """An admin user with the greeting template and one run of it, paused at `ask`."""
    stamp = time.time_ns()
    user, key = relay.users.create_user(f"contract{stamp}", f"contract{stamp}@example.com", is_admin=True)
    submitted = relay.templates.submit_json(user, copy.deepcopy(GREETING_WORKFLOW))
    run = relay.runs.start(user, StartRun(template_name=SEEDED_TEMPLATE, project_name="contract"))
    deadline = time.monotonic() + timeout
    while relay.runs.get(user, run.run_id).status.value != "awaiting_input":
        if time.monotonic() > deadline:
            raise RuntimeError(f"seeded run {run.run_id} did not pause")
        time.sleep(0.1)
    run_for, body_examples = _control_runs(relay, user, timeout)
    return Seeded(
        key,
        user.user_id,
        submitted.template.template_id,
        submitted.version.version_id,
        run.run_id,
        run_for=run_for,
        body_examples=body_examples,
    )


def _control_runs(relay: Any, user: Any, timeout: float) -> tuple[dict[tuple[str, str], str], dict[str, dict[str, Any]]]:
    """A run for each control operation to succeed on once: one waiting (cancel), one in
    error (retry), one completed with a step event to branch from, one waiting with a
    VERSION_MISMATCH offered (confirm)."""
    from relay.services.exceptions import VersionMismatchError

    def started(workflow: dict[str, Any], *statuses: str) -> Any:
        run = relay.runs.start(user, StartRun(workflow=workflow, project_name="contract"))
        deadline = time.monotonic() + timeout
        while relay.runs.get(user, run.run_id).status.value not in statuses:
            if time.monotonic() > deadline:
                raise RuntimeError(f"seeded run {run.run_id} never reached {statuses}")
            time.sleep(0.1)
        return relay.runs.get(user, run.run_id)

    one_step = {
        "workflow_id": "contract-control",
        "schema_version": "1.0",
        "steps": [
            {
                "step_id": "only",
                "modules": [
                    {"module_id": "transform.format", "inputs": {"template": "{missing}"}, "outputs_to_state": {"value": "v"}}
                ],
            }
        ],
    }
    failed = started(one_step, "error")
    one_step["steps"][0]["modules"][0]["inputs"]["template"] = "done"
    done = started(one_step, "completed")
    events, _ = relay.runs.events(user, done.run_id, None, None, 100)
    fork = next(e for e in events if e.event_type == "step_completed")
    waiting = started(copy.deepcopy(GREETING_WORKFLOW), "awaiting_input")
    resumable = relay.run_control.cancel(user, started(copy.deepcopy(GREETING_WORKFLOW), "awaiting_input").run_id)
    asking = {
        "workflow_id": "contract-resume",
        "schema_version": "1.0",
        "steps": [
            {
                "step_id": "ask",
                "modules": [
                    {"module_id": "user.text_input", "inputs": {"prompt": "Name?"}, "outputs_to_state": {"value": "name"}}
                ],
            }
        ],
    }
    offered = started(copy.deepcopy(asking), "awaiting_input")
    other = copy.deepcopy(asking)
    other["steps"][0]["modules"][0]["inputs"]["prompt"] = "Your name?"
    try:
        relay.resume.resume(user, offered.run_id, workflow=other)
        raise RuntimeError("the seeded resume offered no version mismatch")
    except VersionMismatchError as mismatch:
        submitted = mismatch.extra["submitted_version"]
    run_for = {
        ("post", "/v1/runs/{run_id}/cancel"): waiting.run_id,
        ("post", "/v1/runs/{run_id}/retry"): failed.run_id,
        ("post", "/v1/runs/{run_id}/branches"): done.run_id,
        ("post", "/v1/runs/{run_id}/resume/confirm"): offered.run_id,
        ("post", "/v1/runs/{run_id}/resume"): resumable.run_id,
    }
    body_examples = {
        "BranchCreate": {"from_event_id": fork.event_id},
        "ResumeConfirm": {"choice": "continue_with_original", "version_id": submitted},
        "ResumeRequest": {"version_id": resumable.current_version_id},
    }
    return run_for, body_examples


# -- Relay's checks ----------------------------------------------------------------------
def _declared(case: Any, status: int) -> dict[str, Any] | None:
    responses = case.operation.definition.raw.get("responses", {})
    return responses.get(str(status))


@schemathesis.check
def problem_details_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error is problem+json whose `code` is registered with this status and declared
    by the operation for it (`x-problem-codes`), with `status` and `type` to match."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith(PROBLEM_JSON), f"{response.status_code} answered as {content_type!r}, not {PROBLEM_JSON}"
    body = response.json()
    code = body.get("code")
    assert code in PROBLEM_CODES, f"code {code!r} is not in relay.api.problems.PROBLEM_CODES"
    assert PROBLEM_CODES[code].status == response.status_code, (
        f"{code} is registered as {PROBLEM_CODES[code].status}, answered {response.status_code}"
    )
    assert body.get("status") == response.status_code, f"body status {body.get('status')} != {response.status_code}"
    assert body.get("type") == f"urn:relay:problem:{code.lower()}", f"type {body.get('type')!r} does not name {code}"
    if response.request.method.upper() != case.operation.method.upper():
        assert code == "METHOD_NOT_ALLOWED", f"{response.request.method} on {case.path} answered {code}"
        return None
    declared = _declared(case, response.status_code) or {}
    assert code in declared.get("x-problem-codes", []), (
        f"{case.method} {case.path} answered {response.status_code} {code}, which it does not declare "
        f"(declared: {declared.get('x-problem-codes', [])})"
    )
    return None


@schemathesis.check
def rejected_only_for_rules_beyond_the_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request valid against the document gets 400/413/422 only for a rule JSON Schema
    cannot state; a code the document's schemas express means they are looser than the server."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 413, 415, 422) or response.request.method.upper() != case.operation.method.upper():
        return None
    code = response.json().get("code")
    entry = PROBLEM_CODES.get(code)
    assert entry is not None and not entry.by_schema, (
        f"a schema-valid request was rejected with {response.status_code} {code}: the document's schema "
        f"is looser than the server — {response.json().get('detail')}"
    )
    return None


@schemathesis.check
def created_resource_is_located(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 201's `Location` names the created resource: GET on it answers 200 (as that user)."""
    if response.status_code != 201:
        return None
    location = response.headers.get("location", [None])[0]
    assert location, "201 without Location"
    target = urljoin(response.request.url, location)
    auth = {k: v for k, v in response.request.headers.items() if k.lower() == "authorization"}
    got = requests.get(target, headers=auth, timeout=30)
    assert got.status_code == 200, f"GET {location} (the 201's Location) answered {got.status_code}"
    return None


# -- running ------------------------------------------------------------------------------
def with_seeded_examples(raw_schema: dict[str, Any], seeded: Seeded) -> dict[str, Any]:
    """The loaded copy of the document, with real ids as examples of path parameters and body
    fields (the served document is left alone)."""
    examples = seeded.path_examples
    for path, path_item in raw_schema.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") in examples:
                    parameter["example"] = examples[parameter["name"]]
                    if parameter["name"] == "run_id" and (method, path) in seeded.run_for:
                        parameter["example"] = seeded.run_for[(method, path)]
                if parameter.get("in") == "query" and parameter.get("name") == "template":
                    parameter["example"] = SEEDED_TEMPLATE  # a template by name (e.g. GET /v1/keywords)
                if parameter.get("in") == "query" and parameter.get("name") in ("a", "b"):
                    parameter["example"] = examples["run_id"]  # GET /v1/runs/compare: the run with itself
    run_create = raw_schema.get("components", {}).get("schemas", {}).get("RunCreate", {})
    for name, value in (("template_name", SEEDED_TEMPLATE), ("version_id", seeded.version_id)):
        prop = run_create.get("properties", {}).get(name)
        if prop is not None:
            prop["examples"] = [value]
    for schema_name, fields in seeded.body_examples.items():
        body = raw_schema.get("components", {}).get("schemas", {}).get(schema_name, {})
        for name, value in fields.items():
            if name in body.get("properties", {}):
                body["properties"][name]["examples"] = [value]
    answer = raw_schema.get("components", {}).get("schemas", {}).get("InputCreate", {})
    if "step_id" in answer.get("properties", {}):
        answer["properties"]["step_id"]["examples"] = ["ask", "pick"]
    return raw_schema


def beyond_the_schema(document: dict[str, Any]) -> dict[str, list[str]]:
    """operationId → the 4xx statuses (other than schemathesis' defaults) at which it declares a
    code for a rule JSON Schema cannot state: where a schema-valid request may be refused."""
    found: dict[str, list[str]] = {}
    for item in document["paths"].values():
        for operation in item.values():
            statuses = sorted(
                status
                for status, response in operation["responses"].items()
                if status.startswith("4")
                and status not in POSITIVE_DATA_ACCEPTANCE
                and any(not PROBLEM_CODES[code].by_schema for code in response.get("x-problem-codes", []))
            )
            if statuses:
                found[operation["operationId"]] = statuses
    return found


@dataclass
class Outcome:
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    server_errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    by_operation: dict[str, Counter] = field(default_factory=dict)
    operations_tested: set[str] = field(default_factory=set)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        by_class = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"cases: {self.cases}\nfailures: {len(self.failures)}\nserver_errors: {self.server_errors}\n"
            f"operations_tested: {len(self.operations_tested)}\nstatuses: {by_class}\n"
            f"phases: {self.phases}\nseconds: {self.seconds:.1f}"
        )

    def per_operation(self) -> str:
        return "\n".join(
            f"  {label}: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
            for label, counts in sorted(self.by_operation.items())
        )


def run(
    base_url: str,
    seeded: Seeded,
    *,
    max_examples: int,
    seed: int = 20260101,
    workers: int = 1,
    stateful_steps: int | None = None,
    max_time: float | None = None,
) -> Outcome:
    data: dict[str, Any] = {
        "seed": seed,
        "base-url": base_url,
        "workers": workers,
        "continue-on-failure": True,
        "request-timeout": 60,
        "auth": {"openapi": {"ApiKey": {"bearer": seeded.api_key}}},
        "generation": {"max-examples": max_examples, "database": "none"},
        "phases": {"stateful": {"max-steps": stateful_steps}} if stateful_steps else {},
    }
    if max_time is not None:
        data["max-time"] = max_time
    document = requests.get(f"{base_url}/openapi.json", timeout=30).json()
    data["operations"] = [
        {
            "include-operation-id": operation_id,
            "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_DATA_ACCEPTANCE, *statuses]}},
        }
        for operation_id, statuses in beyond_the_schema(document).items()
    ]
    config = schemathesis.Config.from_dict(data)
    config.projects.default.checks.update(included_check_names=["all"])  # `--checks all`
    schema = schemathesis.openapi.from_dict(with_seeded_examples(document, seeded), config=config)

    outcome = Outcome()
    statistic = Statistic()
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, st_events.ScenarioFinished) and event.is_test_scenario:
            statistic.on_scenario_finished(event.recorder)
            for case_id, interaction in event.recorder.interactions.items():
                if interaction.response is not None:
                    status = interaction.response.status_code
                    key = f"{status // 100}xx" if status < 400 else str(status)
                    outcome.statuses[key] += 1
                    outcome.server_errors += status >= 500
                    node = event.recorder.cases.get(case_id)
                    label = f"{interaction.request.method} {node.value.operation.path}" if node else "?"
                    outcome.by_operation.setdefault(label, Counter())[key] += 1
        elif isinstance(event, st_events.PhaseFinished):
            outcome.phases[event.phase.name.value] = event.status.value
        elif isinstance(event, st_events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.format() if hasattr(event.info, 'format') else event.value!r}")
        elif isinstance(event, st_events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, st_events.EngineFinished) and event.failures:
            statistic.record_run_check_failures(event.failures, label="run checks")
    outcome.seconds = time.monotonic() - started
    outcome.cases = statistic.total_cases
    outcome.operations_tested = set(statistic.tested_operations)
    for label, grouped in statistic.failures.items():
        for group in grouped.values():
            for failure in group.failures:
                sample = group.code_sample or ""
                sample = sample if len(sample) < 600 else sample[:600] + " …"
                outcome.failures.append(f"{label}: {failure.title}\n    {failure.message}\n    {sample}")
    return outcome
