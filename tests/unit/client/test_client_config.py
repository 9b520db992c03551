"""Profiles: written 0600 in the user's config dir, never shown; the environment and --profile
take the documented precedence. And the workflow's input names, which --input is checked by."""

from __future__ import annotations

import stat

import pytest

from relay_client import ConfigError, config
from relay_client.workflow_source import load_workflow


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("RELAY_CONFIG_DIR", str(tmp_path / "cfg"))
    for name in ("RELAY_URL", "RELAY_API_KEY", "RELAY_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def test_a_saved_profile_is_0600_and_its_key_never_in_its_repr():
    path = config.save_profile(config.Profile("dev", "http://127.0.0.1:8000/", "rk_secret"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = config.resolve()
    assert (found.name, found.url, found.api_key) == ("dev", "http://127.0.0.1:8000", "rk_secret")
    assert "rk_secret" not in repr(found)


def test_precedence_arguments_then_profile_flag_then_environment_then_default(monkeypatch):
    config.save_profile(config.Profile("default", "http://default", "rk_default"))
    config.save_profile(config.Profile("prod", "https://prod", "rk_prod"))
    monkeypatch.setenv("RELAY_URL", "http://env")
    monkeypatch.setenv("RELAY_API_KEY", "rk_env")
    assert config.resolve().url == "http://env" and config.resolve().api_key == "rk_env"
    assert config.resolve(profile="prod").api_key == "rk_prod"
    assert config.resolve(url="http://arg", profile="prod").url == "http://arg"
    monkeypatch.delenv("RELAY_API_KEY")
    assert config.resolve().api_key == "rk_default"  # the env's URL, the default profile's key
    with pytest.raises(ConfigError):
        config.resolve(profile="nope")


def test_nothing_configured_is_a_config_error():
    with pytest.raises(ConfigError) as caught:
        config.resolve()
    assert "RELAY_URL" in caught.value.detail


def test_input_names_are_what_the_workflow_reads_before_writing():
    loaded = load_workflow(
        {
            "workflow_id": "w",
            "steps": [
                {
                    "step_id": "a",
                    "modules": [
                        {
                            "module_id": "transform.format",
                            "inputs": {"values": {"t": "$state.topic", "n": "$run.inputs.count", "p": "$run.project_name"}},
                            "outputs_to_state": {"value": "out"},
                        }
                    ],
                },
                {"step_id": "b", "modules": [{"module_id": "transform.format", "inputs": {"values": {"o": "$state.out.x"}}}]},
            ],
        }
    )
    assert loaded.input_names() == {"topic", "count"}
    assert loaded.steps() == {"a": "transform.format", "b": "transform.format"}
