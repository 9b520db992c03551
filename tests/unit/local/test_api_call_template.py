"""template.yaml and the api-call rules agree: bodies and images of a call are tagged for a
lifecycle rule as long as the record's TTL (30 days), failed calls' tag (`keep`) has no rule,
ApiCallsTable has the keys, LSI and TTL the repository uses, and RunStep gets the secret, the
provider parameters and a timeout the state machine bounds just above."""

from __future__ import annotations

import json
from pathlib import Path

from relay.domain.api_calls import RETENTION_DAYS, RETENTION_TAG_ERROR, RETENTION_TAG_OK
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]


def test_api_call_retention_matches_the_artifacts_bucket_rules():
    rules = {
        rule["TagFilters"][0]["Value"]: rule["ExpirationInDays"]
        for rule in RESOURCES["ArtifactsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        if rule.get("TagFilters")
    }
    assert rules[RETENTION_TAG_OK] == RETENTION_DAYS == 30
    assert RETENTION_TAG_ERROR not in rules


def test_the_table_has_what_the_repository_uses():
    table = RESOURCES["ApiCallsTable"]["Properties"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["run_id", "call_id"]
    lsis = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in table["LocalSecondaryIndexes"]}
    assert lsis == {"ByStarted": ["run_id", "started_at"]}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_run_step_gets_the_keys_secret_and_where_the_providers_are():
    props = RESOURCES["RunStepFunction"]["Properties"]
    env = props["Environment"]["Variables"]
    assert env["RELAY_PROVIDER_KEYS_SECRET"] == {"Ref": "ProviderKeysSecret"}
    assert env["OPENAI_BASE_URL"] == {"Ref": "OpenAIBaseUrl"}
    assert env["ANTHROPIC_BASE_URL"] == {"Ref": "AnthropicBaseUrl"}
    assert env["RELAY_COMFYUI_URL"] == {"Ref": "ComfyUIUrl"}
    assert RESOURCES["ProviderKeysSecret"]["Type"] == "AWS::SecretsManager::Secret"
    assert set(json.loads(RESOURCES["ProviderKeysSecret"]["Properties"]["SecretString"])) == {
        "openai_api_key",
        "anthropic_api_key",
    }
    assert "Environment" not in RESOURCES["ApiFunction"]["Properties"] or "RELAY_PROVIDER_KEYS_SECRET" not in str(
        RESOURCES["ApiFunction"]["Properties"]["Environment"]
    )
    # the provider's time fits the function's, and the state machine bounds the task above it
    params = TEMPLATE["Parameters"]
    timeout = props["Timeout"]
    assert params["ProviderTimeoutSeconds"]["MaxValue"] < timeout
    asl = json.loads((ROOT / "statemachines" / "run.asl.json").read_text())
    run_step = asl["States"]["RunStep"]
    assert timeout < run_step["TimeoutSeconds"] <= timeout + 60
    retried = run_step["Retry"][0]["ErrorEquals"]
    assert {"ProviderThrottledError", "ProviderUnavailableError"} <= set(retried)
    assert run_step["Retry"][0]["JitterStrategy"] == "FULL"
    assert TEMPLATE["Globals"]["Function"]["Timeout"] <= 30  # the API function keeps the short one
