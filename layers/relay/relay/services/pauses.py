"""The operators' view of waiting pauses: how many there are and how long the oldest has
waited, published as metrics (PausesWaiting, OldestPauseAgeSeconds) by the scheduled
PauseMonitor function. Step Functions raises no alarm for a task token nobody answers; the
StuckPause alarm reads this age (docs/operating.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from relay.ids import parse_iso
from relay.metrics import names as metric
from relay.metrics import publish


class WaitingPauseReader(Protocol):
    def created_times(self, now_epoch: int) -> list[str]: ...


@dataclass(frozen=True)
class PauseFigures:
    waiting: int
    oldest_age_seconds: float


class PauseMonitorService:
    def __init__(self, pauses: WaitingPauseReader) -> None:
        self._pauses = pauses

    def measure(self, now: datetime) -> PauseFigures:
        created = self._pauses.created_times(int(now.timestamp()))
        ages = [max((now - parse_iso(at)).total_seconds(), 0.0) for at in created]
        return PauseFigures(waiting=len(ages), oldest_age_seconds=max(ages, default=0.0))

    def publish(self, now: datetime) -> PauseFigures:
        """Both gauges every run, zeros included, so an alarm sees data rather than a gap."""
        figures = self.measure(now)
        publish({metric.PAUSES_WAITING: figures.waiting, metric.OLDEST_PAUSE_AGE: figures.oldest_age_seconds})
        return figures
