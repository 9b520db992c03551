"""Lambda SnapStart: what an execution environment restored from a snapshot must make afresh.

With SnapStart (template parameter `ApiSnapStart`), Lambda runs the API function's init once
when a version is published, snapshots the memory, and starts every new environment of that
version from the same snapshot. Whatever init made is then shared by all of them. Init is
kept free of anything unique:

- no AWS session, client or connection: `Relay` makes them on first use (nothing talks to AWS
  at import), and `Relay.refresh()` forgets any that exist anyway, so credentials are resolved
  and connections opened by each environment itself;
- ids come from `secrets` (relay/ids.py), which reads the kernel's generator on every call and
  keeps no state in the process;
- the `random` module's generator *is* state in the process, seeded once at interpreter start:
  every restored environment would draw the same sequence (botocore's retry jitter uses it, so
  throttled clients would retry in lockstep). It is seeded again from the OS after a restore.

One thing cannot be renewed: `str` hashing's per-process secret (PYTHONHASHSEED) is fixed at
interpreter start, so restored environments share it. Nothing in Relay depends on it.

`snapshot_restore_py` is AWS's hook registry (on PyPI as `snapshot-restore-py`, and built into
the Lambda Python runtime, which runs the hooks). Registering is harmless where nothing ever
snapshots: the hooks simply never run.
"""

from __future__ import annotations

import random
from typing import Protocol

from snapshot_restore_py import register_after_restore


class Refreshable(Protocol):
    def refresh(self) -> None: ...


def after_restore(relay: Refreshable) -> None:
    """Run by the Lambda runtime in each environment restored from the snapshot, before its
    first invocation."""
    random.seed()  # from os.urandom: a sequence of this environment's own
    relay.refresh()


def register(relay: Refreshable) -> None:
    """Register `after_restore(relay)` with the runtime (once per composition root)."""
    register_after_restore(after_restore, relay)
