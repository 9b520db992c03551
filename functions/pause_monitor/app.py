"""PauseMonitor (EventBridge schedule, every 5 minutes): publishes how many pauses wait for
input and the age of the oldest (PausesWaiting, OldestPauseAgeSeconds), which the dashboard
shows and the StuckPause alarm watches."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from relay.containers.shared import SharedServices
from relay.ids import utcnow
from relay.settings import Settings

logger = Logger()
tracer = Tracer()
relay = SharedServices(Settings())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    figures = relay.pause_monitor.publish(utcnow())
    logger.info("pauses measured", pauses_waiting=figures.waiting, oldest_pause_age_seconds=figures.oldest_age_seconds)
    return {"pauses_waiting": figures.waiting, "oldest_pause_age_seconds": figures.oldest_age_seconds}
