"""A real `relay local` (the project's `relay` command, its server tooling), users made through
its admin API, and the `relay` CLI driven through a pseudo-terminal (pexpect) or pipes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
RELAY = str(Path(sys.executable).parent / "relay")
DEV_KEY = "rk_e2e_dev_key_0123456789abcdef"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
GREETING = {"workflow_id": "greeting", "schema_version": "1.0", "steps": [
    {"step_id": "ask", "modules": [{"module_id": "user.text_input", "inputs": {"prompt": "Your name?", "max_length": 40},
                                    "outputs_to_state": {"value": "name"}}]},
    {"step_id": "pick", "modules": [{"module_id": "user.select", "inputs": {"prompt": "Tone?", "options": ["warm", "formal"]},
                                     "outputs_to_state": {"value": "tone"}}]},
    {"step_id": "write", "modules": [{"module_id": "transform.format", "inputs": {
        "template": "Hello {name} ({tone})", "values": {"name": "$state.name", "tone": "$state.tone"}},
        "outputs_to_state": {"value": "greeting"}}]}]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "AWS_", "MOTO_", "NO_COLOR", "EDITOR", "VISUAL"))}


@pytest.fixture(scope="session")
def local_url() -> Iterator[str]:
    """`relay local` as `make dev` runs it, on free ports (or, with RELAY_E2E_URL and
    RELAY_E2E_DEV_KEY, a server already running, e.g. `make dev`'s)."""
    if os.environ.get("RELAY_E2E_URL"):
        global DEV_KEY
        DEV_KEY = os.environ["RELAY_E2E_DEV_KEY"]
        yield os.environ["RELAY_E2E_URL"]
        return
    port = _free_port()
    env = {**_clean_env(), "RELAY_DEV_API_KEY": DEV_KEY}
    process = subprocess.Popen([RELAY, "local", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"relay local did not start: {process.stdout.read()}")
        time.sleep(0.2)
    yield url
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
