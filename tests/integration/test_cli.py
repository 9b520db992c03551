"""The `relay` command: `relay admin create-user` against DynamoDB, and `relay local`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from servers import free_port

RELAY = [sys.executable, "-m", "relay_tools.cli"]
ROOT = Path(__file__).resolve().parents[2]


def test_admin_create_user_prints_a_working_key_once(cloud, api_url):
    done = subprocess.run(
        [*RELAY, "admin", "create-user", "Operator1", "--email", "op1@example.com", "--admin"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert created["user"]["username"] == "operator1" and created["user"]["is_admin"] is True
    assert "shown once" in done.stderr
    key = created["api_key"]
    response = httpx.get(f"{api_url}/v1/runs", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200

    again = subprocess.run(
        [*RELAY, "admin", "create-user", "operator1", "--email", "other@example.com"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
    assert again.returncode == 1
    assert "USERNAME_TAKEN" in again.stderr


def _start_local(extra_env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "AWS_", "MOTO_"))}
    env.update(extra_env)
    process = subprocess.Popen(
        [*RELAY, "local", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process, port
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"relay local did not start: {process.stdout.read()}")


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    return output


def test_relay_local_seeds_the_given_dev_key_and_stops_cleanly():
    key = "rk_local_test_key_0123456789"
    process, port = _start_local({"RELAY_DEV_API_KEY": key})
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/v1/runs", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        admin = httpx.post(
            f"{base}/v1/admin/users",
            json={"username": "someone", "email": "someone@example.com"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert admin.status_code == 201  # dev is an admin
        assert httpx.get(f"{base}/docs").status_code == 200
    finally:
        output = _stop(process)
    assert f"http://127.0.0.1:{port}" in output and "/docs" in output
    assert key in output
    assert "Relay stopped." in output


def test_relay_local_generates_and_prints_a_key_when_none_is_given():
    process, _ = _start_local({})
    output = _stop(process)
    line = next(line for line in output.splitlines() if "Dev API key" in line)
    key = line.split()[3]
    assert key.startswith("rk_") and len(key) > 20
    assert "generated" in line


def test_relay_local_passes_its_provider_settings_to_the_template(fake_providers):
    """OPENAI_BASE_URL becomes the template parameter RunStep sees, and OPENAI_API_KEY goes into
    the template's secret, which RunStep reads as in the cloud: an api.llm step reaches the
    fake server with that key."""
    key = "rk_local_llm_key_0123456789"
    process, port = _start_local(
        {
            "RELAY_DEV_API_KEY": key,
            "OPENAI_API_KEY": "sk-from-relay-local",
            "OPENAI_BASE_URL": fake_providers.openai_base_url,
        }
    )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        wf = {
            "workflow_id": "local-llm",
            "schema_version": "1.0",
            "steps": [
                {
                    "step_id": "s",
                    "modules": [
                        {
                            "module_id": "api.llm",
                            "inputs": {
                                "provider": "openai",
                                "model": "m-relay-local",
                                "messages": [{"role": "user", "content": "hello"}],
                            },
                            "outputs_to_state": {"text": "t"},
                        }
                    ],
                }
            ],
        }
        run_id = client.post("/v1/runs", json={"workflow": wf}).json()["run_id"]
        deadline = time.monotonic() + 30
        while (run := client.get(f"/v1/runs/{run_id}").json())["status"] not in ("completed", "error"):
            assert time.monotonic() < deadline, run
            time.sleep(0.1)
        assert run["status"] == "completed", run["error"]
        assert run["state"]["t"] == "echo: hello [images: 0]"
    finally:
        output = _stop(process)
    sent = [h for _, h, body in fake_providers.requests if body.get("model") == "m-relay-local"]
    assert sent and sent[0]["authorization"] == "Bearer sk-from-relay-local"
    assert "LLM providers  echo, openai (base URLs: OpenAIBaseUrl=" in output


def test_relay_local_refuses_a_dev_key_that_is_not_a_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "AWS_", "MOTO_"))}
    env["RELAY_DEV_API_KEY"] = "short"
    result = subprocess.run(
        [*RELAY, "local", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "RELAY_DEV_API_KEY: INVALID_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr
