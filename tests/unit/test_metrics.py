"""Business metrics (relay.metrics): each publish is one EMF line with the registry's unit and
dimensions, the `service` rollup beside the bounded dimension set, and nothing undeclared."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from relay import metrics
from relay.ids import iso
from relay.metrics import names as metric
from relay.services.pauses import PauseMonitorService


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]


def test_a_count_is_one_emf_line_in_the_namespace_even_without_the_setting(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)
    metrics.count(metric.RUNS_STARTED)
    (line,) = _lines(capsys)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == metrics.DEFAULT_NAMESPACE
    assert directive["Dimensions"] == [["service"]] and line["service"] == metrics.DEFAULT_SERVICE
    assert directive["Metrics"] == [{"Name": "RunsStarted", "Unit": "Count"}] and line["RunsStarted"] == [1.0]


def test_llm_metrics_carry_provider_and_model_and_the_service_rollup(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Relay")
    metrics.publish({metric.LLM_CALLS: 1, metric.LLM_COST_USD: 0.25}, {"provider": "openai", "model": "gpt-5"})
    (line,) = _lines(capsys)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["service"], ["service", "provider", "model"]]
    assert (line["provider"], line["model"], line["LlmCostUsd"]) == ("openai", "gpt-5", [0.25])


def test_undeclared_dimensions_are_refused_before_anything_is_published(capsys):
    with pytest.raises(metrics.MetricDimensionsError):
        metrics.publish({metric.RUNS_STARTED: 1}, {"run_id": "run_x"})
    with pytest.raises(metrics.MetricDimensionsError):
        metrics.publish({metric.LLM_CALLS: 1})
    assert _lines(capsys) == []


def test_no_metric_takes_an_unbounded_dimension():
    for spec in metric.REGISTRY.values():
        assert set(spec.dimensions) <= {"provider", "model"}, spec.name
    assert metric.bounded("mistral", metric.PROVIDERS) == metric.OTHER


def test_model_labels_are_the_price_lists_names():
    from relay.runtime.providers.prices import priced_model

    assert priced_model("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert priced_model("gpt-5") == "gpt-5"
    assert priced_model("some-fine-tune-of-mine") is None


class _Pauses:
    def __init__(self, created: list[str]) -> None:
        self.created = created

    def created_times(self, now_epoch: int) -> list[str]:
        return self.created


def test_the_pause_monitor_publishes_the_count_and_the_oldest_age(capsys):
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    created = [iso(now - timedelta(hours=30)), iso(now - timedelta(minutes=5))]
    figures = PauseMonitorService(_Pauses(created)).publish(now)
    assert (figures.waiting, figures.oldest_age_seconds) == (2, 30 * 3600)
    (line,) = _lines(capsys)
    assert (line["PausesWaiting"], line["OldestPauseAgeSeconds"]) == ([2.0], [108000.0])
    PauseMonitorService(_Pauses([])).publish(now)
    (line,) = _lines(capsys)
    assert (line["PausesWaiting"], line["OldestPauseAgeSeconds"]) == ([0.0], [0.0])
