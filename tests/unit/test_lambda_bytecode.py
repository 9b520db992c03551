"""tools/lambda_bytecode.py: the bytecode step of `make build` and the check that fails the
build, on a small tree (a real build is `make build`)."""

from __future__ import annotations

import importlib.util
import py_compile
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import lambda_bytecode


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "python" / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "python" / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "python" / "pkg" / "sub" / "__init__.py").write_text("")
    (tmp_path / "python" / "pkg" / "sub" / "mod.py").write_text("def f():\n    return 2\n")
    (tmp_path / "app.py").write_text("import pkg\n")
    return tmp_path


def pyc(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def problems(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): problem for path, problem in lambda_bytecode.check_tree(root)[1]}


def test_compiled_tree_passes_with_unchecked_hash_pycs(tree):
    assert lambda_bytecode.compile_tree(tree)
    assert lambda_bytecode.check_tree(tree) == (4, [])
    header = pyc(tree / "app.py").read_bytes()[:16]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == lambda_bytecode.FLAG_HASH_BASED  # unchecked
    assert header[8:16] == importlib.util.source_hash((tree / "app.py").read_bytes())
    assert pyc(tree / "app.py").name == f"app.{sys.implementation.cache_tag}.pyc"


def test_an_uncompiled_tree_fails_on_every_file(tree):
    assert problems(tree) == {
        "app.py": "missing",
        "python/pkg/__init__.py": "missing",
        "python/pkg/sub/__init__.py": "missing",
        "python/pkg/sub/mod.py": "missing",
    }


def test_a_deleted_pyc_fails(tree):
    lambda_bytecode.compile_tree(tree)
    pyc(tree / "python" / "pkg" / "sub" / "mod.py").unlink()
    assert problems(tree) == {"python/pkg/sub/mod.py": "missing"}


def test_a_timestamp_pyc_fails(tree):
    lambda_bytecode.compile_tree(tree)
    source = tree / "python" / "pkg" / "__init__.py"
    py_compile.compile(str(source), invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    found = problems(tree)
    assert list(found) == ["python/pkg/__init__.py"]
    assert found["python/pkg/__init__.py"].startswith("timestamp-based")


def test_a_checked_hash_pyc_is_hash_based_and_passes(tree):
    lambda_bytecode.compile_tree(tree)
    source = tree / "app.py"
    py_compile.compile(str(source), invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    assert problems(tree) == {}


def test_a_source_edited_after_compiling_fails_as_stale(tree):
    # unchecked-hash bytecode would run the old code silently: the check is what notices
    lambda_bytecode.compile_tree(tree)
    (tree / "python" / "pkg" / "sub" / "mod.py").write_text("def f():\n    return 3\n")
    assert problems(tree) == {"python/pkg/sub/mod.py": "stale: its hash is not the source's"}


def test_another_pythons_magic_fails(tree):
    lambda_bytecode.compile_tree(tree)
    path = pyc(tree / "app.py")
    data = bytearray(path.read_bytes())
    data[0:2] = (int.from_bytes(data[0:2], "little") - 1).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    assert problems(tree)["app.py"].startswith("magic ")


def test_a_truncated_pyc_fails(tree):
    lambda_bytecode.compile_tree(tree)
    pyc(tree / "app.py").write_bytes(importlib.util.MAGIC_NUMBER)
    assert problems(tree) == {"app.py": "truncated"}


def test_a_source_that_does_not_compile_is_reported(tree, capsys):
    (tree / "broken.py").write_text("def (:\n")
    assert not lambda_bytecode.compile_tree(tree)
    assert problems(tree) == {"broken.py": "missing"}


def test_cli_compile_then_check(tree, capsys):
    tag = sys.implementation.cache_tag
    assert lambda_bytecode.main(["check", str(tree), "--expect-tag", tag]) == 1
    assert "4 of 4 .py files lack" in capsys.readouterr().err
    assert lambda_bytecode.main(["compile", str(tree), "--expect-tag", tag]) == 0
    assert lambda_bytecode.main(["check", str(tree), "--expect-tag", tag]) == 0
    assert f"4 .py files, each with hash-based {tag} bytecode" in capsys.readouterr().out


def test_cli_refuses_another_pythons_tag(tree):
    with pytest.raises(SystemExit) as exc:
        lambda_bytecode.main(["check", str(tree), "--expect-tag", "cpython-27"])
    assert exc.value.code == 2
