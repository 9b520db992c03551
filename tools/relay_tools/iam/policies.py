"""Each function's and state machine's role, as `sam deploy` would grant it from template.yaml.

SAM policy templates (`DynamoDBCrudPolicy: {TableName: …}`) are expanded by SAM's own
translator, inline `Statement`s are taken as written, and both are resolved against the
stack's resources with the ARNs they have in the cloud (a table's `table/<name>`, a secret's
`secret:<name>-XXXXXX`), so a statement matches the requests the local cloud sees.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relay_tools.local.cfn import Resolver, evaluate_conditions, load_template

from .exceptions import UnsupportedPolicyError
from .permissions import ACCOUNT_ID, Arns, Permission

ROLE_TYPES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    sid: str | None = None

    def grants(self, permission: Permission) -> set[tuple[str, str]]:
        """The (action, resource) pairs of this statement that allow `permission`."""
        # IAM matches actions case-insensitively and resources case-sensitively, `*` and `?` in both.
        actions = [a for a in self.actions if fnmatch.fnmatchcase(permission.action.lower(), a.lower())]
        resources = [r for r in self.resources if fnmatch.fnmatchcase(permission.resource, r)]
        return {(a, r) for a in actions for r in resources}

    def allows(self, permission: Permission) -> bool:
        return bool(self.grants(permission))


@dataclass
class Role:
    """One resource's execution role: what its Policies allow."""

    logical_id: str
    statements: list[Statement] = field(default_factory=list)
    managed: list[str] = field(default_factory=list)  # managed policy names (not evaluated: none grant data access here)

    def allows(self, permission: Permission) -> bool:
        return any(s.allows(permission) for s in self.statements)

    def grants(self, permission: Permission) -> set[tuple[str, str]]:
        return set().union(*(s.grants(permission) for s in self.statements))

    def granted(self) -> list[tuple[str, str]]:
        return sorted({(a, r) for s in self.statements for a in s.actions for r in s.resources})


def _cloud_names(resources: dict[str, Any], refs: dict[str, str], arns: Arns) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """`Ref`s and `GetAtt`s as the cloud would answer them, from the local physical names."""
    cloud_refs: dict[str, str] = dict(refs)
    attributes: dict[str, dict[str, str]] = {}
    for logical_id, resource in resources.items():
        kind, name = resource["Type"], refs.get(logical_id, logical_id)
        if kind == "AWS::DynamoDB::Table":
            attributes[logical_id] = {"Arn": arns.table(name), "StreamArn": f"{arns.table(name)}/stream/*"}
        elif kind == "AWS::S3::Bucket":
            attributes[logical_id] = {"Arn": arns.bucket(name), "DomainName": f"{name}.s3.amazonaws.com"}
        elif kind == "AWS::Serverless::Function":
            attributes[logical_id] = {"Arn": arns.function(name)}
        elif kind == "AWS::Serverless::StateMachine":
            attributes[logical_id] = {"Arn": name, "Name": name.rsplit(":", 1)[-1]}
        elif kind == "AWS::Logs::LogGroup":
            attributes[logical_id] = {"Arn": arns.log_group(name)}
        elif kind == "AWS::SecretsManager::Secret":
            cloud_refs[logical_id] = arns.secret(name)  # Ref of a secret is its ARN
            attributes[logical_id] = {"Id": arns.secret(name)}
        else:
            attributes[logical_id] = {"Arn": f"arn:aws:{logical_id}", "Name": name}
    return cloud_refs, attributes


def _statements(document: dict[str, Any], resolver: Resolver) -> list[Statement]:
    out = []
    for raw in document["Statement"]:
        statement = resolver.resolve(raw)
        if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
            raise UnsupportedPolicyError(f"only Allow statements with Action and Resource are evaluated: {statement}")
        actions, resources = statement["Action"], statement["Resource"]
        out.append(
            Statement(
                actions=tuple([actions] if isinstance(actions, str) else actions),
                resources=tuple(str(r) for r in ([resources] if isinstance(resources, str) else resources)),
                sid=statement.get("Sid"),
            )
        )
    return out


@dataclass
class Stack:
    """template.yaml resolved as the cloud would resolve it, over the local deployment's names."""

    template_path: Path
    resources: dict[str, Any]
    resolver: Resolver

    @classmethod
    def load(cls, template_path: Path, stack_name: str, region: str, refs: dict[str, str], parameters: dict[str, Any]) -> Stack:
        """`refs`: the local deployment's physical names (relay_tools.local.Deployment.refs)."""
        template = load_template(template_path)
        values = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
        values.update(parameters)
        pseudo: dict[str, str | None] = {
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
        conditions = evaluate_conditions(template.get("Conditions", {}), Resolver(values, pseudo, {}, {}))
        resources = {k: v for k, v in template["Resources"].items() if "Condition" not in v or conditions[v["Condition"]]}
        cloud_refs, attributes = _cloud_names(resources, refs, Arns(region))
        return cls(template_path, resources, Resolver(values, pseudo, cloud_refs, attributes, conditions))

    def roles(self) -> dict[str, Role]:
        """Every role the functions and state machines get, by logical id."""
        from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

        processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
        out: dict[str, Role] = {}
        for logical_id, resource in self.resources.items():
            if resource["Type"] not in ROLE_TYPES:
                continue
            role = out[logical_id] = Role(logical_id)
            for policy in resource.get("Properties", {}).get("Policies", []):
                if isinstance(policy, str):
                    role.managed.append(policy)
                elif "Statement" in policy:
                    role.statements += _statements(policy, self.resolver)
                else:
                    ((name, arguments),) = policy.items()
                    role.statements += _statements(processor.convert(name, arguments), self.resolver)
        return out

    def state_machine_calls(self, logical_id: str) -> list[Permission]:
        """The calls a state machine's definition makes (its Task states), as permissions."""
        props = self.resources[logical_id]["Properties"]
        text = (self.template_path.parent / props["DefinitionUri"]).read_text(encoding="utf-8")
        for key, value in self.resolver.resolve(props.get("DefinitionSubstitutions", {})).items():
            text = text.replace("${" + key + "}", str(value))
        arns = Arns(str(self.resolver.ref("AWS::Region")))
        return sorted(set(_task_permissions(json.loads(text), arns)))


def _task_permissions(definition: dict[str, Any], arns: Arns) -> list[Permission]:
    out: list[Permission] = []
    for state in definition.get("States", {}).values():
        resource = state.get("Resource", "")
        if state.get("Type") == "Task":
            if resource.startswith("arn:aws:states:::lambda:invoke"):
                out.append(Permission("lambda:InvokeFunction", arns.function(state["Parameters"]["FunctionName"])))
            elif resource.startswith("arn:aws:lambda:"):
                out.append(Permission("lambda:InvokeFunction", resource))
            else:
                out.append(Permission(f"states-integration:{resource}", "*"))  # unknown: shows as denied
        for branch in state.get("Branches", []):
            out += _task_permissions(branch, arns)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                out += _task_permissions(state[key], arns)
    return out
