"""The operators' console in template.yaml: the dashboard, alarms and saved queries exist, and
every business metric they name is one relay.metrics publishes (its registry, which the code
publishes through), in the Globals' namespace with the Globals' service; every field a saved
query reads is one the code's JSON log lines carry."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from relay.metrics import DEFAULT_NAMESPACE, DEFAULT_SERVICE
from relay.metrics.names import REGISTRY
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
NAMESPACE, SERVICE = ENV["POWERTOOLS_METRICS_NAMESPACE"], ENV["POWERTOOLS_SERVICE_NAME"]


def _of_type(kind: str) -> dict[str, dict]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == kind}


def _dashboard() -> dict:
    (dashboard,) = _of_type("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    return json.loads(re.sub(r"\$\{[^}]+\}", "X", body))


def _dashboard_metrics() -> tuple[set[str], list[str]]:
    """(metric names of the Relay namespace, SEARCH expressions)."""
    names, searches = set(), []
    for widget in _dashboard()["widgets"]:
        for row in widget["properties"].get("metrics", []):
            if isinstance(row[0], dict):
                searches.append(row[0]["expression"])
            elif row[0] == NAMESPACE:
                assert row[2:4] == ["service", SERVICE], row
                names.add(row[1])
    return names, searches


def test_the_code_and_the_template_agree_on_namespace_and_service():
    assert (NAMESPACE, SERVICE) == (DEFAULT_NAMESPACE, DEFAULT_SERVICE)


def test_every_business_metric_the_dashboard_shows_is_published():
    names, searches = _dashboard_metrics()
    for expression in searches:
        match = re.search(r"\{(\w[\w/]*),([\w,]+)\} MetricName=\"(\w+)\"", expression)
        assert match, expression
        if match[1] == NAMESPACE:
            spec = REGISTRY[match[3]]
            assert match[2].split(",") == ["service", *spec.dimensions]
    assert names <= set(REGISTRY), names - set(REGISTRY)
    shown = names | {re.search(r'MetricName="(\w+)"', e)[1] for e in searches}
    for wanted in (
        "RunsStarted",
        "RunsCompleted",
        "RunsFailed",
        "RunsCancelled",
        "PausesWaiting",
        "OldestPauseAgeSeconds",
        "MediaRejected",
        "LlmCostUsd",
        "LlmInputTokens",
    ):
        assert wanted in shown, wanted


def test_the_dashboard_shows_the_aws_metrics_the_issue_lists():
    text = json.dumps(_dashboard())
    for metric in (
        "4xx",
        "5xx",
        "Latency",
        "Errors",
        "Throttles",
        "Duration",
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
        "ThrottledRequests",
    ):
        assert f'"{metric}"' in text or f'\\"{metric}\\"' in text, metric
    for stat in ("p50", "p95", "p99"):
        assert f'"stat": "{stat}"' in text
    functions = set(_of_type("AWS::Serverless::Function"))
    for metric in ("Errors", "Throttles", "Duration"):
        rows = [r for w in _dashboard()["widgets"] for r in w["properties"].get("metrics", []) if r[:2] == ["AWS/Lambda", metric]]
        assert len(rows) == len(functions), metric


def _alarm_metrics(alarm: dict) -> list[tuple[str, str, dict]]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [(props["Namespace"], props["MetricName"], {d["Name"]: d["Value"] for d in props["Dimensions"]})]
    found = []
    for query in props["Metrics"]:
        if "MetricStat" in query:
            m = query["MetricStat"]["Metric"]
            found.append((m["Namespace"], m["MetricName"], {d["Name"]: d["Value"] for d in m["Dimensions"]}))
    return found


def test_the_alarms_notify_the_topic_and_read_published_metrics():
    alarms = _of_type("AWS::CloudWatch::Alarm")
    assert set(alarms) >= {
        "FailedExecutionsAlarm",
        "StuckPauseAlarm",
        "Api5xxRateAlarm",
        "LambdaThrottlesAlarm",
        "MediaUploadedFailuresAlarm",
        "LlmDailySpendAlarm",
    }
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        for namespace, metric, dims in _alarm_metrics(alarm):
            if namespace == NAMESPACE:
                assert metric in REGISTRY and dims == {"service": SERVICE}, (name, metric)
    throttled = {d["FunctionName"]["Ref"] for _, _, d in _alarm_metrics(alarms["LambdaThrottlesAlarm"])}
    assert throttled == set(_of_type("AWS::Serverless::Function"))
    queue = _alarm_metrics(alarms["MediaUploadedFailuresAlarm"])[0][2]["QueueName"]
    assert queue == {"Fn::GetAtt": ["MediaUploadedFailuresQueue", "QueueName"]}
    destination = RESOURCES["MediaUploadedFunction"]["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert destination["Destination"] == {"Fn::GetAtt": ["MediaUploadedFailuresQueue", "Arn"]}
    assert alarms["StuckPauseAlarm"]["Properties"]["Threshold"] == {"Ref": "PauseAlarmHours"}
    assert alarms["LlmDailySpendAlarm"]["Properties"]["Threshold"] == {"Ref": "LlmDailyBudgetUsd"}
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail" and subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


# What every Powertools line carries (Logger with inject_lambda_context, Logs Insights' own @…).
_POWERTOOLS_FIELDS = {
    "level",
    "message",
    "timestamp",
    "service",
    "function_name",
    "function_request_id",
    "cold_start",
    "correlation_id",
    "xray_trace_id",
    "location",
}


def _logged_fields() -> set[str]:
    """Keys the code logs: `extra={...}` dicts, Powertools keyword fields and appended keys."""
    fields: set[str] = set()
    files = [*(ROOT / "layers" / "relay" / "relay").rglob("*.py"), *(ROOT / "functions").rglob("app.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr in (
                "info",
                "warning",
                "error",
                "exception",
                "debug",
                "log",
                "append_keys",
                "thread_safe_append_keys",
            ):
                for kw in node.keywords:
                    if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
                        fields.update(k.value for k in kw.value.keys if isinstance(k, ast.Constant))
                    elif kw.arg not in (None, "extra", "exc_info", "stack_info", "stacklevel"):
                        fields.add(kw.arg)
        for node in ast.walk(ast.parse(path.read_text())):  # extra["error_code"] = …
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                target = node.targets[0]
                if isinstance(target.value, ast.Name) and target.value.id == "extra" and isinstance(target.slice, ast.Constant):
                    fields.add(target.slice.value)
    return fields | _POWERTOOLS_FIELDS


def test_the_saved_queries_read_fields_the_logs_carry():
    queries = _of_type("AWS::Logs::QueryDefinition")
    assert len(queries) >= 4
    logged = _logged_fields()
    keywords = {
        "fields",
        "filter",
        "sort",
        "limit",
        "stats",
        "by",
        "as",
        "asc",
        "desc",
        "and",
        "or",
        "count",
        "max",
        "avg",
        "latest",
        "coalesce",
        "parse",
        "REPLACE_ME",
    }
    for name, query in queries.items():
        text = query["Properties"]["QueryString"]
        text = re.sub(r'"[^"]*"', "", text)  # string literals
        aliases = set(re.findall(r"\bas (\w+)", text))
        words = set(re.findall(r"(?<![@\w])([a-z_][a-z0-9_]*)\b", text)) - keywords - aliases
        assert words <= logged, (name, words - logged)
        groups = query["Properties"]["LogGroupNames"]
        assert all(g["Ref"] in RESOURCES and RESOURCES[g["Ref"]]["Type"] == "AWS::Logs::LogGroup" for g in groups), name
    assert "run_id" in json.dumps(queries["RunLinesQuery"])
