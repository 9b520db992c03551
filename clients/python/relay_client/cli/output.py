"""What the CLI writes: tables for people, one JSON document for scripts (`--json`: stdout holds
that and nothing else), messages and errors on stderr. Colour and rich rendering only on a
terminal and without NO_COLOR; rich is imported only then."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, TextIO

Column = tuple[str, str]  # (key in the row, header)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def plain_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    cells = [[header.upper() for _, header in columns]] + [[_cell(row.get(k)) for k, _ in columns] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells)


class Output:
    def __init__(
        self, *, json_mode: bool = False, no_color: bool = False, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.no_color = no_color or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb"

    @property
    def rich_stdout(self) -> bool:
        return not self.json_mode and self.stdout.isatty()

    @property
    def rich_stderr(self) -> bool:
        return self.stderr.isatty()

    @cached_property
    def console(self) -> Any:
        from rich.console import Console

        return Console(file=self.stdout, no_color=self.no_color, highlight=False)

    @cached_property
    def err_console(self) -> Any:
        from rich.console import Console

        return Console(file=self.stderr, no_color=self.no_color, highlight=False)

    def document(self, doc: Any) -> None:
        """The --json answer: one JSON document on stdout."""
        self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        self.stdout.flush()

    def table(self, rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], *, title: str | None = None) -> None:
        rows = list(rows)
        if not self.rich_stdout:
            self.stdout.write(plain_table(rows, columns) + "\n")
            return
        from rich.table import Table

        table = Table(title=title, header_style="bold", box=None, pad_edge=False)
        for _, header in columns:
            table.add_column(header)
        for row in rows:
            table.add_row(*(_cell(row.get(key)) for key, _ in columns))
        self.console.print(table)

    def line(self, text: str = "") -> None:
        """A result line for people (stdout; in --json mode it goes to stderr)."""
        stream = self.stderr if self.json_mode else self.stdout
        stream.write(text + "\n")
        stream.flush()

    def info(self, text: str, style: str | None = None) -> None:
        """A message about what happens (stderr)."""
        if self.rich_stderr and style:
            self.err_console.print(text, style=style, markup=False)
        else:
            self.stderr.write(text + "\n")
            self.stderr.flush()

    def error(self, text: str) -> None:
        self.info(f"error: {text}", style="bold red")

    def fields(self, pairs: Sequence[tuple[str, Any]]) -> None:
        width = max((len(k) for k, _ in pairs), default=0)
        for key, value in pairs:
            self.line(f"{key.ljust(width)}  {_cell(value)}")
