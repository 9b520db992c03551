"""Branches of a run and a pending resume offer (DESIGN §4: branch; seed 001 Resume Flow)."""

from __future__ import annotations

from pydantic import BaseModel

MAIN_BRANCH = "main"
MAX_BRANCHES_PER_RUN = 200
RESUME_CHOICES = ("continue_with_new", "continue_with_original", "start_fresh")


class Branch(BaseModel):
    """A line of a run's history. `main` is implicit (every run starts on it); every other
    branch forks from an event of its parent branch."""

    run_id: str
    branch_id: str
    parent_branch_id: str | None = None
    branch_point_event_id: str | None = None
    branch_point_seq: int | None = None
    first_seq: int | None = None  # its branch_created event
    created_by: str | None = None
    created_at: str


class ResumeOffer(BaseModel):
    """What a 409 VERSION_MISMATCH offered; /resume/confirm applies one of RESUME_CHOICES."""

    current_version_id: str
    submitted_version_id: str
    offered_at: str
