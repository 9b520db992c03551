"""Guards between template.yaml, the function code and relay.settings, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from relay.settings import ApiSettings, Settings
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_template(ROOT / "template.yaml")
GLOBALS = TEMPLATE["Globals"]["Function"]
FUNCTIONS = {
    logical_id: {**GLOBALS, **resource.get("Properties", {})}
    for logical_id, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}
PREFIX = Settings.model_config["env_prefix"]


def relay_vars(variables: dict) -> set[str]:
    return {name for name in variables if name.startswith(PREFIX)}


def field_of(var: str) -> str:
    return var[len(PREFIX) :].lower()


def function_env(logical_id: str) -> set[str]:
    own = TEMPLATE["Resources"][logical_id].get("Properties", {}).get("Environment", {}).get("Variables", {})
    return relay_vars(GLOBALS["Environment"]["Variables"]) | relay_vars(own)


def settings_class(logical_id: str):
    code = (ROOT / FUNCTIONS[logical_id]["CodeUri"] / "app.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\b(ApiSettings|Settings)\(\)", code))
    assert len(used) == 1, f"{logical_id} should build exactly one settings class, found {used}"
    return {"ApiSettings": ApiSettings, "Settings": Settings}[used.pop()]


def test_prefix():
    assert PREFIX == "RELAY_"


def test_there_are_functions():
    assert {"ApiFunction", "RunStepFunction", "AwaitInputFunction", "RecordFailureFunction"} <= set(FUNCTIONS)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_handler_and_code(logical_id):
    function = FUNCTIONS[logical_id]
    assert function["Handler"] == "app.handler"
    code_dir = ROOT / function["CodeUri"]
    assert code_dir.is_dir()
    app = code_dir / "app.py"
    assert app.is_file()
    assert re.search(r"^handler\s*=|^def handler\(", app.read_text(encoding="utf-8"), re.M)


def test_every_global_relay_variable_is_a_settings_field():
    names = relay_vars(GLOBALS["Environment"]["Variables"])
    assert names
    unknown = {n for n in names if field_of(n) not in Settings.model_fields}
    assert unknown == set()


def test_every_required_setting_is_in_globals():
    given = {field_of(n) for n in relay_vars(GLOBALS["Environment"]["Variables"])}
    required = {name for name, field in Settings.model_fields.items() if field.is_required()}
    assert required - given == set()


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_function_gets_the_settings_it_builds(logical_id):
    cls = settings_class(logical_id)
    given = {field_of(n) for n in function_env(logical_id)}
    assert {n for n in given if n not in cls.model_fields} == set()
    required = {name for name, field in cls.model_fields.items() if field.is_required()}
    assert required - given == set()
