"""`relay_workflow`'s functions as the server calls them: the same behaviour, raising the
server's `RelayError` twins (`exceptions.from_format_error`) instead of the pure errors, so
each answers its 400 problem. Everything else (`DictSource`, the limits, `HASH_PREFIX`) is
`relay_workflow`'s own object, re-exported by `relay.workflows`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import relay_workflow.archive as _archive
import relay_workflow.canonical as _canonical
import relay_workflow.refs as _refs
from relay_workflow.exceptions import WorkflowFormatError

from .exceptions import from_format_error

P = ParamSpec("P")
R = TypeVar("R")


def _server_errors(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except WorkflowFormatError as exc:
            raise from_format_error(exc) from exc

    return call


canonical_json = _server_errors(_canonical.canonical_json)
content_hash = _server_errors(_canonical.content_hash)
verify_content_hash = _server_errors(_canonical.verify_content_hash)
check_claimed_hash = _server_errors(_canonical.check_claimed_hash)
resolve_refs = _server_errors(_refs.resolve_refs)
read_workflow_zip = _server_errors(_archive.read_workflow_zip)
