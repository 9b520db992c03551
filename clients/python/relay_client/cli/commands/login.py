"""`relay login`: check a key against the server and save it as a profile (file mode 0600)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from . import add

if TYPE_CHECKING:
    from ..context import Context


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cmd = add(
        commands,
        "login",
        common,
        help="save a server URL and API key as a profile",
        examples="  relay login --url http://127.0.0.1:8000          # asks for the key (not echoed)\n"
        "  RELAY_API_KEY=rk_… relay login --url https://api.example.com --profile prod\n  relay login --list",
    )
    cmd.add_argument("--default", action="store_true", help="make it the default profile")
    cmd.add_argument("--list", action="store_true", help="list saved profiles (never their keys)")
    cmd.set_defaults(run=login)


def login(ctx: Context) -> int:
    from ... import config
    from ...client import Relay
    from ...exceptions import ClientInputError
    from ..terminal import Terminal

    if ctx.args.list:
        names = config.profile_names()
        ctx.out.document({"profiles": names}) if ctx.out.json_mode else ctx.out.line("\n".join(names) or "(none)")
        return 0
    url = ctx.args.url or os.environ.get("RELAY_URL") or Terminal().ask("API URL: ").strip()
    key = os.environ.get("RELAY_API_KEY") or Terminal().secret("API key (not shown): ").strip()
    if not url or not key:
        raise ClientInputError("a URL and a key are needed", code="USAGE")
    with Relay(url, key) as relay:
        next(iter(relay.runs.list(limit=1)), None)  # a wrong key is a 401 here, before saving
    name = ctx.args.profile or config.DEFAULT_PROFILE
    path = config.save_profile(config.Profile(name, url.rstrip("/"), key), make_default=ctx.args.default)
    ctx.out.info(f"profile {name!r} saved in {path} (mode 0600)")
    return 0
