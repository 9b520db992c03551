"""relay_tools.local.deployer._lifecycle_rule: CloudFormation lifecycle rules to the S3 API shape."""

from __future__ import annotations

from relay_tools.local.deployer import _lifecycle_rule

TAG = {"Key": "relay:retention", "Value": "7d"}


def test_single_tag_filter_and_expiration():
    rule = {"Id": "Debug7Days", "Status": "Enabled", "TagFilters": [TAG], "ExpirationInDays": 7}
    assert _lifecycle_rule(rule) == {
        "ID": "Debug7Days",
        "Status": "Enabled",
        "Filter": {"Tag": TAG},
        "Expiration": {"Days": 7},
    }


def test_several_tags_are_an_and_filter():
    other = {"Key": "kind", "Value": "debug"}
    rule = {"Id": "r", "Status": "Enabled", "TagFilters": [TAG, other]}
    assert _lifecycle_rule(rule)["Filter"] == {"And": {"Tags": [TAG, other]}}


def test_tag_and_prefix_are_an_and_filter():
    rule = {"Id": "r", "Status": "Enabled", "TagFilters": [TAG], "Prefix": "runs/"}
    assert _lifecycle_rule(rule)["Filter"] == {"And": {"Tags": [TAG], "Prefix": "runs/"}}


def test_prefix_only_and_no_filter():
    assert _lifecycle_rule({"Id": "r", "Status": "Enabled", "Prefix": "tmp/"})["Filter"] == {"Prefix": "tmp/"}
    assert _lifecycle_rule({"Id": "r", "Status": "Enabled"})["Filter"] == {"Prefix": ""}


def test_noncurrent_version_expiration():
    rule = {"Id": "Noncurrent", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": "30"}}
    out = _lifecycle_rule(rule)
    assert out["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert "Expiration" not in out


def test_abort_incomplete_multipart_upload():
    rule = {"Id": "Abort", "Status": "Disabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}
    out = _lifecycle_rule(rule)
    assert out["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert out["Status"] == "Disabled"


def test_tag_values_are_copied_without_extra_keys():
    rule = {"Id": "r", "Status": "Enabled", "TagFilters": [{**TAG, "Extra": "x"}], "ExpirationInDays": "1"}
    out = _lifecycle_rule(rule)
    assert out["Filter"] == {"Tag": TAG}
    assert out["Expiration"] == {"Days": 1}
