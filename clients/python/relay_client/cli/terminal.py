"""Reading answers from the person at the terminal: a line, a secret, or keys one by one
(raw mode, for the arrow-key menu). Questions go to stderr, so stdout stays the command's."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class NoInputError(Exception):
    """Standard input ended (or there is none) where an answer was needed."""


class Terminal:
    def __init__(self, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stderr = stderr or sys.stderr

    @property
    def interactive(self) -> bool:
        return self.stdin.isatty()

    def say(self, text: str) -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def ask(self, question: str) -> str:
        self.stderr.write(question)
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:
            raise NoInputError(question.strip())
        return line.rstrip("\r\n")

    def secret(self, question: str) -> str:
        if not self.interactive:
            return self.ask(question)
        import getpass

        return getpass.getpass(question, stream=self.stderr)

    @contextmanager
    def raw_keys(self) -> Iterator[Iterator[str]]:
        """Keys as they are typed (arrows as ESC [ A/B), echo off; restored on exit."""
        import termios
        import tty

        fd = self.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            yield self._keys(fd)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    @staticmethod
    def _keys(fd: int) -> Iterator[str]:
        while True:
            char = os.read(fd, 1).decode("utf-8", "replace")
            if not char:
                raise NoInputError("end of input")
            if char == "\x1b":
                rest = os.read(fd, 2).decode("utf-8", "replace")
                yield {"[A": "up", "[B": "down", "OA": "up", "OB": "down"}.get(rest, "esc")
            elif char in ("\r", "\n"):
                yield "enter"
            elif char == "\x03":
                raise KeyboardInterrupt
            elif char == "\x04":
                raise NoInputError("end of input")
            else:
                yield char
