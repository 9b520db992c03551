"""Per-user quotas: what each bounds, its default, and the 429 when one is full.

Pure: no AWS. Counted by relay.adapters.quotas (conditional writes in the transactions of
the things counted); read and overridden through relay.services.quotas.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Quota(StrEnum):
    active_runs = "active_runs"  # runs running or awaiting_input
    runs_per_day = "runs_per_day"  # runs started in the current UTC day
    stored_bytes = "stored_bytes"  # artifact versions and media objects
    pending_uploads = "pending_uploads"  # media in `pending`


# What frees a quota, for people (the 429's `frees_when` and GET /v1/quotas).
FREES_WHEN: dict[Quota, str] = {
    Quota.active_runs: "when one of your active runs completes, fails or is cancelled",
    Quota.runs_per_day: "at the next UTC midnight",
    Quota.stored_bytes: "when stored media is rejected (artifacts and verified media stay counted)",
    Quota.pending_uploads: "when a pending upload is verified or rejected, or its upload form expires",
}

# A limit an admin may set: 0 stops the user from using the resource at all.
MAX_LIMIT = 10**15


def next_utc_midnight(now: datetime) -> datetime:
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def utc_day(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d")
