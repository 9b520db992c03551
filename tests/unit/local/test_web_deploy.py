"""relay_tools.web_deploy (`make web-deploy`) against moto: web/ lands in the stack's web bucket
with the types and cache headers `relay local` serves, what web/ no longer has is deleted, the
distribution is invalidated, and a stack without a web distribution is refused by name."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from relay_tools import web_deploy
from relay_tools.local.web import WEB_ROOT

REGION = "us-east-1"


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION)


def distribution(session) -> str:
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [{"Id": "web", "DomainName": "web.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "web",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }
    return session.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def stack(session, with_web: bool = True) -> None:
    outputs = (
        {
            "WebBucketName": {"Value": {"Ref": "Web"}},
            "WebDistributionId": {"Value": "E2EXAMPLE"},
            "WebUrl": {"Value": "https://d111111abcdef8.cloudfront.net"},
        }
        if with_web
        else {}
    )
    template = {"Resources": {"Web": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "stack-web"}}}, "Outputs": outputs}
    session.client("cloudformation").create_stack(StackName="relay", TemplateBody=json.dumps(template))


def test_the_stack_outputs_name_the_bucket_and_distribution(aws):
    stack(aws)
    outputs = web_deploy.stack_outputs(aws.client("cloudformation"), "relay")
    assert outputs == {
        "WebBucketName": "stack-web",
        "WebDistributionId": "E2EXAMPLE",
        "WebUrl": "https://d111111abcdef8.cloudfront.net",
    }


def test_an_api_only_stack_and_a_missing_stack_are_refused(aws):
    stack(aws, with_web=False)
    with pytest.raises(web_deploy.WebDeployError, match="WebDistribution=Enabled"):
        web_deploy.stack_outputs(aws.client("cloudformation"), "relay")
    with pytest.raises(web_deploy.WebDeployError, match="nope"):
        web_deploy.stack_outputs(aws.client("cloudformation"), "nope")


def test_web_is_uploaded_with_types_and_cache_headers_stale_files_go_and_the_edge_is_invalidated(aws):
    s3, cloudfront = aws.client("s3"), aws.client("cloudfront")
    s3.create_bucket(Bucket="web")
    s3.put_object(Bucket="web", Key="js/removed.js", Body=b"old")
    distribution_id = distribution(aws)
    said: list[str] = []
    invalidation = web_deploy.deploy(s3, cloudfront, "web", distribution_id, say=said.append)

    expected = {f.key for f in web_deploy.web_files()}
    assert {"index.html", "app.css", "js/main.js"} <= expected
    assert not any(key.endswith(".md") or key.split("/")[-1].startswith(".") for key in expected)  # as relay local serves
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="web")["Contents"]}
    assert keys == expected
    for key, kind in (
        ("index.html", "text/html; charset=utf-8"),
        ("js/main.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
    ):
        head = s3.head_object(Bucket="web", Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (kind, "no-cache"), key
        assert s3.get_object(Bucket="web", Key=key)["Body"].read() == (WEB_ROOT / key).read_bytes()
    assert "delete js/removed.js" in said
    batch = cloudfront.get_invalidation(DistributionId=distribution_id, Id=invalidation)["Invalidation"]["InvalidationBatch"]
    assert batch["Paths"]["Items"] == ["/*"]


def test_a_dry_run_changes_nothing(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="web")
    s3.put_object(Bucket="web", Key="stale.txt", Body=b"x")
    distribution_id = distribution(aws)
    said: list[str] = []
    assert web_deploy.deploy(s3, aws.client("cloudfront"), "web", distribution_id, dry_run=True, say=said.append) is None
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="web")["Contents"]] == ["stale.txt"]
    assert "upload index.html (text/html; charset=utf-8)" in said and "delete stale.txt" in said
    assert aws.client("cloudfront").list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Quantity", 0) == 0


def test_a_folder_without_index_html_is_refused(aws, tmp_path):
    (tmp_path / "app.css").write_text("body{}")
    with pytest.raises(web_deploy.WebDeployError, match=r"index\.html"):
        web_deploy.deploy(aws.client("s3"), aws.client("cloudfront"), "web", "E1", tmp_path)


def test_the_command_deploys_the_stacks_web_and_says_where(aws, capsys):
    distribution_id = distribution(aws)
    template = {
        "Resources": {"Web": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "stack-web"}}},
        "Outputs": {
            "WebBucketName": {"Value": {"Ref": "Web"}},
            "WebDistributionId": {"Value": distribution_id},
            "WebUrl": {"Value": "https://d111111abcdef8.cloudfront.net"},
        },
    }
    aws.client("cloudformation").create_stack(StackName="relay", TemplateBody=json.dumps(template))
    assert web_deploy.main(["--stack-name", "relay", "--region", REGION]) == 0
    assert "s3://stack-web" in capsys.readouterr().out
    assert aws.client("s3").head_object(Bucket="stack-web", Key="index.html")["CacheControl"] == "no-cache"
    assert web_deploy.main(["--stack-name", "missing", "--region", REGION]) == 1
    assert "error: stack missing" in capsys.readouterr().err
