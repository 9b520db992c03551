"""Bytecode that Lambda will actually use: compile a build tree, then check it.

Lambda mounts the layer at /opt and the function at /var/task, both read-only, so it can never
write a `.pyc`: whatever bytecode is not in the zip is compiled again, from source, at every
cold start (the whole layer: measured 3.9x the import time with bytecode). Ordinary `.pyc`
files do not help either: they are validated against the source's mtime, and SAM writes its
zips with fixed 1980 timestamps, so after extraction every one of them is stale and ignored.

So the build compiles every `.py` with the runtime's Python into *hash-based* bytecode
(PEP 552) in `unchecked-hash` mode: the `.pyc` carries a hash of its source instead of an
mtime, and the interpreter loads it without reading and hashing the source again. That is
right for a layer and a function package, which are immutable once published: nothing can
change a source next to its `.pyc`. (`checked-hash` would also be correct, but it reads and
SipHashes every source on every cold start, work that can only ever confirm what the build
already knows.) What `unchecked-hash` gives up, noticing an edited source, is covered here
instead: `check` fails if any `.pyc` is missing, from another Python version, timestamp-based,
or does not match its source's hash. It also makes the bytecode reproducible (no mtimes in it).

Run it with the runtime's Python (3.13 for python3.13): the magic number, the cache tag
(`cpython-313`) and the source-hash key are the running interpreter's.

    python3.13 tools/lambda_bytecode.py compile .aws-sam/build
    python3.13 tools/lambda_bytecode.py check .aws-sam/build --expect-tag cpython-313

`make build` runs both after `sam build`; tests/bench/cold_start.py imports `compile_tree`
and `check_tree` to build the same layer for the host.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import sys
from pathlib import Path
from py_compile import PycInvalidationMode

FLAG_HASH_BASED = 0b01  # PEP 552: the header's flags word
FLAG_CHECK_SOURCE = 0b10


def compile_tree(root: Path | str, workers: int = 0) -> bool:
    """Compile every `.py` under `root` to `__pycache__/<name>.<tag>.pyc`, unchecked-hash.

    False if a source did not compile (`check_tree` then names it: it has no `.pyc`)."""
    return bool(
        compileall.compile_dir(
            Path(root),
            quiet=1,
            force=True,
            workers=workers,
            invalidation_mode=PycInvalidationMode.UNCHECKED_HASH,
        )
    )


def pyc_path(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def pyc_problem(source: Path) -> str | None:
    """Why `source` has no bytecode this interpreter would load without compiling, or None."""
    pyc = pyc_path(source)
    try:
        with open(pyc, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        return "missing"
    if len(header) < 16:
        return "truncated"
    if header[:4] != importlib.util.MAGIC_NUMBER:
        return f"magic {header[:4]!r} is not {sys.implementation.cache_tag}'s {importlib.util.MAGIC_NUMBER!r}"
    flags = int.from_bytes(header[4:8], "little")
    if not flags & FLAG_HASH_BASED:
        return "timestamp-based (never valid after SAM's zip: its entries carry 1980 timestamps)"
    if flags & ~(FLAG_HASH_BASED | FLAG_CHECK_SOURCE):
        return f"unknown flags {flags:#x}"
    if header[8:16] != importlib.util.source_hash(source.read_bytes()):
        return "stale: its hash is not the source's"
    return None


def _walk(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                source = Path(dirpath) / name
                yield source, pyc_problem(source)


def check_tree(root: Path | str, expect_tag: str | None = None) -> tuple[int, list[tuple[Path, str]]]:
    """(number of `.py` files, [(source, problem), …]) for every `.py` under `root`."""
    if expect_tag is not None and expect_tag != sys.implementation.cache_tag:
        raise ValueError(f"bytecode for {expect_tag} is checked by that Python; this is {sys.implementation.cache_tag}")
    count, problems = 0, []
    for source, problem in _walk(Path(root)):
        count += 1
        if problem is not None:
            problems.append((source, problem))
    return count, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("compile", "check"))
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--expect-tag", help="fail unless this is the running Python's cache tag (cpython-313)")
    args = parser.parse_args(argv)
    if args.expect_tag is not None and args.expect_tag != sys.implementation.cache_tag:
        parser.exit(
            2,
            f"lambda_bytecode: needs the runtime's Python ({args.expect_tag}); "
            f"{sys.executable} is {sys.implementation.cache_tag}\n",
        )
    failed = False
    for root in args.roots:
        if not root.is_dir():
            parser.exit(2, f"lambda_bytecode: {root} is not a directory\n")
        if args.action == "compile":
            if not compile_tree(root):
                print(f"{root}: some sources did not compile (above); `check` will name them", file=sys.stderr)
            continue
        count, problems = check_tree(root)
        if problems:
            failed = True
            shown = "\n  ".join(f"{path}: {problem}" for path, problem in problems[:20])
            more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
            print(
                f"{root}: {len(problems)} of {count} .py files lack valid {sys.implementation.cache_tag} "
                f"hash-based bytecode:\n  {shown}{more}",
                file=sys.stderr,
            )
        else:
            print(f"{root}: {count} .py files, each with hash-based {sys.implementation.cache_tag} bytecode")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
