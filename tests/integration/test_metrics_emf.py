"""A run publishes its business metrics as EMF lines in its function's log group, as Lambda
ships a function's stdout (the local cloud does the same): RunStep's group holds the run's
RunsCompleted and its LLM call's metrics, by provider and model, with the service rollup."""

from __future__ import annotations

import json
import time

import boto3

from documents import module, step, workflow
from polling import wait_for_status


def _emf_lines(group: str) -> list[dict]:
    logs = boto3.client("logs")
    lines = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
        lines.extend(json.loads(e["message"]) for e in page["events"] if e["message"].startswith('{"_aws"'))
    return lines


def test_a_run_publishes_its_emf_metrics(client, cloud):
    wf = workflow(
        "emf",
        step(
            "ask",
            module("api.llm", {"provider": "echo", "model": "echo-1", "messages": [{"role": "user", "content": "hi"}]}, text="t"),
        ),
    )
    response = client.post("/v1/runs", json={"workflow": wf, "project_name": "emf"})
    assert response.status_code == 201, response.text
    wait_for_status(client, response.json()["run_id"], "completed")
    group = cloud.deployment.function("relay-RunStepFunction").log_group
    deadline = time.monotonic() + 20
    while True:
        lines = _emf_lines(group)
        llm = [line for line in lines if "LlmCalls" in line and line.get("provider") == "echo"]
        completed = [line for line in lines if "RunsCompleted" in line]
        if llm and completed:
            break
        assert time.monotonic() < deadline, lines
        time.sleep(0.2)
    (directive,) = llm[-1]["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Relay"
    assert directive["Dimensions"] == [["service"], ["service", "provider", "model"]]
    assert (llm[-1]["service"], llm[-1]["model"]) == ("relay", "echo-1")
    assert {m["Name"] for m in directive["Metrics"]} >= {"LlmCalls", "LlmInputTokens", "LlmOutputTokens", "LlmCostUsd"}
    assert "run_id" not in llm[-1] and "user_id" not in llm[-1]
    assert completed[-1]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]
