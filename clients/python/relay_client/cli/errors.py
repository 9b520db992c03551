"""Errors as one clear line on stderr (title, detail, code) and the documented exit code."""

from __future__ import annotations

import sys

from ..exceptions import ClientInputError, RelayAPIError, RelayError, VersionMismatchError
from . import exit_codes


def describe(exc: RelayError) -> str:
    if isinstance(exc, RelayAPIError):
        return f"{exc.title}: {exc.detail} ({exc.code}, HTTP {exc.status})"
    return f"{exc.detail} ({exc.code})"


def details(exc: RelayError) -> list[str]:
    """Where a problem lists several issues (INVALID_WORKFLOW, INVALID_REQUEST), one line each."""
    if not isinstance(exc, RelayAPIError):
        return []
    lines = []
    for problem in exc.problem.get("problems") or []:
        where = " / ".join(str(problem[k]) for k in ("step_id", "module_id") if problem.get(k))
        lines.append(f"  - {where + ': ' if where else ''}{problem.get('message')}")
    for issue in exc.problem.get("errors") or []:
        loc = ".".join(str(p) for p in issue.get("loc") or [])
        lines.append(f"  - {loc}: {issue.get('msg')}")
    if isinstance(exc, VersionMismatchError):  # `relay runs resume` takes the choice as --choice
        lines.append(
            f"  the run is on {exc.problem.get('current_version')}, this is {exc.submitted_version_id}: "
            f"resume again with --choice {'|'.join(exc.options)}"
        )
    return lines


def report(exc: BaseException) -> int:
    if not isinstance(exc, RelayError):
        raise exc
    print(f"error: {describe(exc)}", file=sys.stderr)
    for line in details(exc):
        print(line, file=sys.stderr)
    return exit_codes.USAGE if isinstance(exc, ClientInputError) else exit_codes.API
