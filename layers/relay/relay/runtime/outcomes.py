"""How a RunStep invocation ends: the state machine's Route (Choice) state compares these
strings (statemachines/run.asl.json), so the values are the contract and never change."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    paused = "paused"  # a module asks a person: AwaitInput
    waiting = "waiting"  # a module's outside job is not done: WaitForJob, then RunStep again
    continue_ = "continue"  # the invocation's budget is spent (or a long module is next): RunStep again
    continued = "continued"  # the run's next execution was started: this one succeeds
    completed = "completed"
    failed = "failed"
