"""AwaitInput task (`lambda:invoke.waitForTaskToken`): store the task token as a pending
input and mark the run awaiting_input. The execution then waits for the API's answer."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from relay.containers.runtime import RuntimeContainer
from relay.settings import Settings

logger = Logger()
tracer = Tracer()
relay = RuntimeContainer(Settings())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> None:
    pause = event["pause"]
    # Per invocation, on this thread only (relay local runs functions in threads of one process).
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(run_id=event["run_id"], step_id=pause["step_id"], correlation_id=context.aws_request_id)
    relay.execution.await_input(
        event["run_id"], pause, event["task_token"], context.aws_request_id, execution_arn=event.get("execution_arn")
    )
    logger.info("waiting for input", timeout_seconds=pause["timeout_seconds"])
