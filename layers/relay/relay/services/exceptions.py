"""The API use cases' errors: a request the run's (or record's) state refuses now.

Each is a `relay.exceptions.RelayError` of the kind it answers as, with a stable `code`
(registered in relay.api.problems); the errors the domain's records raise are in
relay.domain.exceptions.
"""

from __future__ import annotations

from relay.exceptions import AlreadyDecidedError, ConflictError, UnprocessableError


class NotAwaitingInputError(ConflictError):
    code = "NOT_AWAITING_INPUT"


class AlreadyAnsweredError(AlreadyDecidedError):
    """Told to every answer but the winner, with the winning input's id."""


class ArtifactNotUploadedError(ConflictError):
    code = "ARTIFACT_NOT_UPLOADED"


class ArtifactUploadRejectedError(UnprocessableError):
    code = "ARTIFACT_UPLOAD_REJECTED"


class ArtifactNotPendingError(ConflictError):
    code = "ARTIFACT_NOT_PENDING"


class RunBusyError(ConflictError):
    """A step is running: only one execution is active per run."""

    code = "RUN_BUSY"


class MediaNotUploadedError(ConflictError):
    code = "MEDIA_NOT_UPLOADED"


class MediaRejectedError(UnprocessableError):
    code = "MEDIA_REJECTED"


class VersionMismatchError(ConflictError):
    code = "VERSION_MISMATCH"


class RunCompletedError(ConflictError):
    code = "RUN_COMPLETED"


class NoPendingMismatchError(ConflictError):
    code = "NO_PENDING_MISMATCH"


class StepNotInVersionError(ConflictError):
    code = "STEP_NOT_IN_VERSION"


class RunEndedError(ConflictError):
    code = "RUN_ENDED"


class RunNotFailedError(ConflictError):
    code = "RUN_NOT_FAILED"
