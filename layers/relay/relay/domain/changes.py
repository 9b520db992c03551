"""What a use case changes beside a run, stated as records.

A service commits a run with its events and these changes in one call
(`RunRepository.create/commit/decide/reopen`); the DynamoDB adapter turns each into its
conditional write of one transaction (relay.adapters.transaction). Each change names the
error its condition raises when it fails (`conflict`), so a cancelled transaction is
answered by the error of the change that failed, whatever else rode along.

Pure: no AWS. The unit-test fake (tests/unit/fakes.py) applies the same records to dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from relay.exceptions import AlreadyDecidedError, ConcurrentUpdateError, ConflictError

from .artifacts import ArtifactStatus
from .branches import Branch
from .models import PendingInput, Run

_DECIDED = "that input was already decided"
_MOVED = "a record this change depends on changed; reload and retry"


def conflict_error(conflict: type[ConflictError]) -> ConflictError:
    """The error a change raises when its condition fails."""
    return conflict(_DECIDED if issubclass(conflict, AlreadyDecidedError) else _MOVED)


@dataclass(frozen=True)
class PutPendingInput:
    """A pause's stored task token, in its user's inbox while pending (only if new)."""

    pending: PendingInput
    ttl: int  # epoch seconds
    conflict: type[ConflictError] = AlreadyDecidedError


@dataclass(frozen=True)
class ClosePendingInput:
    """Take a pending input out of the inbox with a final status, only from `from_statuses`."""

    run_id: str
    input_id: str
    status: str  # cancelled, superseded, expired
    from_statuses: tuple[str, ...] = ("pending",)
    conflict: type[ConflictError] = AlreadyDecidedError


@dataclass(frozen=True)
class ClaimPendingInput:
    """An answer claims the pause: pending → answered with this value, only while pending."""

    run_id: str
    input_id: str
    value: Any
    decided_by: str
    conflict: type[ConflictError] = AlreadyDecidedError


@dataclass(frozen=True)
class ReopenPendingInput:
    """Undo a claim whose answer could not be delivered, unless RunStep applied it already."""

    run_id: str
    input_id: str
    user_id: str
    conflict: type[ConflictError] = AlreadyDecidedError


@dataclass(frozen=True)
class ApplyAnswer:
    """RunStep applied this answer: the pending input records the value delivered, whoever
    claimed it, and can no longer be reopened (it must exist)."""

    run_id: str
    input_id: str
    value: Any
    decided_by: str | None
    conflict: type[ConflictError] = AlreadyDecidedError


@dataclass(frozen=True)
class RecordDecision:
    """A decision on an artifact, only while it is the latest version and awaiting one."""

    artifact_id: str
    status: ArtifactStatus
    decided_by: str
    decided_at: str
    reason: str | None
    input_id: str | None
    conflict: type[ConflictError] = ConcurrentUpdateError


@dataclass(frozen=True)
class UndoDecision:
    """Take back the decision the claim of `input_id` recorded (back to `status`)."""

    artifact_id: str
    status: ArtifactStatus
    input_id: str
    conflict: type[ConflictError] = ConcurrentUpdateError


@dataclass(frozen=True)
class PutBranch:
    """A new branch record of the run being switched to it (only if new)."""

    branch: Branch
    conflict: type[ConflictError] = ConcurrentUpdateError


@dataclass(frozen=True)
class IndexRun:
    """Search index entries: `run` is found by `words` (a plain put: writing one twice is harmless)."""

    run: Run
    words: tuple[str, ...]


Change: TypeAlias = (
    PutPendingInput
    | ClosePendingInput
    | ClaimPendingInput
    | ReopenPendingInput
    | ApplyAnswer
    | RecordDecision
    | UndoDecision
    | PutBranch
    | IndexRun
)
