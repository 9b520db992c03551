"""The server's tooling as `relay` subcommands: `relay local` (the embedded cloud and the API)
and `relay admin …` (operator commands). `add_local_parser` and `add_admin_parser` are also
the entry points of the `relay.commands` group, through which the client's `relay` offers them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run_local(args: argparse.Namespace) -> int:
    from .local.command import run_local

    return run_local(args)


def _create_user(args: argparse.Namespace) -> int:
    from .admin import create_user

    return create_user(args)


def _reindex_runs(args: argparse.Namespace) -> int:
    from .reindex import reindex_runs

    return reindex_runs(args)


def add_local_parser(subparsers: argparse._SubParsersAction) -> None:
    """`relay local`, with `handler` set to what runs it."""
    local = subparsers.add_parser("local", help="run Relay locally: the embedded cloud and the API")
    local.add_argument("--host", default="127.0.0.1", help="API host (default 127.0.0.1)")
    local.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    local.add_argument("--aws-port", type=int, default=0, help="local cloud port (default: a free one)")
    local.add_argument("--template", type=Path, default=None, help="template.yaml (default: the repository's)")
    local.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    local.set_defaults(handler=_run_local)


def add_admin_parser(subparsers: argparse._SubParsersAction) -> None:
    """`relay admin create-user|reindex-runs`, each with `handler` set to what runs it."""
    admin = subparsers.add_parser("admin", help="operator commands (DynamoDB, with your AWS credentials)")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_commands.add_parser("create-user", help="create a user and print its API key (shown once)")
    create.add_argument("username")
    create.add_argument("--email", required=True)
    create.add_argument("--admin", action="store_true", help="give the user the admin flag")
    create.add_argument(
        "--users-table",
        default=None,
        help="the UsersTable name (default: $RELAY_USERS_TABLE, or the stack output UsersTableName)",
    )
    create.add_argument("--stack-name", default="relay", help="stack to read UsersTableName from (default relay)")
    create.set_defaults(handler=_create_user)
    reindex = admin_commands.add_parser("reindex-runs", help="write the run search index (GET /v1/runs?q=) for runs that lack it")
    reindex.add_argument("--user-id", default=None, help="only this user's runs (default: every run, by a Scan)")
    reindex.add_argument(
        "--stack-name", default="relay", help="stack to read table names from where $RELAY_<NAME> is unset (default relay)"
    )
    reindex.set_defaults(handler=_reindex_runs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relay", description="Relay: human-in-the-loop AI content workflows.")
    commands = parser.add_subparsers(dest="command", required=True)
    add_local_parser(commands)
    add_admin_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
