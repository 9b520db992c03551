"""template.yaml and the logs/stream features agree: every function logs JSON into a log group
of the stack kept LogRetentionDays (7 by default); the API reads exactly those groups
(RELAY_LOG_GROUPS) with FilterLogEvents allowed on exactly them; an event stream closes
before the API function's and API Gateway's 30 s."""

from __future__ import annotations

import re
from pathlib import Path

from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
API = FUNCTIONS["ApiFunction"]["Properties"]


def _function_groups() -> set[str]:
    return {f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for f in FUNCTIONS.values()}


def test_every_function_logs_json_into_a_stack_log_group_kept_seven_days():
    assert TEMPLATE["Parameters"]["LogRetentionDays"]["Default"] == 7
    for name, function in FUNCTIONS.items():
        config = function["Properties"]["LoggingConfig"]
        assert config["LogFormat"] == "JSON", name
        group = RESOURCES[config["LogGroup"]["Ref"]]
        assert group["Type"] == "AWS::Logs::LogGroup"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_api_reads_exactly_the_function_log_groups():
    listed = API["Environment"]["Variables"]["RELAY_LOG_GROUPS"]["Fn::Sub"]
    assert set(re.findall(r"\$\{(\w+)\}", listed)) == _function_groups()
    statements = [s for p in API["Policies"] if "Statement" in p for s in p["Statement"]]
    [read] = [s for s in statements if s.get("Sid") == "ReadFunctionLogs"]
    assert read["Action"] == "logs:FilterLogEvents"
    assert {r["Fn::GetAtt"][0] for r in read["Resource"]} == _function_groups()


def test_an_event_stream_closes_before_the_api_times_out():
    bound = TEMPLATE["Parameters"]["EventStreamSeconds"]
    timeout = API.get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])
    assert API["Environment"]["Variables"]["RELAY_EVENT_STREAM_SECONDS"] == {"Ref": "EventStreamSeconds"}
    assert bound["Default"] <= bound["MaxValue"] <= 28 < timeout <= 30  # one poll (1 s) over the bound at most
