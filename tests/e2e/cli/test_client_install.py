"""`pip install ./clients/python` into a clean venv: the client and relay_workflow (shipped in
its wheel) import, none of the server's dependencies is installed or imported, `relay --help`
works, and `relay local` says in one line how to get the server's tooling. One wheel build,
one venv (pip fetches hatchling, httpx and rich from the package index)."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from relay_local import ROOT

SERVER_ONLY = ("boto3", "botocore", "fastapi", "pydantic", "pydantic_settings", "aws_lambda_powertools", "moto", "mangum")
CHECK = f"""
import importlib, importlib.util, pkgutil, sys
import relay_client, relay_workflow
for package in (relay_client, relay_workflow):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
from relay_client import Relay
assert Relay("http://x", "rk_k").url == "http://x"
assert relay_workflow.__file__.startswith(sys.prefix), relay_workflow.__file__
installed = [m for m in {SERVER_ONLY!r} if importlib.util.find_spec(m) is not None]
imported = [m for m in sys.modules if m.split(".")[0] in {SERVER_ONLY!r}]
print("installed", installed, "imported", imported)
assert not installed and not imported
"""


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("client-install")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(where / "dist"), str(ROOT / "clients" / "python")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((where / "dist").glob("relay_client-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "relay_workflow/canonical.py" in names and "relay_client/cli/main.py" in names
    assert not any(n.startswith(("relay/", "relay_tools/")) for n in names)
    venv.create(where / "venv", with_pip=True)
    python = where / "venv" / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True, timeout=300, check=False
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return where / "venv"


def test_it_imports_without_the_servers_dependencies(clean_venv: Path):
    done = subprocess.run(
        [str(clean_venv / "bin" / "python"), "-c", CHECK],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=clean_venv,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed [] imported []" in done.stdout


def test_relay_help_works_and_relay_local_says_how_to_get_it(clean_venv: Path):
    relay = str(clean_venv / "bin" / "relay")
    shown = subprocess.run([relay, "--help"], capture_output=True, text=True, timeout=60, cwd=clean_venv, check=False)
    assert shown.returncode == 0 and "relay run" in shown.stdout and "exit codes" in shown.stdout
    local = subprocess.run([relay, "local"], capture_output=True, text=True, timeout=60, cwd=clean_venv, check=False)
    assert local.returncode == 2 and local.stdout == ""
    lines = local.stderr.strip().splitlines()
    assert len(lines) == 1 and "make dev" in lines[0] and "clone" in lines[0]
