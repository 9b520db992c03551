"""template.yaml and the media rules agree: the retention tags uploads get have lifecycle
rules of the right length, `run` has none, the MediaUploaded notification covers the key
prefix uploads use, and the deployer turns it into the bucket's notification configuration."""

from __future__ import annotations

from pathlib import Path

from relay.domain.media import RETENTION_RUN, retention_for
from relay.services.media import UPLOAD_PREFIX
from relay_tools.local.cfn import Resolver, load_template
from relay_tools.local.deployer import Deployer

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]


def test_every_retention_tag_has_a_rule_that_outlives_the_ttl():
    rules = {
        rule["TagFilters"][0]["Value"]: rule["ExpirationInDays"]
        for rule in RESOURCES["MediaBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        if rule.get("TagFilters")
    }
    for hours in (1, 24, 25, 168, 169, 720):
        assert rules[retention_for(hours)] * 24 >= hours
    assert RETENTION_RUN not in rules


def test_the_notification_covers_uploads_and_the_deployer_configures_it():
    event = RESOURCES["MediaUploadedFunction"]["Properties"]["Events"]["Uploaded"]["Properties"]
    assert event["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": UPLOAD_PREFIX}]

    calls = []
    deployer = Deployer.__new__(Deployer)
    deployer.s3 = type("S3", (), {"put_bucket_notification_configuration": lambda self, **kw: calls.append(kw)})()
    refs = {"MediaBucket": "relay-media"}
    attributes = {"MediaUploadedFunction": {"Arn": "arn:aws:lambda:us-east-1:123456789012:function:relay-MediaUploadedFunction"}}
    functions = {k: v for k, v in RESOURCES.items() if k == "MediaUploadedFunction"}
    deployer._notifications(functions, refs, attributes, Resolver({}, {}, refs, attributes))
    assert calls == [
        {
            "Bucket": "relay-media",
            "NotificationConfiguration": {
                "LambdaFunctionConfigurations": [
                    {
                        "Id": "MediaUploadedFunctionUploaded",
                        "LambdaFunctionArn": attributes["MediaUploadedFunction"]["Arn"],
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
                    }
                ]
            },
        }
    ]
