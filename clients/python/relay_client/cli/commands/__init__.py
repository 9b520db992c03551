"""One module per command group; each has `register(commands, common)` and imports the SDK
only when its command runs (so building the parser stays cheap)."""

from __future__ import annotations

import argparse
from importlib import import_module
from types import ModuleType

COMMAND_MODULES = ("run", "runs", "approvals", "artifacts", "logs", "templates", "media", "login")
# Which module registers each command: a command line naming one builds only its parser
# (`relay --help` and anything unknown build them all). A unit test holds this to register().
COMMANDS = {
    "run": "run",
    "attach": "run",
    "runs": "runs",
    "approvals": "approvals",
    "artifacts": "artifacts",
    "logs": "logs",
    "templates": "templates",
    "media": "media",
    "login": "login",
}


def load(name: str) -> ModuleType:
    return import_module(f"{__name__}.{name}")


def common_options() -> argparse.ArgumentParser:
    """Options every command takes (after the command name)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection and output")
    group.add_argument("--url", help="API base URL (default: $RELAY_URL, else the profile's)")
    group.add_argument("--profile", help="a profile saved by `relay login` (default: $RELAY_PROFILE or the default one)")
    group.add_argument("--json", action="store_true", help="print one JSON document on stdout, nothing else there")
    group.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR set, or output not a terminal)")
    return common


def add(
    commands: argparse._SubParsersAction,
    name: str,
    common: argparse.ArgumentParser,
    *,
    help: str,
    examples: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """A subcommand with the common options and an examples epilog."""
    return commands.add_parser(
        name,
        help=help,
        description=description or help,
        parents=[common],
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
