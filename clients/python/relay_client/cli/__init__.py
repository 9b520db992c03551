"""The `relay` command line (argparse). `relay --help` lists the commands."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from .main import main as run

    return run(argv)
