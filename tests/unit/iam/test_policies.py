"""The roles template.yaml grants, expanded as SAM would (relay_tools.iam.policies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay_tools.iam import Permission, Stack, Statement, UnsupportedPolicyError
from relay_tools.iam.policies import _statements
from relay_tools.local.cfn import Resolver, load_template

ROOT = Path(__file__).resolve().parents[3]
REGION = "us-east-1"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/relay-"
MEDIA = "arn:aws:s3:::relay-media-123456789012-us-east-1"


@pytest.fixture(scope="module")
def stack() -> Stack:
    template = load_template(ROOT / "template.yaml")
    refs = {
        logical_id: (
            f"arn:aws:states:{REGION}:123456789012:stateMachine:relay-{logical_id}"
            if resource["Type"] == "AWS::Serverless::StateMachine"
            else f"relay-{logical_id}"
        )
        for logical_id, resource in template["Resources"].items()
    }
    return Stack.load(ROOT / "template.yaml", "relay", REGION, refs, {"WebDistribution": "Disabled"})


def test_policy_templates_expand_to_the_tables_they_name(stack: Stack) -> None:
    api = stack.roles()["ApiFunction"]
    assert api.allows(Permission("dynamodb:PutItem", TABLE + "RunsTable"))
    assert api.allows(Permission("dynamodb:Query", TABLE + "RunsTable/index/ByUser"))
    assert not api.allows(Permission("dynamodb:PutItem", TABLE + "ApiCallsTable"))  # read only
    assert api.allows(Permission("dynamodb:GetItem", TABLE + "ApiCallsTable"))


def test_a_function_gets_only_its_own_statements(stack: Stack) -> None:
    media = stack.roles()["MediaUploadedFunction"]
    assert media.allows(Permission("s3:GetObject", MEDIA + "/uploads/m1"))
    assert not media.allows(Permission("s3:GetObject", MEDIA + "/ingested/m1"))
    assert not media.allows(Permission("dynamodb:GetItem", TABLE + "UsersTable"))


def test_the_provider_secret_is_granted_by_its_arn(stack: Stack) -> None:
    run_step = stack.roles()["RunStepFunction"]
    secret = stack.resolver.ref("ProviderKeysSecret")
    assert secret.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:relay-ProviderKeysSecret-")
    assert run_step.allows(Permission("secretsmanager:GetSecretValue", secret))
    assert not stack.roles()["ApiFunction"].allows(Permission("secretsmanager:GetSecretValue", secret))


def test_each_state_machine_may_invoke_the_tasks_its_definition_names(stack: Stack) -> None:
    roles = stack.roles()
    for logical_id, resource in stack.resources.items():
        if resource["Type"] == "AWS::Serverless::StateMachine":
            calls = stack.state_machine_calls(logical_id)
            assert calls, logical_id
            assert [c for c in calls if not roles[logical_id].allows(c)] == []


def test_wildcards_match_as_iam_does() -> None:
    statement = Statement(("s3:Get*",), ("arn:aws:s3:::b/uploads/*",))
    assert statement.allows(Permission("s3:GetObject", "arn:aws:s3:::b/uploads/x/y"))
    assert statement.allows(Permission("S3:getobject", "arn:aws:s3:::b/uploads/x"))  # actions: any case
    assert not statement.allows(Permission("s3:GetObject", "arn:aws:s3:::b/Uploads/x"))  # resources: exact case
    assert not statement.allows(Permission("s3:PutObject", "arn:aws:s3:::b/uploads/x"))


def test_a_statement_it_cannot_evaluate_is_refused() -> None:
    resolver = Resolver({}, {}, {}, {})
    with pytest.raises(UnsupportedPolicyError):
        _statements({"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}, resolver)
    with pytest.raises(UnsupportedPolicyError):
        _statements({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}, resolver)
