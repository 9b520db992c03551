"""The error-code list cannot drift: every code the package can raise is registered in
relay.api.problems (with one status), every registered code is raised somewhere, and
docs/errors.md is what tools/error_docs.py writes from the registry."""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

from relay.api import errors
from relay.api.problems import ABSTRACT_CODES, PROBLEM_CODES, RUN_ERROR_CODES

ROOT = Path(__file__).resolve().parents[3]
LAYER = ROOT / "layers" / "relay"
PACKAGE = LAYER / "relay"
# relay_workflow (shared with the client) raises the workflow-format codes the server answers.
PACKAGES = (PACKAGE, LAYER / "relay_workflow")


def _code_params(tree: ast.AST) -> dict[str, int]:
    """Functions of a module taking a `code` parameter, and its position in a call."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args]
            if "code" in names:
                bound = 1 if names[0] in ("self", "cls") else 0
                found[node.name] = names.index("code") - bound
    return found


def _add_code(found: dict[str, set[str]], where: str, node: ast.AST | None) -> None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        found.setdefault(node.value, set()).add(where)


def codes_in_source() -> dict[str, set[str]]:
    """`code = "X"` class attributes, `code="X"` arguments, and "X" passed positionally as the
    `code` parameter of a function of the same module (e.g. `problem(503, "X", …)`)."""
    found: dict[str, set[str]] = {}
    for path in (path for package in PACKAGES for path in package.rglob("*.py")):
        if path.name == "problems.py" and path.parent.name == "api":
            continue
        tree = ast.parse(path.read_text(), str(path))
        params = _code_params(tree)
        add = functools.partial(_add_code, found, str(path.relative_to(LAYER)))

        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "code" for t in statement.targets
                    ):
                        add(statement.value)
            elif isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        add(keyword.value)
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in params and params[name] < len(node.args):
                    add(node.args[params[name]])
    return found


def test_every_code_raised_is_registered():
    registered = set(PROBLEM_CODES) | set(RUN_ERROR_CODES) | ABSTRACT_CODES
    unregistered = {code: sorted(where) for code, where in codes_in_source().items() if code not in registered}
    assert unregistered == {}, "add these to relay/api/problems.py (then run tools/error_docs.py)"


def test_every_registered_code_is_raised_somewhere():
    raised = set(codes_in_source()) | set(errors._HTTP_CODES.values())
    stale = sorted(set(PROBLEM_CODES) - raised) + sorted(set(RUN_ERROR_CODES) - raised)
    assert stale == []


def test_codes_are_unique_across_lists_and_shaped_alike():
    assert not set(PROBLEM_CODES) & set(RUN_ERROR_CODES)
    for code in [*PROBLEM_CODES, *RUN_ERROR_CODES]:
        assert code.isupper() and code.replace("_", "").isalnum(), code
    assert {entry.status for entry in PROBLEM_CODES.values()} <= {400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503}


def test_errors_of_the_framework_map_to_registered_codes():
    for status, code in errors._HTTP_CODES.items():
        assert PROBLEM_CODES[code].status == status


def _error_docs():
    spec = importlib.util.spec_from_file_location("error_docs", ROOT / "tools" / "error_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_error_page_lists_the_registry():
    error_docs = _error_docs()
    page = ROOT / "docs" / "errors.md"
    assert page.read_text() == error_docs.render(), (
        "docs/errors.md differs from relay.api.problems; run `.venv/bin/python tools/error_docs.py`"
    )


def test_the_error_page_shows_every_code_with_its_status():
    text = (ROOT / "docs" / "errors.md").read_text()
    for code, entry in PROBLEM_CODES.items():
        assert f"| `{code}` | {entry.status} | {entry.when} |" in text, code
    for code, when in RUN_ERROR_CODES.items():
        assert f"| `{code}` | {when} |" in text, code
