"""Progress a module reports while it runs (ctx.progress), made visible before RunStep commits.

One reporter per RunStep invocation. It holds the run as loaded (its `rev`) and the run's
last event number, which every stored report moves on by one (RunRepository.record_progress:
the run's `progress` and `event_seq` updated without bumping `rev`, plus a `progress` event,
in one transaction). RunStep's final commit then numbers its own events after
`reporter.event_seq`, so the run's events stay gapless and unique and the commit's `rev`
condition still holds.

Reports are best effort and rate-limited: one closer than `min_interval_seconds` to the last
stored one is skipped unless it is the module's first, its last (value 1) or a new stage;
at most `max_events` are stored per invocation. A storage failure never fails the module: a
run that moved on (someone else committed it) stops the reporter; any other error makes it
re-read the run's event number before going on, so the final commit stays in sequence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from relay.domain import NewEvent, Progress, Run
from relay.exceptions import ConcurrentUpdateError
from relay.runtime.ports import ProgressStore

logger = logging.getLogger(__name__)


def overall(span: tuple[float, float], value: float) -> float:
    """A module's own 0..1 within its share of the run (`span`: where it starts and ends)."""
    low, high = span
    return round(low + value * (high - low), 4)


class ProgressReporter:
    def __init__(
        self,
        runs: ProgressStore,
        run: Run,
        correlation_id: str,
        *,
        min_interval_seconds: float,
        max_events: int = 200,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runs = runs
        self._run = run
        self._correlation_id = correlation_id
        self._min_interval = min_interval_seconds
        self._max_events = max_events
        self._clock = clock
        self.event_seq = run.event_seq  # the run's last event, as far as this invocation knows
        self.stored = 0
        self.stopped = False
        self._last: tuple[str, int, str | None] | None = None  # (step, module, stage) of the last stored
        self._last_at = 0.0

    def report(
        self,
        value: float,
        stage: str | None,
        message: str | None,
        *,
        step_id: str,
        module_index: int,
        module_id: str,
        span: tuple[float, float],
    ) -> bool:
        """Store one report (True) or skip it (False)."""
        if self.stopped or self.stored >= self._max_events:
            return False
        now = self._clock()
        key = (step_id, module_index, stage)
        if key == self._last and value < 1 and now - self._last_at < self._min_interval:
            return False
        progress = Progress(value=overall(span, value), stage=stage or step_id, message=message)
        event = NewEvent(
            event_type="progress",
            step_id=step_id,
            data={
                "module_index": module_index,
                "module_id": module_id,
                "value": value,
                "stage": stage,
                "message": message,
                "run_progress": progress.value,
            },
        )
        try:
            self.event_seq = self._runs.record_progress(self._run, self.event_seq, progress, event, self._correlation_id)
        except ConcurrentUpdateError:
            logger.info("run %s moved on; progress reports stop for this invocation", self._run.run_id)
            self.stopped = True
            return False
        except Exception:
            logger.warning("progress of run %s not stored", self._run.run_id, exc_info=True)
            self._resync()
            return False
        self.stored += 1
        self._last, self._last_at = key, now
        return True

    def _resync(self) -> None:
        """After a failure whose outcome is unknown (a timeout may follow a write that was
        made): take the run's event number from the table if the run is still at our rev."""
        try:
            current = self._runs.get(self._run.run_id)
        except Exception:
            logger.warning("run %s could not be re-read; progress reports stop", self._run.run_id, exc_info=True)
            self.stopped = True
            return
        if current is None or current.rev != self._run.rev:
            self.stopped = True
        else:
            self.event_seq = current.event_seq
