"""Every business metric Relay publishes (EMF, namespace POWERTOOLS_METRICS_NAMESPACE): its
name, unit and dimensions. The code publishes only what is listed here, and the template's
dashboard and alarms may name only what is listed here (tests/unit/template/test_console.py).

Dimensions stay bounded: `service` (one per stack) on every metric, and for LLM calls the
provider (three) and the priced model family (the price list's entries, else `other`). Never a
run, user or media id: each distinct value is a metric billed per month."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    COUNT = "Count"
    SECONDS = "Seconds"
    NONE = "None"


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: Unit
    help: str
    # Dimensions besides `service`. A metric with dimensions is also published with `service`
    # alone (the stack's total, which the alarms and the totals on the dashboard read).
    dimensions: tuple[str, ...] = ()


RUNS_STARTED = MetricSpec("RunsStarted", Unit.COUNT, "POST /v1/runs started a run")
RUNS_COMPLETED = MetricSpec("RunsCompleted", Unit.COUNT, "a run reached its end (RunStep)")
RUNS_FAILED = MetricSpec("RunsFailed", Unit.COUNT, "a run ended in error (a module failed, or RecordFailure)")
RUNS_CANCELLED = MetricSpec("RunsCancelled", Unit.COUNT, "a user cancelled a run")
RUNS_PAUSED = MetricSpec("RunsPaused", Unit.COUNT, "a run paused for human input (RunStep)")
RUN_STEPS_WAITING = MetricSpec("RunStepsWaiting", Unit.COUNT, "a long-running module asked to be polled again")
RUN_STEPS_CONTINUED = MetricSpec("RunStepsContinued", Unit.COUNT, "RunStep spent its budget and continues")
RUNS_CONTINUED_AS_NEW = MetricSpec("RunsContinuedAsNew", Unit.COUNT, "a run continued as a new execution")
INPUTS_ANSWERED = MetricSpec("InputsAnswered", Unit.COUNT, "POST /v1/runs/{id}/input answered a pause")
VERSIONS_CREATED = MetricSpec("VersionsCreated", Unit.COUNT, "a template version was created")
VERSIONS_RESUBMITTED = MetricSpec("VersionsResubmitted", Unit.COUNT, "a submitted workflow matched a stored version")
PAUSES_WAITING = MetricSpec("PausesWaiting", Unit.COUNT, "pauses waiting for input now (PauseMonitor, every 5 minutes)")
OLDEST_PAUSE_AGE = MetricSpec("OldestPauseAgeSeconds", Unit.SECONDS, "age of the oldest waiting pause (PauseMonitor)")
LLM_CALLS = MetricSpec("LlmCalls", Unit.COUNT, "calls to an LLM provider", ("provider", "model"))
LLM_CALL_ERRORS = MetricSpec(
    "LlmCallErrors", Unit.COUNT, "LLM calls that failed or did not fit their schema", ("provider", "model")
)
LLM_INPUT_TOKENS = MetricSpec("LlmInputTokens", Unit.COUNT, "input tokens of LLM calls", ("provider", "model"))
LLM_OUTPUT_TOKENS = MetricSpec("LlmOutputTokens", Unit.COUNT, "output tokens of LLM calls", ("provider", "model"))
LLM_COST_USD = MetricSpec("LlmCostUsd", Unit.NONE, "list-price cost of LLM calls, USD (priced models)", ("provider", "model"))
MEDIA_VERIFIED = MetricSpec("MediaVerified", Unit.COUNT, "an upload passed verification (ready)")
MEDIA_REJECTED = MetricSpec("MediaRejected", Unit.COUNT, "an upload failed verification (rejected, deleted)")

REGISTRY: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        RUNS_STARTED,
        RUNS_COMPLETED,
        RUNS_FAILED,
        RUNS_CANCELLED,
        RUNS_PAUSED,
        RUN_STEPS_WAITING,
        RUN_STEPS_CONTINUED,
        RUNS_CONTINUED_AS_NEW,
        INPUTS_ANSWERED,
        VERSIONS_CREATED,
        VERSIONS_RESUBMITTED,
        PAUSES_WAITING,
        OLDEST_PAUSE_AGE,
        LLM_CALLS,
        LLM_CALL_ERRORS,
        LLM_INPUT_TOKENS,
        LLM_OUTPUT_TOKENS,
        LLM_COST_USD,
        MEDIA_VERIFIED,
        MEDIA_REJECTED,
    )
}

# The values a bounded dimension may take; anything else is published as OTHER.
PROVIDERS = ("echo", "openai", "anthropic")
OTHER = "other"


def bounded(value: str | None, allowed: tuple[str, ...] | frozenset[str]) -> str:
    return value if value is not None and value in allowed else OTHER
