"""What IAM authorizes for one AWS request: the actions and resource ARNs it needs.

A DynamoDB `TransactWriteItems` is authorized item by item (`dynamodb:PutItem` on each put's
table, `dynamodb:ConditionCheckItem` on each check's …), a Query of an index against the
index's ARN, an S3 `HEAD` of an object as `s3:GetObject`, a copy as `s3:PutObject` on the
target plus `s3:GetObject` on the source; the service authorization reference lists them.
Only what Relay's code calls is known here: anything else comes back as `Unknown…` actions, so a
new kind of call shows up in the report instead of passing unchecked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

ACCOUNT_ID = "123456789012"


@dataclass(frozen=True, order=True)
class Permission:
    action: str  # dynamodb:PutItem
    resource: str  # an ARN, or "*"


@dataclass(frozen=True)
class Arns:
    """Where the requested resources live (the local cloud answers for one account and region)."""

    region: str
    account: str = ACCOUNT_ID

    def table(self, name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    def bucket(self, name: str, key: str | None = None) -> str:
        return f"arn:aws:s3:::{name}/{key}" if key is not None else f"arn:aws:s3:::{name}"

    def log_group(self, name: str) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{name}:*"

    def secret(self, name_or_arn: str) -> str:
        # A secret's ARN ends in six random characters: its policy grants `…:secret:<name>-??????`
        # (or the ARN CloudFormation returned, which SecretArn parameters are).
        if name_or_arn.startswith("arn:"):
            return name_or_arn
        return f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{name_or_arn}-AbCdEf"

    def function(self, name_or_arn: str) -> str:
        if name_or_arn.startswith("arn:"):
            return name_or_arn
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name_or_arn}"


_TARGET_SERVICES = {
    "DynamoDB_20120810": "dynamodb",
    "AWSStepFunctions": "states",
    "secretsmanager": "secretsmanager",
    "Logs_20140328": "logs",
}
_TRANSACT_WRITE = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


def required(environ: dict[str, Any], body: bytes, arns: Arns) -> list[Permission]:
    """The permissions `environ` (a WSGI request to the local cloud, its body read out) needs."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        prefix, _, operation = target.partition(".")
        service = _TARGET_SERVICES.get(prefix, prefix.lower())
        params = json.loads(body or b"{}")
        if service == "dynamodb":
            return _dynamodb(operation, params, arns)
        if service == "states":
            return _states(operation, params)
        if service == "secretsmanager":
            return [Permission(f"secretsmanager:{operation}", arns.secret(params.get("SecretId", "*")))]
        if service == "logs":
            return _logs(operation, params, arns)
        return [Permission(f"{service}:{operation}", "*")]
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/2015-03-31/functions/"):
        name = unquote(path.split("/")[3])
        return [Permission("lambda:InvokeFunction", arns.function(name))]
    return _s3(environ, body, arns)


def _dynamodb(operation: str, params: dict[str, Any], arns: Arns) -> list[Permission]:
    if operation == "TransactWriteItems":
        out = []
        for item in params.get("TransactItems", []):
            ((kind, spec),) = item.items()
            out.append(Permission(f"dynamodb:{_TRANSACT_WRITE[kind]}", arns.table(spec["TableName"])))
        return out
    if operation == "TransactGetItems":
        return [Permission("dynamodb:GetItem", arns.table(i["Get"]["TableName"])) for i in params.get("TransactItems", [])]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Permission(f"dynamodb:{operation}", arns.table(name)) for name in params.get("RequestItems", {})]
    return [Permission(f"dynamodb:{operation}", arns.table(params.get("TableName", "*"), params.get("IndexName")))]


def _states(operation: str, params: dict[str, Any]) -> list[Permission]:
    # SendTask* name a token, not an ARN: the ledger resolves it to its state machine.
    resource = params.get("stateMachineArn") or params.get("executionArn") or params.get("taskToken") or "*"
    return [Permission(f"states:{operation}", resource)]


def _logs(operation: str, params: dict[str, Any], arns: Arns) -> list[Permission]:
    group = params.get("logGroupName")
    return [Permission(f"logs:{operation}", arns.log_group(group) if group else "*")]


def _s3_location(environ: dict[str, Any]) -> tuple[str, str | None]:
    """(bucket, key or None): virtual-hosted (`<bucket>.s3…` hosts) or path-style."""
    host = environ.get("HTTP_HOST", "").split(":")[0]
    path = unquote(environ.get("PATH_INFO", "/"))
    if ".s3." in host or host.endswith(".localhost"):
        bucket, rest = host.split(".", 1)[0], path.lstrip("/")
    else:
        bucket, _, rest = path.lstrip("/").partition("/")
    return bucket, (rest or None)


def _s3(environ: dict[str, Any], body: bytes, arns: Arns) -> list[Permission]:
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    bucket, key = _s3_location(environ)
    if key is None:
        return _s3_bucket(method, query, bucket, body, environ, arns)
    target = arns.bucket(bucket, key)
    versioned = "Version" if "versionId" in query else ""
    if "tagging" in query:
        verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method)
        return [Permission(f"s3:{verb}Object{versioned}Tagging", target)]
    if method in ("GET", "HEAD"):
        return [Permission(f"s3:GetObject{versioned}", target)]
    if method == "DELETE":
        action = "s3:AbortMultipartUpload" if "uploadId" in query else f"s3:DeleteObject{versioned}"
        return [Permission(action, target)]
    out = [Permission("s3:PutObject", target)]  # PUT, multipart create/part/complete (POST)
    source = environ.get("HTTP_X_AMZ_COPY_SOURCE")
    if source:
        source_bucket, _, source_key = unquote(source).lstrip("/").partition("/")
        source_key, _, version = source_key.partition("?versionId=")
        out.append(Permission("s3:GetObjectVersion" if version else "s3:GetObject", arns.bucket(source_bucket, source_key)))
    if environ.get("HTTP_X_AMZ_TAGGING"):
        out.append(Permission("s3:PutObjectTagging", target))
    return out


def _s3_bucket(
    method: str, query: dict[str, list[str]], bucket: str, body: bytes, environ: dict[str, Any], arns: Arns
) -> list[Permission]:
    if method == "POST" and "delete" in query:  # DeleteObjects: s3:DeleteObject on each key
        keys = _xml_values(body, "Key")
        return [Permission("s3:DeleteObject", arns.bucket(bucket, k)) for k in keys] or [
            Permission("s3:DeleteObject", arns.bucket(bucket, "*"))
        ]
    if method == "POST":  # a browser form upload: signed by whoever presigned it
        key = _form_field(body, environ.get("CONTENT_TYPE", ""), "key")
        out = [Permission("s3:PutObject", arns.bucket(bucket, key or "*"))]
        if _form_field(body, environ.get("CONTENT_TYPE", ""), "tagging"):
            out.append(Permission("s3:PutObjectTagging", arns.bucket(bucket, key or "*")))
        return out
    if method in ("GET", "HEAD"):
        return [Permission("s3:ListBucketVersions" if "versions" in query else "s3:ListBucket", arns.bucket(bucket))]
    return [Permission(f"s3:Unknown{method}Bucket", arns.bucket(bucket))]


def _xml_values(body: bytes, tag: str) -> list[str]:
    text = body.decode("utf-8", "replace")
    open_tag, close_tag = f"<{tag}>", f"</{tag}>"
    values, start = [], text.find(open_tag)
    while start != -1:
        end = text.find(close_tag, start)
        values.append(text[start + len(open_tag) : end])
        start = text.find(open_tag, end)
    return values


def _form_field(body: bytes, content_type: str, name: str) -> str | None:
    """A field of a multipart/form-data body (the form's fields come before its file)."""
    if "boundary=" not in content_type:
        return None
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        if f'name="{name}"'.encode() in head:
            return value.rstrip(b"\r\n").decode("utf-8", "replace")
    return None
