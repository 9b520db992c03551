"""How a run's Step Functions executions are named: `<run_id>` is the first, `<run_id>-g<N>`
the N-th (continue-as-new, retry, branch, resume each start the next)."""

from __future__ import annotations


def execution_generation(execution_arn_or_name: str) -> int:
    """`<run_id>` is generation 1, `<run_id>-g<N>` generation N."""
    name = execution_arn_or_name.rsplit(":", 1)[-1]
    return int(name.rsplit("-g", 1)[1]) if "-g" in name else 1


def next_execution_name(execution_arn: str | None, run_id: str) -> str:
    """`<run_id>` → `<run_id>-g2` → `<run_id>-g3` …: every execution of a run sorts by its id,
    and a new one (continue-as-new, retry, branch, resume) never reuses a name."""
    generation = execution_generation(execution_arn) if execution_arn else 1
    return f"{run_id}-g{generation + 1}"
