"""A real `relay local` (the project's `relay` command, its server tooling), users made through
its admin API, and the `relay` CLI driven through a pseudo-terminal (pexpect) or pipes."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from relay_local import DEV_KEY as _DEV_KEY
from relay_local import RELAY, ROOT, relay_local
from relay_local import clean_env as _clean_env

DEV_KEY = _DEV_KEY
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
GREETING = {"workflow_id": "greeting", "schema_version": "1.0", "steps": [
    {"step_id": "ask", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Your name?", "max_length": 40},
                                    "outputs_to_state": {"value": "name"}}]},
    {"step_id": "pick", "modules": [{"module_id": "user.select", "inputs": {"prompt": "Tone?", "options": ["warm", "formal"]},
                                     "outputs_to_state": {"value": "tone"}}]},
    {"step_id": "write", "modules": [{"module_id": "transform.format", "inputs": {
        "template": "Hello {name} ({tone})", "values": {"name": "$state.name", "tone": "$state.tone"}},
        "outputs_to_state": {"value": "greeting"}}]}]}


@pytest.fixture(scope="session")
def local_url() -> Iterator[str]:
    """`relay local` as `make dev` runs it, on free ports (or, with RELAY_E2E_URL and
    RELAY_E2E_DEV_KEY, a server already running, e.g. `make dev`'s): tests/support/relay_local.py."""
    global DEV_KEY
    with relay_local(DEV_KEY) as server:
        DEV_KEY = server.dev_key
        yield server.url


@dataclass
class User:
    url: str
    key: str
    home: Path  # its working directory and config dir

    def env(self, **extra: str) -> dict[str, str]:
        return {**_clean_env(), "RELAY_URL": self.url, "RELAY_API_KEY": self.key, "RELAY_CONFIG_DIR": str(self.home / ".config"),
                "TERM": "xterm", "COLUMNS": "120", "LINES": "40", **extra}

    def run(self, *args: str, input: str | None = None, timeout: float = 90, **env: str) -> subprocess.CompletedProcess[str]:
        """`relay ARGS` with pipes (not a terminal): stdout and stderr apart."""
        return subprocess.run([RELAY, *args], cwd=self.home, env=self.env(**env), input=input, capture_output=True,
                              text=True, timeout=timeout, check=False)

    def spawn(self, *args: str, **env: str):
        """`relay ARGS` on a pseudo-terminal."""
        import pexpect

        return pexpect.spawn(RELAY, list(args), cwd=str(self.home), env=self.env(**env), encoding="utf-8",
                             timeout=60, dimensions=(40, 120))

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30)


_made = iter(range(1, 10_000))


@pytest.fixture
def make_user(local_url: str, tmp_path: Path) -> Callable[[], User]:
    def make() -> User:
        n = next(_made)
        made = httpx.post(f"{local_url}/v1/admin/users", headers={"Authorization": f"Bearer {DEV_KEY}"},
                          json={"username": f"e2e{n}x{time.time_ns() % 10**6}", "email": f"e2e{n}.{time.time_ns()}@example.com"})
        assert made.status_code == 201, made.text
        home = tmp_path / f"user{n}"
        home.mkdir()
        return User(local_url, made.json()["api_key"], home)

    return make


@pytest.fixture
def user(make_user: Callable[[], User]) -> User:
    return make_user()


def write_greeting(home: Path) -> Path:
    folder = home / "greeting"
    folder.mkdir()
    (folder / "workflow.json").write_text(json.dumps(GREETING))
    return folder


@pytest.fixture
def greeting(user: User) -> Path:
    return write_greeting(user.home)


def finish(child, timeout: float = 60) -> int:
    """Wait for a spawned relay to exit; its exit code."""
    import pexpect

    child.expect(pexpect.EOF, timeout=timeout)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
