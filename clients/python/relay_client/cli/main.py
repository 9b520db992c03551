"""`relay`: the argument parser, the commands of each group, the server's tooling (the entry
point group `relay.commands`, present where the repository is installed), and errors as exit
codes (cli/exit_codes.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import exit_codes
from .commands import COMMAND_MODULES, COMMANDS, common_options, load

DESCRIPTION = """Relay from the command line: run a workflow folder end to end, answer its pauses,
find runs, review artifacts.

Configure with RELAY_URL and RELAY_API_KEY, or `relay login` (profiles; --profile NAME)."""
EPILOG = """examples:
  relay login --url http://127.0.0.1:8000
  relay run examples/review --project demo
  relay run greeting/ --answer ask=Ada --answer pick=warm --no-input --json
  relay runs list --status awaiting_input
  relay attach run_abc123

exit codes: 0 done, 1 run failed/rejected/cancelled, 2 usage or refused input,
            3 API, auth or connection error, 4 stopped at a pause (--no-input), 130 interrupted"""
SERVER_TOOLS = "relay.commands"
HOW_TO_GET_TOOLS = (
    "`relay {name}` is Relay's server tooling, not part of the client: clone the Relay repository "
    "and run `make dev` there (it installs both)."
)


def _add_server_tools(commands: argparse._SubParsersAction) -> set[str]:
    """`relay local` / `relay admin` from the server tooling when installed; else listed, and
    the names missing are returned (asking for one prints how to get it)."""
    from importlib.metadata import entry_points

    found = {ep.name: ep for ep in entry_points(group=SERVER_TOOLS)}
    for name in sorted(found):
        found[name].load()(commands)
    missing = {"local", "admin"} - set(found)
    for name in sorted(missing):
        commands.add_parser(name, help="server tooling (not installed with the client alone)")
    return missing


def build_parser(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, set[str]]:
    parser = argparse.ArgumentParser(
        prog="relay", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version="relay-client 0.1.0")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = common_options()
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for module in (COMMANDS[wanted],) if wanted in COMMANDS else COMMAND_MODULES:
        load(module).register(commands, common)
    missing: set[str] = set()
    if wanted not in commands.choices:  # --help, or a command of the server's tooling
        missing = _add_server_tools(commands)
    return parser, missing


def _run(args: argparse.Namespace) -> int:
    """The client's commands take a Context (`run=`); the server's tooling its args (`handler=`)."""
    if not hasattr(args, "run"):
        return int(args.handler(args) or 0)
    from .context import Context
    from .output import Output

    ctx = Context(args, Output(json_mode=args.json, no_color=args.no_color))
    try:
        return int(args.run(ctx) or 0)
    finally:
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, missing = build_parser(argv)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    if wanted in missing:
        print(f"error: {HOW_TO_GET_TOOLS.format(name=wanted)}", file=sys.stderr)
        return exit_codes.USAGE
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every client error becomes one line and an exit code
        from .errors import report

        return report(exc)
