"""The examples run as documented against the API on the local cloud (no provider keys)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_review_example_runs_to_an_exported_run(client):
    key = client.headers["Authorization"].removeprefix("Bearer ")
    env = {**os.environ, "RELAY_KEY": key}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "review" / "run.py"), "--api", str(client.base_url)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "run completed → published version 2 {'title': 'A better title'" in out, out
    assert "lineage: [(1, 'pending', False), (2, 'approved', True)]" in out, out
    assert "'artifacts/post/v2.json'" in out and "'artifacts/cover/v1.png'" in out, out
