"""RunStep task: apply the answer in the event (if any), then run modules until a pause,
the end, or a failure. Returns the state machine's next state object."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from relay import metrics
from relay.containers.runtime import RuntimeContainer
from relay.metrics import names as metric
from relay.runtime.outcomes import Outcome
from relay.settings import Settings

logger = Logger()
tracer = Tracer()
relay = RuntimeContainer(Settings())

_OUTCOME_METRICS = {
    Outcome.paused: metric.RUNS_PAUSED,
    Outcome.waiting: metric.RUN_STEPS_WAITING,
    Outcome.continue_: metric.RUN_STEPS_CONTINUED,
    Outcome.continued: metric.RUNS_CONTINUED_AS_NEW,
    Outcome.completed: metric.RUNS_COMPLETED,
    Outcome.failed: metric.RUNS_FAILED,
}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    # Per invocation, on this thread only (relay local runs functions in threads of one process).
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(run_id=event["run_id"], correlation_id=context.aws_request_id)
    result = relay.execution.run_step(
        event["run_id"],
        event.get("input"),
        context.aws_request_id,
        invocations=event.get("invocations") or 0,
        execution_arn=event.get("execution_arn"),
        state_machine_arn=event.get("state_machine_arn"),
    )
    logger.info("run advanced", outcome=result["outcome"], step_id=(result.get("pause") or {}).get("step_id"))
    metrics.count(_OUTCOME_METRICS[result["outcome"]])
    return result
