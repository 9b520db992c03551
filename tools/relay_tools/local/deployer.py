"""Create template.yaml's resources in the local cloud, as CloudFormation would.

Supported: DynamoDB tables (keys, GSIs, LSIs, TTL, PITR), S3 buckets (`BucketName`,
versioning, encryption, public access block, CORS, lifecycle, and the notifications of the
functions' SAM `S3` events), log groups (retention), Secrets Manager secrets (`Name`,
`SecretString`, `Description`; Ref is the secret's name, which GetSecretValue takes as the ARN
would be), SAM functions (registered for the in-process invoke front), SAM state machines
(DefinitionUri + DefinitionSubstitutions).
HTTP APIs and layers need nothing locally: uvicorn serves the API, the layer is on sys.path.
`Conditions` are evaluated against the parameters: a resource or output whose condition is
false is not created, as in the cloud, and `Fn::If` takes its branch. `relay local` turns
WebDistribution off (relay_tools.local.cloud): CloudFront is the cloud's; locally the API's
origin serves web/ itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cfn import Resolver, UnsupportedPropertyError, evaluate_conditions, load_template

ACCOUNT_ID = "123456789012"
# Resources the local cloud does not reproduce: the template must be deployed with them off.
CLOUD_ONLY_TYPES = ("AWS::CloudFront::",)


def create_table(dynamodb: Any, name: str, props: dict[str, Any]) -> None:
    """An AWS::DynamoDB::Table's Properties as CreateTable (and its TTL) on `dynamodb`: what the
    deployer creates, and what the benchmarks that seed moto directly create."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if kwargs["BillingMode"] == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = props["ProvisionedThroughput"]
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if key in props:
            kwargs[key] = [
                {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")}
                for index in props[key]
            ]
    if "StreamSpecification" in props:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    dynamodb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )
    pitr = props.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    timeout: int
    memory_mb: int
    log_group: str | None = None  # LoggingConfig.LogGroup; None: Lambda's /aws/lambda/<name>


@dataclass
class Deployment:
    stack_name: str
    region: str
    refs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    functions: dict[str, LocalFunction] = field(default_factory=dict)  # by function name

    def function(self, name_or_arn: str) -> LocalFunction | None:
        name = name_or_arn.split(":")[6] if name_or_arn.startswith("arn:") else name_or_arn.split(":")[0]
        return self.functions.get(name)

    def environment(self) -> dict[str, str]:
        """Every function's variables (they agree; Globals hold the shared ones)."""
        merged: dict[str, str] = {}
        for function in self.functions.values():
            merged.update(function.environment)
        return merged


def _names(
    resources: dict[str, Any], stack: str, region: str, pseudo: Resolver
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Local physical names: an explicit `Name` (resolved against parameters and pseudo
    parameters only), else `<stack>-<LogicalId>` as CloudFormation would generate."""
    refs: dict[str, str] = {}
    attributes: dict[str, dict[str, str]] = {}
    for logical_id, resource in resources.items():
        kind = resource["Type"]
        if kind == "AWS::DynamoDB::Table":
            name = f"{stack}-{logical_id}"
            refs[logical_id] = name
            attributes[logical_id] = {"Arn": f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"}
        elif kind == "AWS::S3::Bucket":
            explicit = resource.get("Properties", {}).get("BucketName")
            name = str(pseudo.resolve(explicit)) if explicit else f"{stack}-{logical_id}".lower()
            refs[logical_id] = name
            attributes[logical_id] = {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}
        elif kind == "AWS::Serverless::Function":
            name = f"{stack}-{logical_id}"
            refs[logical_id] = name
            attributes[logical_id] = {"Arn": f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"}
        elif kind == "AWS::Serverless::StateMachine":
            explicit = resource.get("Properties", {}).get("Name")
            name = str(pseudo.resolve(explicit)) if explicit else f"{stack}-{logical_id}"
            arn = f"arn:aws:states:{region}:{ACCOUNT_ID}:stateMachine:{name}"
            refs[logical_id] = arn
            attributes[logical_id] = {"Arn": arn, "Name": name}
        elif kind == "AWS::Logs::LogGroup":
            name = f"/{stack}/{logical_id}"
            refs[logical_id] = name
            attributes[logical_id] = {"Arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{name}:*"}
        elif kind == "AWS::SecretsManager::Secret":
            explicit = resource.get("Properties", {}).get("Name")
            name = str(pseudo.resolve(explicit)) if explicit else f"{stack}-{logical_id}"
            refs[logical_id] = name
            attributes[logical_id] = {"Id": name}
        elif kind == "AWS::Serverless::LayerVersion":
            refs[logical_id] = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:layer:{stack}-{logical_id}:1"
            attributes[logical_id] = {}
        elif kind == "AWS::Serverless::HttpApi":
            refs[logical_id] = "local"
            attributes[logical_id] = {"ApiEndpoint": "http://127.0.0.1"}
        else:
            refs[logical_id] = f"{stack}-{logical_id}"
            attributes[logical_id] = {}
    return refs, attributes


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
    prefix = rule.get("Prefix")
    if len(tags) == 1 and not prefix:
        out["Filter"] = {"Tag": tags[0]}
    elif tags:
        out["Filter"] = {"And": {"Tags": tags, **({"Prefix": prefix} if prefix else {})}}
    else:
        out["Filter"] = {"Prefix": prefix or ""}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return out


class Deployer:
    def __init__(self, session: Any, endpoint_url: str, region: str) -> None:
        def client(service: str) -> Any:
            return session.client(service, endpoint_url=endpoint_url, region_name=region)

        self.region = region
        self.dynamodb = client("dynamodb")
        self.s3 = client("s3")
        self.logs = client("logs")
        self.stepfunctions = client("stepfunctions")
        self.secretsmanager = client("secretsmanager")

    def deploy(self, template_path: Path, stack_name: str, parameters: dict[str, Any] | None = None) -> Deployment:
        template = load_template(template_path)
        root = template_path.parent
        resources: dict[str, Any] = template["Resources"]
        values = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
        values.update(parameters or {})
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
        conditions = evaluate_conditions(template.get("Conditions", {}), Resolver(values, pseudo, {}, {}))
        resources = {k: v for k, v in resources.items() if "Condition" not in v or conditions[v["Condition"]]}
        cloud_only = sorted(k for k, v in resources.items() if v["Type"].startswith(CLOUD_ONLY_TYPES))
        if cloud_only:
            raise UnsupportedPropertyError(
                f"{', '.join(cloud_only)}: no local counterpart (CloudFront); turn them off with their condition "
                "(relay local deploys with WebDistribution=Disabled and serves web/ itself)"
            )
        refs, attributes = _names(resources, stack_name, self.region, Resolver(values, pseudo, {}, {}))
        resolver = Resolver(values, pseudo, refs, attributes, conditions)
        deployment = Deployment(stack_name=stack_name, region=self.region, refs=refs)
        function_globals = template.get("Globals", {}).get("Function", {})

        for logical_id, resource in resources.items():
            kind, props = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::DynamoDB::Table":
                self._table(refs[logical_id], resolver.resolve(props))
            elif kind == "AWS::S3::Bucket":
                self._bucket(refs[logical_id], resolver.resolve(props))
            elif kind == "AWS::Logs::LogGroup":
                self._log_group(refs[logical_id], resolver.resolve(props))
            elif kind == "AWS::SecretsManager::Secret":
                self._secret(refs[logical_id], resolver.resolve(props))
            elif kind == "AWS::Serverless::Function":
                function = self._function(
                    logical_id, refs[logical_id], attributes[logical_id]["Arn"], props, function_globals, resolver, root
                )
                deployment.functions[function.name] = function
        self._notifications(resources, refs, attributes, resolver)
        for logical_id, resource in resources.items():
            if resource["Type"] == "AWS::Serverless::StateMachine":
                self._state_machine(attributes[logical_id]["Name"], resource.get("Properties", {}), resolver, root)
        deployment.outputs = {
            name: str(resolver.resolve(spec["Value"]))
            for name, spec in template.get("Outputs", {}).items()
            if "Condition" not in spec or conditions[spec["Condition"]]
        }
        return deployment

    # -- resources ------------------------------------------------------------------------
    def _table(self, name: str, props: dict[str, Any]) -> None:
        create_table(self.dynamodb, name, props)

    def _bucket(self, name: str, props: dict[str, Any]) -> None:
        self.s3.create_bucket(Bucket=name)
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        encryption = props.get("BucketEncryption")
        if encryption:
            self.s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"]}
                        for r in encryption["ServerSideEncryptionConfiguration"]
                    ]
                },
            )
        if "PublicAccessBlockConfiguration" in props:
            self.s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
        cors = props.get("CorsConfiguration")
        if cors:
            self.s3.put_bucket_cors(
                Bucket=name,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedMethods": r["AllowedMethods"],
                            "AllowedOrigins": r["AllowedOrigins"],
                            **({"AllowedHeaders": r["AllowedHeaders"]} if "AllowedHeaders" in r else {}),
                            **({"ExposeHeaders": r["ExposedHeaders"]} if "ExposedHeaders" in r else {}),
                            **({"MaxAgeSeconds": int(r["MaxAge"])} if "MaxAge" in r else {}),
                        }
                        for r in cors["CorsRules"]
                    ]
                },
            )
        lifecycle = props.get("LifecycleConfiguration")
        if lifecycle:
            self.s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in lifecycle["Rules"]]},
            )

    def _notifications(
        self, resources: dict[str, Any], refs: dict[str, str], attributes: dict[str, dict[str, str]], resolver: Resolver
    ) -> None:
        """SAM `S3` events of functions → each bucket's notification configuration, as SAM
        writes it into the bucket (moto records it and sends Lambda events by it; see
        relay_tools.local.notifications for how they reach the function)."""
        by_bucket: dict[str, list[dict[str, Any]]] = {}
        for logical_id, resource in resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            for event_id, event in (resource.get("Properties", {}).get("Events") or {}).items():
                if event.get("Type") != "S3":
                    continue
                props = resolver.resolve(event["Properties"])
                events = props["Events"] if isinstance(props["Events"], list) else [props["Events"]]
                config: dict[str, Any] = {
                    "Id": f"{logical_id}{event_id}",
                    "LambdaFunctionArn": attributes[logical_id]["Arn"],
                    "Events": events,
                }
                rules = (props.get("Filter") or {}).get("S3Key", {}).get("Rules")
                if rules:
                    config["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
                by_bucket.setdefault(props["Bucket"], []).append(config)
        for bucket, configs in by_bucket.items():
            self.s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": configs}
            )

    def _secret(self, name: str, props: dict[str, Any]) -> None:
        if "GenerateSecretString" in props:
            raise UnsupportedPropertyError(f"{name}: GenerateSecretString is not supported locally; give SecretString")
        kwargs: dict[str, Any] = {"Name": name, "SecretString": props.get("SecretString", "")}
        if props.get("Description"):
            kwargs["Description"] = props["Description"]
        self.secretsmanager.create_secret(**kwargs)

    def _log_group(self, name: str, props: dict[str, Any]) -> None:
        self.logs.create_log_group(logGroupName=name)
        if "RetentionInDays" in props:
            self.logs.put_retention_policy(logGroupName=name, retentionInDays=int(props["RetentionInDays"]))

    def _function(
        self,
        logical_id: str,
        name: str,
        arn: str,
        props: dict[str, Any],
        globals_: dict[str, Any],
        resolver: Resolver,
        root: Path,
    ) -> LocalFunction:
        merged = {**globals_, **props}
        env = {
            **resolver.resolve(globals_.get("Environment", {}).get("Variables", {})),
            **resolver.resolve(props.get("Environment", {}).get("Variables", {})),
        }
        return LocalFunction(
            logical_id=logical_id,
            name=name,
            arn=arn,
            handler=merged["Handler"],
            code_dir=(root / merged["CodeUri"]).resolve(),
            environment={k: str(v) for k, v in env.items() if v is not None},
            timeout=int(merged.get("Timeout", 3)),
            memory_mb=int(merged.get("MemorySize", 128)),
            log_group=resolver.resolve(merged.get("LoggingConfig") or {}).get("LogGroup"),
        )

    def _state_machine(self, name: str, props: dict[str, Any], resolver: Resolver, root: Path) -> None:
        if "DefinitionUri" in props:
            text = (root / props["DefinitionUri"]).read_text(encoding="utf-8")
        else:
            text = json.dumps(props["Definition"])
        substitutions = resolver.resolve(props.get("DefinitionSubstitutions", {}))
        for key, value in substitutions.items():
            text = text.replace("${" + key + "}", str(value))
        json.loads(text)  # fail here, not in the executor, if a substitution broke the JSON
        self.stepfunctions.create_state_machine(
            name=name,
            definition=text,
            roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-role",
            type=props.get("Type", "STANDARD"),
        )
