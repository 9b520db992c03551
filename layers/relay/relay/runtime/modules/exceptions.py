"""Errors raised by step modules. A module error ends its run in `error` with the code recorded."""

from __future__ import annotations

from relay.exceptions import InvalidRequestError, RelayError


class ModuleError(RelayError):
    """A module failed while executing; the run ends in `error` with this code."""

    code = "MODULE_ERROR"
    status = 422


class UnknownModuleError(InvalidRequestError):
    code = "UNKNOWN_MODULE"


class ModuleInputError(ModuleError):
    """A module's resolved inputs do not fit its input model."""

    code = "INVALID_MODULE_INPUT"


class ReferenceResolutionError(ModuleError):
    """A `$state.…`/`$run.…`/`$step.…` reference names nothing."""

    code = "UNRESOLVED_REFERENCE"


class InvalidAnswerError(InvalidRequestError):
    """A human's answer to a pause does not fit what was asked (400, nothing changes)."""

    code = "INVALID_INPUT_VALUE"
