"""What every test of the client sets up on top of a `relay local` (tests/support/relay_local.py)
or the integration suite's local cloud: a user with its own home and `relay` environment, the
README's greeting workflow, a tiny PNG. Used by tests/e2e/cli, tests/integration/test_client_sdk.py
and tests/bench/cli.py. Tests import these from here, never from a conftest: with several
suites in one session (make test's xdist workers collect integration and e2e together),
`conftest` is whichever conftest.py was imported last."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from relay_local import RELAY, ROOT, LocalServer, clean_env, create_user

__all__ = ["GREETING", "PNG", "RELAY", "ROOT", "User", "finish", "new_user", "write_greeting"]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
# The README's 3-step run: a text question, a select, then the greeting written from both.
GREETING: dict[str, Any] = {
    "workflow_id": "greeting",
    "schema_version": "1.0",
    "steps": [
        {
            "step_id": "ask",
            "modules": [
                {
                    "module_id": "user.text_input",
                    "inputs": {"prompt": "Your name?", "max_length": 40},
                    "outputs_to_state": {"value": "name"},
                }
            ],
        },
        {
            "step_id": "pick",
            "modules": [
                {
                    "module_id": "user.select",
                    "inputs": {"prompt": "Tone?", "options": ["warm", "formal"]},
                    "outputs_to_state": {"value": "tone"},
                }
            ],
        },
        {
            "step_id": "write",
            "modules": [
                {
                    "module_id": "transform.format",
                    "inputs": {"template": "Hello {name} ({tone})", "values": {"name": "$state.name", "tone": "$state.tone"}},
                    "outputs_to_state": {"value": "greeting"},
                }
            ],
        },
    ],
}


def write_greeting(home: Path) -> Path:
    """The greeting workflow as a folder (`relay run HOME/greeting`)."""
    folder = home / "greeting"
    folder.mkdir()
    (folder / "workflow.json").write_text(json.dumps(GREETING))
    return folder


@dataclass
class User:
    """One user of a server: its key, and a home that is its working directory and config dir."""

    url: str
    key: str
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment `relay` runs in as this user (nothing of this process's RELAY_/AWS_ settings)."""
        return {
            **clean_env(),
            "RELAY_URL": self.url,
            "RELAY_API_KEY": self.key,
            "RELAY_CONFIG_DIR": str(self.home / ".config"),
            "TERM": "xterm",
            "COLUMNS": "120",
            "LINES": "40",
            **extra,
        }

    def run(self, *args: str, input: str | None = None, timeout: float = 90, **env: str) -> subprocess.CompletedProcess[str]:
        """`relay ARGS` with pipes (not a terminal): stdout and stderr apart."""
        return subprocess.run(
            [RELAY, *args],
            cwd=self.home,
            env=self.env(**env),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def spawn(self, *args: str, **env: str):
        """`relay ARGS` on a pseudo-terminal."""
        import pexpect

        return pexpect.spawn(
            RELAY, list(args), cwd=str(self.home), env=self.env(**env), encoding="utf-8", timeout=60, dimensions=(40, 120)
        )

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30)


def new_user(server: LocalServer, home: Path, prefix: str = "e2e") -> User:
    """A new user made through the server's admin API, at home in `home` (created)."""
    _, key = create_user(server, prefix)
    home.mkdir(parents=True, exist_ok=True)
    return User(server.url, key, home)


def finish(child, timeout: float = 60) -> int:
    """Wait for a `relay` spawned by User.spawn to exit; its exit code (128 + N for signal N)."""
    import pexpect

    child.expect(pexpect.EOF, timeout=timeout)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
