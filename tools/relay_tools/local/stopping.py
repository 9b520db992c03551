"""StopExecution that stops a waiting execution, as Step Functions does.

moto's executor marks a stopped execution's program as stopped, but a task waiting for its
token (`waitForTaskToken`) keeps waiting until its timeout (a pause: days), so the execution
stays RUNNING. Here stopping also wakes the execution's waiting tasks; the woken task fails,
and that failure must not turn the stopped program into a failed one: the program runs no
further state (no Catch, no RecordFailure) and the execution ends ABORTED at once.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = "_relay_wakes_waiting_tasks"


def install() -> None:
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped

    original_stop, original_error = Environment.set_stop, Environment.set_error
    if getattr(original_stop, _INSTALLED, False):
        return

    def set_stop(self: Any, stop_date: Any, cause: Any, error: Any) -> None:
        original_stop(self, stop_date=stop_date, cause=cause, error=error)
        pool = getattr(getattr(self, "callback_pool_manager", None), "_pool", None) or {}
        for endpoint in list(pool.values()):
            endpoint.interrupt_all()

    def set_error(self: Any, error: Any) -> None:
        if isinstance(self.program_state(), ProgramStopped):
            return  # stopped stays stopped (ABORTED), as in Step Functions
        original_error(self, error=error)

    setattr(set_stop, _INSTALLED, True)
    Environment.set_stop = set_stop  # type: ignore[method-assign]  # the patch
    Environment.set_error = set_error  # type: ignore[method-assign]  # the patch
