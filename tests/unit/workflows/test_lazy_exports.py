"""relay_workflow.lazy: the one PEP 562 table helper relay_workflow, relay.workflows and
relay_client use. Each package resolves every name it exports, on first use only, and
refuses any other; the value is then a plain attribute."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

from relay_workflow.lazy import lazy_exports

PACKAGES = ("relay_workflow", "relay.workflows", "relay_client")


def test_a_name_resolves_on_first_use_relative_or_absolute_and_is_kept():
    package = types.ModuleType("pkg_demo")
    package.__path__ = []  # a package, so a relative module resolves against it
    exports = {"dumps": "json", "OrderedDict": "collections"}  # dotless: pkg_demo.json (absent)
    getattr_, dir_ = lazy_exports("pkg_demo", {"sep": "os.path", **exports}, vars(package))
    sys.modules["pkg_demo"] = package
    try:
        import os.path

        assert "sep" not in vars(package) and getattr_("sep") is os.path.sep and vars(package)["sep"] is os.path.sep
        with pytest.raises(ModuleNotFoundError):
            getattr_("dumps")  # no module pkg_demo.json: a relative name never falls back to a global one
        with pytest.raises(AttributeError, match="module 'pkg_demo' has no attribute 'nothing'"):
            getattr_("nothing")
        assert {"sep", "dumps", "OrderedDict"} <= set(dir_())
    finally:
        del sys.modules["pkg_demo"]


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_exports_every_name_in_its_table_and_nothing_else(name):
    package = importlib.import_module(name)
    assert sorted(package.__all__) == sorted(package._EXPORTS)  # the literal `__all__` is the table's names, once each
    for export in package.__all__:
        assert getattr(package, export) is not None
        assert export in dir(package)
    with pytest.raises(AttributeError):
        package.not_an_export  # noqa: B018


@pytest.mark.parametrize("name", PACKAGES)
def test_importing_a_package_imports_none_of_its_parts(name):
    """The point of the tables: `import relay_client` (every `relay` command) or the API's
    import of relay.workflows costs the package alone."""
    package = importlib.import_module(name)
    parts = sorted({m if "." in m else f"{name}.{m}" for m in package._EXPORTS.values()})
    code = f"import sys, {name}; print([m for m in {parts!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
