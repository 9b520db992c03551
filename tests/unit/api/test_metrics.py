"""Counting a metric never fails a request, even where no entry point flushes them."""

from __future__ import annotations

from relay.api import metrics


def test_counts_past_powertools_own_flush_without_a_namespace_setting(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    for _ in range(250):  # Powertools flushes by itself at 100
        metrics.count("RunsStarted")
    flushed = capsys.readouterr().out
    assert f'"Namespace":"{metrics.NAMESPACE}"' in flushed.replace(" ", "")
