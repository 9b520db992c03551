"""A real `relay local` (the project's `relay` command, its server tooling) on free ports, as
`make dev` runs it, for the end-to-end tests (the CLI's and the web UI's); and users made
through its admin API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RELAY = str(Path(sys.executable).parent / "relay")
DEV_KEY = "rk_e2e_dev_key_0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env() -> dict[str, str]:
    """This process's environment without anything that would point `relay` elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "AWS_", "MOTO_", "NO_COLOR", "EDITOR", "VISUAL"))}


@dataclass(frozen=True)
class LocalServer:
    url: str
    dev_key: str  # the seeded admin's key


@contextmanager
def relay_local(dev_key: str = DEV_KEY, startup_seconds: float = 90) -> Iterator[LocalServer]:
    """`relay local` on a free port until the block ends (or, with RELAY_E2E_URL and
    RELAY_E2E_DEV_KEY, a server already running, e.g. `make dev`'s)."""
    if os.environ.get("RELAY_E2E_URL"):
        yield LocalServer(os.environ["RELAY_E2E_URL"], os.environ["RELAY_E2E_DEV_KEY"])
        return
    port = free_port()
    env = {**clean_env(), "RELAY_DEV_API_KEY": dev_key}
    # Its output goes to a file, never to a pipe nobody reads: once a pipe's buffer is full,
    # every thread of the server that logs blocks, and runs stop mid-step.
    log = tempfile.NamedTemporaryFile(prefix="relay-local-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [RELAY, "local", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup_seconds
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"relay local did not start: {Path(log.name).read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)
    try:
        yield LocalServer(url, dev_key)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        log.close()
        os.unlink(log.name)


_made = iter(range(1, 1_000_000))


def create_user(server: LocalServer, prefix: str = "e2e") -> tuple[str, str]:
    """A new user through the admin API: (username, api_key)."""
    n = next(_made)
    stamp = time.time_ns()
    made = httpx.post(
        f"{server.url}/v1/admin/users",
        headers={"Authorization": f"Bearer {server.dev_key}"},
        json={"username": f"{prefix}{n}x{stamp % 10**6}", "email": f"{prefix}{n}.{stamp}@example.com"},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return made.json()["user"]["username"], made.json()["api_key"]
