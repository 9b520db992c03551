"""relay_tools.local: template Conditions, Fn::If, and the deployer leaving off what a false
condition gates (and refusing what has no local counterpart, CloudFront)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from relay_tools.local.cfn import (
    Resolver,
    UnsupportedIntrinsicError,
    UnsupportedPropertyError,
    evaluate_conditions,
    load_template,
)
from relay_tools.local.cloud import LOCAL_PARAMETERS
from relay_tools.local.deployer import Deployer

ROOT = Path(__file__).resolve().parents[3]


def conditions(spec: dict, **parameters: str) -> dict[str, bool]:
    return evaluate_conditions(spec, Resolver(parameters, {"AWS::Region": "eu-west-1"}, {}, {}))


def test_equals_not_and_or_and_conditions_naming_conditions_in_any_order():
    spec = {
        "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "InIreland"}]},
        "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Stage"}, "test"]}]},
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "InIreland": {"Fn::Equals": ["eu-west-1", {"Ref": "AWS::Region"}]},
    }
    assert conditions(spec, Stage="prod") == {"Both": True, "Either": True, "IsProd": True, "NotProd": False, "InIreland": True}
    assert conditions(spec, Stage="dev") == {"Both": False, "Either": False, "IsProd": False, "NotProd": True, "InIreland": True}
    assert conditions(spec, Stage="test")["Either"] is True


def test_numbers_compare_as_cloudformation_strings():
    assert conditions({"One": {"Fn::Equals": [{"Ref": "Count"}, "1"]}}, Count=1) == {"One": True}  # type: ignore[arg-type]


def test_unknown_and_circular_conditions_are_errors():
    with pytest.raises(KeyError, match="Missing"):
        conditions({"A": {"Condition": "Missing"}})
    with pytest.raises(UnsupportedIntrinsicError, match="itself"):
        conditions({"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}})
    with pytest.raises(UnsupportedIntrinsicError, match="Fn::Contains"):
        conditions({"A": {"Fn::Contains": [["a"], "a"]}})


def test_if_resolves_only_the_branch_taken():
    resolver = Resolver({}, {}, {"Bucket": "b"}, {}, {"On": True, "Off": False})
    # The untaken branch names an attribute nobody has: resolving it would raise.
    assert resolver.resolve({"Fn::If": ["On", [{"Ref": "Bucket"}], {"Fn::GetAtt": ["Nope", "Arn"]}]}) == ["b"]
    assert resolver.resolve({"Fn::If": ["Off", {"Fn::GetAtt": ["Nope", "Arn"]}, "plain"]}) == "plain"
    with pytest.raises(KeyError, match="Unknown"):
        resolver.resolve({"Fn::If": ["Unknown", 1, 2]})


TEMPLATE = """
Parameters:
  Extra: {Type: String, Default: "No"}
Conditions:
  WithExtra: !Equals [!Ref Extra, "Yes"]
Resources:
  Always:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: always-bucket
      CorsConfiguration:
        CorsRules:
          - AllowedMethods: [GET]
            AllowedOrigins: !If [WithExtra, ["https://extra.example", "*"], ["*"]]
  ExtraBucket:
    Type: AWS::S3::Bucket
    Condition: WithExtra
    Properties:
      BucketName: extra-bucket
Outputs:
  AlwaysName:
    Value: !Ref Always
  ExtraName:
    Condition: WithExtra
    Value: !Ref ExtraBucket
"""


@pytest.fixture
def deploy(tmp_path):
    with mock_aws():
        session = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1")

        def run(template: Path | None = None, **parameters: str):
            if template is None:
                template = tmp_path / "template.yaml"
                template.write_text(textwrap.dedent(TEMPLATE), encoding="utf-8")
            deployment = Deployer(session, None, "us-east-1").deploy(template, "stack", parameters)
            buckets = {b["Name"] for b in session.client("s3").list_buckets()["Buckets"]}
            return deployment, buckets, session.client("s3")

        yield run


def test_a_false_condition_leaves_its_resources_and_outputs_out(deploy):
    deployment, buckets, s3 = deploy()
    assert buckets == {"always-bucket"}
    assert deployment.outputs == {"AlwaysName": "always-bucket"}
    assert s3.get_bucket_cors(Bucket="always-bucket")["CORSRules"][0]["AllowedOrigins"] == ["*"]


def test_a_true_condition_creates_them(deploy):
    deployment, buckets, s3 = deploy(Extra="Yes")
    assert buckets == {"always-bucket", "extra-bucket"}
    assert deployment.outputs == {"AlwaysName": "always-bucket", "ExtraName": "extra-bucket"}
    assert s3.get_bucket_cors(Bucket="always-bucket")["CORSRules"][0]["AllowedOrigins"] == ["https://extra.example", "*"]


def test_template_yaml_deploys_without_its_web_distribution_as_relay_local_does(deploy):
    deployment, buckets, s3 = deploy(ROOT / "template.yaml", **LOCAL_PARAMETERS)
    assert LOCAL_PARAMETERS == {"WebDistribution": "Disabled"}
    assert not any(name.startswith("Web") for name in deployment.outputs)
    assert "WebBucket" not in deployment.refs and "WebCdn" not in deployment.refs
    template = load_template(ROOT / "template.yaml")["Resources"]
    unconditional = {deployment.refs[k] for k, v in template.items() if v["Type"] == "AWS::S3::Bucket" and "Condition" not in v}
    assert (
        buckets == unconditional and {deployment.outputs["MediaBucketName"], deployment.outputs["ArtifactsBucketName"]} <= buckets
    )
    media_cors = s3.get_bucket_cors(Bucket=deployment.outputs["MediaBucketName"])["CORSRules"]
    assert [rule["AllowedOrigins"] for rule in media_cors] == [["*"]]


def test_template_yaml_with_its_web_distribution_is_refused_by_name(deploy):
    with pytest.raises(UnsupportedPropertyError, match="WebCdn") as raised:
        deploy(ROOT / "template.yaml", WebDistribution="Enabled")
    assert "WebDistribution=Disabled" in str(raised.value)
