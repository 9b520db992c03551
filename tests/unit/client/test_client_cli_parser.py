"""The `relay` parser: a command line naming a command builds only that command's module
(cli/commands COMMANDS), and that parser is the one the full build makes; every command and
subcommand has `--help` with examples."""

from __future__ import annotations

import argparse

import pytest

from relay_client.cli.commands import COMMAND_MODULES, COMMANDS, common_options, load
from relay_client.cli.main import build_parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_the_table_names_exactly_the_commands_each_module_registers(module):
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    load(module).register(commands, common_options())
    assert set(commands.choices) == {name for name, owner in COMMANDS.items() if owner == module}


def test_every_module_is_in_the_table():
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_built_alone_is_the_one_the_full_parser_has(name):
    alone, _ = build_parser([name, "--help"])
    full, _ = build_parser(["--help"])
    assert set(_subparsers(alone)) >= {name} and set(_subparsers(full)) >= set(COMMANDS) | {"local", "admin"}
    assert _subparsers(alone)[name].format_help() == _subparsers(full)[name].format_help()
    nested = _subparsers(_subparsers(full)[name])
    for sub, parser in nested.items():
        assert parser.format_help() == _subparsers(_subparsers(alone)[name])[sub].format_help()


def _every_command(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for name, sub in _subparsers(parser).items():
        if name in ("local", "admin"):
            continue  # the server's tooling, not the client's
        nested = _subparsers(sub)
        if nested:
            yield from _every_command(sub, (*path, name))
        else:
            yield " ".join((*path, name)), sub


def test_every_command_has_help_with_examples():
    full, _ = build_parser(["--help"])
    found = dict(_every_command(full))
    assert {"run", "attach", "runs list", "runs show", "artifacts edit", "templates submit", "media upload", "login"} <= set(
        found
    )
    missing = [name for name, parser in found.items() if "examples:" not in (parser.epilog or "")]
    assert missing == []
