"""template.yaml's web distribution: one origin for the UI and the API, the parameter that turns
it off, a strict CSP that matches the one `relay local` sets, and a resource graph without cycles
(CloudFormation refuses one at deploy time; cfn-lint does not see those through SAM's resources)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from relay_tools.local.cfn import Resolver, evaluate_conditions, load_template
from relay_tools.local.web import content_security_policy

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
WEB_RESOURCES = {
    "WebBucket",
    "WebBucketPolicy",
    "WebOriginAccessControl",
    "WebResponseHeadersPolicy",
    "ApiResponseHeadersPolicy",
    "WebCdn",
}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
STACK, ACCOUNT, REGION = "relay", "123456789012", "eu-west-1"
MEDIA = f"{STACK}-media-{ACCOUNT}-{REGION}"
ARTIFACTS = "relay-artifactsbucket-abc123"


def resolver(web: str = "Enabled") -> Resolver:
    parameters = {name: spec.get("Default") for name, spec in TEMPLATE["Parameters"].items()} | {"WebDistribution": web}
    pseudo = {
        "AWS::StackName": STACK,
        "AWS::AccountId": ACCOUNT,
        "AWS::Region": REGION,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    refs = {"ArtifactsBucket": ARTIFACTS, "WebCdn": "E2EXAMPLE", "RelayHttpApi": "abc123api", "WebBucket": "relay-webbucket-x"}
    attributes = {
        "ArtifactsBucket": {"RegionalDomainName": f"{ARTIFACTS}.s3.{REGION}.amazonaws.com"},
        "WebCdn": {"DomainName": "d111111abcdef8.cloudfront.net"},
    }
    base = Resolver(parameters, pseudo, refs, attributes)
    return Resolver(parameters, pseudo, refs, attributes, evaluate_conditions(TEMPLATE["Conditions"], base))


def distribution() -> dict[str, Any]:
    return RESOURCES["WebCdn"]["Properties"]["DistributionConfig"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice"
        parsed[name] = sources
    return parsed


def test_the_parameter_gates_every_web_resource_and_output():
    assert TEMPLATE["Parameters"]["WebDistribution"]["AllowedValues"] == ["Enabled", "Disabled"]
    gated = {name for name, resource in RESOURCES.items() if resource.get("Condition") == "HasWebDistribution"}
    assert gated == WEB_RESOURCES
    assert all(
        resource["Type"].startswith("AWS::CloudFront::") is (name in WEB_RESOURCES - {"WebBucket", "WebBucketPolicy"})
        for name, resource in RESOURCES.items()
    )
    outputs = TEMPLATE["Outputs"]
    assert {name for name, spec in outputs.items() if spec.get("Condition") == "HasWebDistribution"} == {
        "WebUrl",
        "WebBucketName",
        "WebDistributionId",
    }
    assert resolver().resolve(outputs["WebUrl"]["Value"]) == "https://d111111abcdef8.cloudfront.net"
    assert resolver().condition("HasWebDistribution") and not resolver("Disabled").condition("HasWebDistribution")


def test_the_web_bucket_is_private_and_read_by_this_distribution_only():
    props = RESOURCES["WebBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert "BucketName" not in props  # no hard-coded name
    statement = RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"} and statement["Action"] == "s3:GetObject"
    assert resolver().resolve(statement["Condition"]["StringEquals"]["AWS:SourceArn"]) == (
        f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2EXAMPLE"
    )
    oac = RESOURCES["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == ("s3", "always", "sigv4")
    web_origin = next(o for o in distribution()["Origins"] if o["Id"] == "web")
    assert web_origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert web_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not a legacy OAI


def test_the_api_paths_reach_the_http_api_uncached_with_every_header_but_host():
    config = distribution()
    api_origin = next(o for o in config["Origins"] if o["Id"] == "api")
    assert resolver().resolve(api_origin["DomainName"]) == f"abc123api.execute-api.{REGION}.amazonaws.com"
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == {"/v1/*", "/docs/assets/*", "/docs*", "/openapi.json", "/healthz"}
    assert all(b["TargetOriginId"] == "api" for b in behaviours.values())
    assert [b["PathPattern"] for b in config["CacheBehaviors"]].index("/docs/assets/*") < [
        b["PathPattern"] for b in config["CacheBehaviors"]
    ].index("/docs*")  # first match wins
    for pattern in ("/v1/*", "/docs*", "/openapi.json", "/healthz"):
        assert behaviours[pattern]["CachePolicyId"] == CACHING_DISABLED, pattern
        assert behaviours[pattern]["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST, pattern
    assert set(behaviours["/v1/*"]["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behaviours["/v1/*"]["ViewerProtocolPolicy"] == "https-only"
    assert behaviours["/docs/assets/*"]["CachePolicyId"] == CACHING_OPTIMIZED
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "web" and default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["ResponseHeadersPolicyId"] == {"Ref": "WebResponseHeadersPolicy"}
    assert "CustomErrorResponses" not in config  # would replace the API's problem+json errors too


def web_csp() -> str:
    config = RESOURCES["WebResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    return resolver().resolve(config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"])


def test_the_web_csp_is_strict_and_names_the_buckets_presigned_urls_use():
    csp = directives(web_csp())
    assert len(web_csp()) <= 1783  # CloudFront's limit on the header
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert not any(s in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:") for v in csp.values() for s in v)
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    buckets = [
        f"https://{MEDIA}.s3.amazonaws.com",
        f"https://{MEDIA}.s3.{REGION}.amazonaws.com",
        f"https://{ARTIFACTS}.s3.amazonaws.com",
        f"https://{ARTIFACTS}.s3.{REGION}.amazonaws.com",
    ]
    assert csp["connect-src"] == ["'self'", *buckets]
    assert csp["img-src"] == ["'self'", "blob:", *buckets] and csp["media-src"] == ["'self'", "blob:", *buckets]


def test_presigned_urls_name_hosts_the_csp_allows():
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION)
    s3 = session.client("s3", config=Config(signature_version="s3v4"))  # as relay.bootstrap signs
    allowed = directives(web_csp())["connect-src"]
    for bucket in (MEDIA, ARTIFACTS):
        post = s3.generate_presigned_post(bucket, "uploads/x")["url"].rstrip("/")
        get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
        assert post in allowed and re.match(r"https://[^/]+", get)[0] in allowed


def test_the_cloud_csp_is_the_local_one_with_the_buckets_for_the_local_s3():
    local = directives(content_security_policy("http://127.0.0.1:4566"))
    cloud = directives(web_csp())
    assert set(local) == set(cloud)
    for name, sources in cloud.items():
        hosts = [s for s in sources if s.startswith("https://")]
        expected = [s for s in local[name] if s != "http://127.0.0.1:4566"] + (hosts if hosts else [])
        assert sources == expected and (bool(hosts) == ("http://127.0.0.1:4566" in local[name])), name


def test_headers_hsts_nosniff_no_framing_and_the_api_keeps_its_own_csp():
    for name in ("WebResponseHeadersPolicy", "ApiResponseHeadersPolicy"):
        headers = RESOURCES[name]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
        assert headers["ContentTypeOptions"] == {"Override": True}
        assert headers["FrameOptions"]["FrameOption"] == "DENY"
        assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    api = RESOURCES["ApiResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert api["ContentSecurityPolicy"]["Override"] is False  # /docs sends the CSP Swagger UI needs


def test_the_media_bucket_allows_the_distributions_origin_only_when_there_is_one():
    rules = RESOURCES["MediaBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert resolver().resolve(rules[0]["AllowedOrigins"]) == ["*", "https://d111111abcdef8.cloudfront.net"]
    assert resolver("Disabled").resolve(rules[0]["AllowedOrigins"]) == ["*"]


# -- the resource graph ------------------------------------------------------------------------
def _refs(value: Any, names: set[str], found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and arg in names:
                found.add(arg)
            elif key == "Fn::GetAtt" and arg[0] in names:
                found.add(arg[0])
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text) if m.split(".")[0] in names)
                _refs(arg, names, found)
            else:
                _refs(arg, names, found)
    elif isinstance(value, list):
        for item in value:
            _refs(item, names, found)
    return found


def dependency_graph(template: dict[str, Any]) -> dict[str, set[str]]:
    """Who needs whom, with the edges SAM adds: an HTTP API's integrations need the functions
    whose HttpApi events name it, and a bucket's notifications the functions of its S3 events;
    a function's generated role carries its Policies (in its Properties already)."""
    resources = template["Resources"]
    names = set(resources)
    graph = {}
    for name, resource in resources.items():
        props = {k: v for k, v in resource.get("Properties", {}).items() if k != "Events"}
        depends = resource.get("DependsOn", [])
        graph[name] = _refs(props, names, set()) | set([depends] if isinstance(depends, str) else depends)
    for name, resource in resources.items():
        # An event's own reference is SAM's invoke permission's, which needs the function, not the reverse.
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            key = {"HttpApi": "ApiId", "S3": "Bucket"}.get(event.get("Type"))
            target = (event.get("Properties", {}).get(key) or {}).get("Ref") if key else None
            if target in names:
                graph[target].add(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_resource_graph_has_no_cycle():
    assert find_cycle(dependency_graph(TEMPLATE)) is None


def test_the_cycle_check_finds_the_one_a_media_bucket_ref_in_the_api_role_would_make():
    changed = copy.deepcopy(TEMPLATE)
    changed["Resources"]["ApiFunction"]["Properties"]["Policies"].append({"S3ReadPolicy": {"BucketName": {"Ref": "MediaBucket"}}})
    cycle = find_cycle(dependency_graph(changed))
    assert cycle is not None and {"MediaBucket", "WebCdn", "RelayHttpApi", "ApiFunction"} <= set(cycle)
