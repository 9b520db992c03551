"""Choosing among options: arrow keys (↑/↓, space to mark with `multiple`, Enter) on a
terminal, or numbers (`2`, or `1,3` with `multiple`) typed as a line anywhere."""

from __future__ import annotations

from collections.abc import Sequence

from .terminal import Terminal


def _labels(options: Sequence[dict[str, object]]) -> list[str]:
    return [str(o.get("label") or o.get("value")) for o in options]


def _by_numbers(text: str, count: int, multiple: bool) -> list[int] | None:
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts or (len(parts) > 1 and not multiple) or not all(p.isdigit() for p in parts):
        return None
    picked = [int(p) - 1 for p in parts]
    return picked if all(0 <= i < count for i in picked) else None


def choose_by_number(term: Terminal, options: Sequence[dict[str, object]], multiple: bool) -> list[int]:
    for number, label in enumerate(_labels(options), 1):
        term.say(f"  {number}) {label}")
    hint = "numbers, comma-separated" if multiple else f"1-{len(options)}"
    while True:
        picked = _by_numbers(term.ask(f"choose ({hint}): "), len(options), multiple)
        if picked is not None:
            return picked
        term.say(f"  type {hint}")


def _draw(term: Terminal, labels: list[str], cursor: int, marked: set[int], multiple: bool, first: bool) -> None:
    if not first:
        term.stderr.write(f"\x1b[{len(labels)}A")  # back to the menu's first line
    for i, label in enumerate(labels):
        box = ("[x] " if i in marked else "[ ] ") if multiple else ""
        pointer = "❯" if i == cursor else " "
        term.stderr.write(f"\r\x1b[2K {pointer} {i + 1}) {box}{label}\n")
    term.stderr.flush()


def choose_by_keys(term: Terminal, options: Sequence[dict[str, object]], multiple: bool) -> list[int]:
    labels = _labels(options)
    cursor, marked = 0, set[int]()
    hint = "↑/↓ move, space marks, Enter confirms" if multiple else "↑/↓ or a number, Enter confirms"
    term.say(f"  ({hint})")
    _draw(term, labels, cursor, marked, multiple, True)
    with term.raw_keys() as keys:
        for key in keys:
            if key == "up":
                cursor = (cursor - 1) % len(labels)
            elif key == "down":
                cursor = (cursor + 1) % len(labels)
            elif key.isdigit() and 1 <= int(key) <= len(labels):
                cursor = int(key) - 1
            elif key == " " and multiple:
                marked ^= {cursor}
            elif key == "enter":
                return sorted(marked) if multiple and marked else [cursor]
            _draw(term, labels, cursor, marked, multiple, False)
    raise AssertionError("unreachable")  # keys ends only by raising


def choose(term: Terminal, options: Sequence[dict[str, object]], multiple: bool = False) -> list[int]:
    """Indexes of the chosen options."""
    if term.interactive:
        return choose_by_keys(term, options, multiple)
    return choose_by_number(term, options, multiple)
