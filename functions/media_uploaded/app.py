"""MediaUploaded: S3 ObjectCreated on the media bucket's `uploads/` prefix. Verifies each
upload (size, Content-Type, magic bytes, sha256): `ready`, or `rejected` and deleted.
Idempotent: a media already decided (by `POST /v1/media/{id}/complete`) stays as it is."""

from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from relay.containers.shared import SharedServices
from relay.settings import Settings

logger = Logger()
tracer = Tracer()
relay = SharedServices(Settings())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    decided = {}
    for record in event.get("Records", []):
        obj = record["s3"]["object"]
        key = unquote_plus(obj["key"])  # S3 event keys are URL-encoded
        media = relay.media.object_created(key, obj.get("eTag"))
        status = media.status.value if media else "ignored"
        logger.info("upload verified", key=key, status=status, reason=getattr(media, "reason", None))
        decided[key] = status
    return decided
