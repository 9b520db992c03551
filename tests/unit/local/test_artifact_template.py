"""template.yaml and the artifact rules agree: each artifact type's retention tag has a
lifecycle rule as long as the record's TTL (debug: 7 days), the kept ones (`run`, `keep`) have
none, and ArtifactsTable has the indexes and TTL the repository queries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from relay.domain.artifacts import ArtifactType, expiry_for, retention_of
from relay_tools.local.cfn import load_template

ROOT = Path(__file__).resolve().parents[3]
RESOURCES = load_template(ROOT / "template.yaml")["Resources"]


def test_each_artifact_type_is_kept_as_long_as_its_rule_says():
    rules = {
        rule["TagFilters"][0]["Value"]: rule["ExpirationInDays"]
        for rule in RESOURCES["ArtifactsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        if rule.get("TagFilters")
    }
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for artifact_type in ArtifactType:
        tag, expiry = retention_of(artifact_type), expiry_for(artifact_type, now)
        if expiry is None:
            assert tag not in rules, artifact_type
        else:
            assert rules[tag] == (expiry - now).days, artifact_type
    assert retention_of(ArtifactType.debug) == "7d"


def test_the_table_has_the_indexes_the_repository_queries():
    table = RESOURCES["ArtifactsTable"]["Properties"]
    indexes = {
        index["IndexName"]: [key["AttributeName"] for key in index["KeySchema"]] for index in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {"ByRun": ["run_id", "type_created"], "ByLineage": ["lineage", "version"]}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
