"""`relay local` hands its own environment's provider settings to the template: base URLs as
parameters, keys into the template's secret (read back through the same code path)."""

from __future__ import annotations

from relay_tools.local.cloud import keys_from_environment
from relay_tools.local.command import provider_parameters, template_parameters


def test_base_urls_become_template_parameters():
    environ = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "ANTHROPIC_BASE_URL": "", "RELAY_COMFYUI_URL": "http://c:8188"}
    assert provider_parameters(environ) == {"OpenAIBaseUrl": "http://127.0.0.1:9/v1", "ComfyUIUrl": "http://c:8188"}


def test_the_comfyui_node_allow_list_becomes_its_parameter_and_is_no_provider():
    environ = {"RELAY_COMFYUI_URL": "http://c:8188", "RELAY_COMFYUI_NODE_ALLOW_LIST": "KSampler,SaveImage"}
    assert template_parameters(environ) == {"ComfyUIUrl": "http://c:8188", "ComfyUINodeAllowList": "KSampler,SaveImage"}
    assert "ComfyUINodeAllowList" not in provider_parameters(environ)
    assert template_parameters({}) == {}


def test_keys_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-o")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert keys_from_environment() == {"openai_api_key": "sk-o", "anthropic_api_key": ""}
