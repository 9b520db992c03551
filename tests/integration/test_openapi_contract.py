"""The OpenAPI document tells the truth: schemathesis, every phase and every check, against
the API on the local cloud (see openapi_contract.py for what runs and what is configured).

Bounded so it stays well under two minutes on two cores: a fixed seed and 20 examples per
operation and phase (~1,500 requests, 35-45 s). Every operation in /openapi.json is tested, so an
endpoint added later is covered without touching this file. The long run is
tests/bench/openapi_fuzz.py."""

from __future__ import annotations

import httpx

import openapi_contract

MAX_EXAMPLES = 20
SEED = 20260101


def test_schemathesis_finds_no_failure(relay, api_url):
    seeded = openapi_contract.seed(relay)
    outcome = openapi_contract.run(api_url, seeded, max_examples=MAX_EXAMPLES, seed=SEED, workers=1)
    report = f"{outcome.summary()}\n{outcome.per_operation()}"

    assert not outcome.errors, "\n".join(outcome.errors)
    assert not outcome.failures, "\n\n".join(outcome.failures) + "\n\n" + report
    assert outcome.server_errors == 0, report
    assert all(status == "success" for status in outcome.phases.values()), report

    document = httpx.get(f"{api_url}/openapi.json").json()
    operations = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    assert outcome.operations_tested == operations, report
    # Not trivially 404: every operation whose ids are seeded answered 2xx at least once.
    for label in operations:
        path = label.split(" ", 1)[1]
        params = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        if params <= set(seeded.path_examples):
            assert outcome.by_operation.get(label, {}).get("2xx"), f"{label} never succeeded\n{report}"
