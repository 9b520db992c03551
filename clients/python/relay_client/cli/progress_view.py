"""Live progress of a run, fed by its events: a rich progress bar with the current step on a
terminal, plain lines otherwise (piped, NO_COLOR, --json: always stderr, never stdout)."""

from __future__ import annotations

from typing import Any

from .output import Output

_QUIET = frozenset({"module_completed", "input_answered", "step_completed", "progress"})


def run_progress(event: dict[str, Any]) -> float | None:
    """The run's share done (0..1) an event tells, if it tells one."""
    data = event.get("data") or {}
    kind = event.get("event_type")
    if kind == "step_started" and isinstance(data.get("progress"), (int, float)):
        return float(data["progress"])
    if kind == "progress" and isinstance(data.get("run_progress"), (int, float)):
        return float(data["run_progress"])
    if kind == "run_completed":
        return 1.0
    return None


def describe(event: dict[str, Any]) -> str | None:
    """One plain line for the events worth a line."""
    kind, step, data = event.get("event_type"), event.get("step_id"), event.get("data") or {}
    if kind == "step_started":
        return f"step {step} started"
    if kind == "progress":
        return None
    if kind == "input_requested":
        return f"step {step} waits for input ({data.get('module_id')})"
    if kind == "input_received":
        return f"step {step} got its answer"
    if kind == "module_failed":
        return f"step {step}: {data.get('module_id')} failed"
    if kind in _QUIET:
        return None
    return kind.replace("_", " ") if isinstance(kind, str) else None


class ProgressView:
    def __init__(self, out: Output, run_id: str) -> None:
        self.out = out
        self.run_id = run_id
        self.value = 0.0
        self.step: str | None = None
        self.live = out.rich_stderr
        self._progress: Any = None
        self._task: Any = None

    def start(self) -> None:
        if not self.live or self._progress is not None:
            return
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=self.out.err_console,
            transient=False,
        )
        self._task = self._progress.add_task(self._label(), total=1.0, completed=self.value)
        self._progress.start()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _label(self) -> str:
        return f"{self.run_id} · {self.step or 'starting'}"

    def event(self, event: dict[str, Any]) -> None:
        if event.get("step_id"):
            self.step = str(event["step_id"])
        value = run_progress(event)
        if value is not None:
            self.value = value
        if self._progress is not None:
            message = (event.get("data") or {}).get("message") if event.get("event_type") == "progress" else None
            label = self._label() + (f" · {message}" if message else "")
            self._progress.update(self._task, completed=self.value, description=label)
            return
        line = describe(event)
        if line:
            self.out.info(f"[{int(self.value * 100):3d}%] {line}")
