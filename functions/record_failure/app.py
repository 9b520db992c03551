"""RecordFailure task: a caught error (input timeout, a failed task) ends the run in
`error` with its code and cause recorded, before the execution fails."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from relay.containers.runtime import RuntimeContainer
from relay.settings import Settings

logger = Logger()
tracer = Tracer()
relay = RuntimeContainer(Settings())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    # Per invocation, on this thread only (relay local runs functions in threads of one process).
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(run_id=event["run_id"], correlation_id=context.aws_request_id)
    error = event.get("error") or {}
    logger.warning("run failed", error=error.get("Error"), error_code=error.get("Error"), cause=error.get("Cause"))
    return relay.execution.record_failure(
        event["run_id"], error, context.aws_request_id, execution_arn=event.get("execution_arn")
    )
