"""What IAM authorizes for a request, as relay_tools.iam.permissions reads it off the wire."""

from __future__ import annotations

import json

from relay_tools.iam import Arns, Permission, required

ARNS = Arns("us-east-1")
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/"


def target(service: str, operation: str, body: dict) -> tuple[dict, bytes]:
    return {"HTTP_X_AMZ_TARGET": f"{service}.{operation}", "REQUEST_METHOD": "POST", "PATH_INFO": "/"}, json.dumps(body).encode()


def test_a_transaction_needs_each_items_action_on_its_table() -> None:
    environ, body = target(
        "DynamoDB_20120810",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "runs"}},
                {"Update": {"TableName": "events"}},
                {"ConditionCheck": {"TableName": "users"}},
                {"Delete": {"TableName": "pending"}},
            ]
        },
    )
    assert required(environ, body, ARNS) == [
        Permission("dynamodb:PutItem", TABLE + "runs"),
        Permission("dynamodb:UpdateItem", TABLE + "events"),
        Permission("dynamodb:ConditionCheckItem", TABLE + "users"),
        Permission("dynamodb:DeleteItem", TABLE + "pending"),
    ]


def test_an_index_query_is_authorized_against_the_index() -> None:
    environ, body = target("DynamoDB_20120810", "Query", {"TableName": "runs", "IndexName": "ByUser"})
    assert required(environ, body, ARNS) == [Permission("dynamodb:Query", TABLE + "runs/index/ByUser")]


def test_batch_reads_name_every_table() -> None:
    environ, body = target("DynamoDB_20120810", "BatchGetItem", {"RequestItems": {"a": {}, "b": {}}})
    assert required(environ, body, ARNS) == [
        Permission("dynamodb:BatchGetItem", TABLE + "a"),
        Permission("dynamodb:BatchGetItem", TABLE + "b"),
    ]


def test_a_secret_by_name_is_its_arn() -> None:
    environ, body = target("secretsmanager", "GetSecretValue", {"SecretId": "relay-keys"})
    (permission,) = required(environ, body, ARNS)
    assert permission.action == "secretsmanager:GetSecretValue"
    assert permission.resource.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:relay-keys-")


def test_logs_filter_is_against_the_group() -> None:
    environ, body = target("Logs_20140328", "FilterLogEvents", {"logGroupName": "/relay/Api"})
    assert required(environ, body, ARNS) == [
        Permission("logs:FilterLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/relay/Api:*")
    ]


def s3(method: str, path: str, query: str = "", **headers: str) -> dict:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "127.0.0.1:4566", **headers}


def test_s3_object_reads_writes_and_tags() -> None:
    assert required(s3("HEAD", "/media/uploads/a"), b"", ARNS) == [Permission("s3:GetObject", "arn:aws:s3:::media/uploads/a")]
    assert required(s3("GET", "/media/a", "versionId=3"), b"", ARNS) == [
        Permission("s3:GetObjectVersion", "arn:aws:s3:::media/a")
    ]
    assert required(s3("PUT", "/media/a", "tagging="), b"", ARNS) == [Permission("s3:PutObjectTagging", "arn:aws:s3:::media/a")]
    assert required(s3("DELETE", "/media/a"), b"", ARNS) == [Permission("s3:DeleteObject", "arn:aws:s3:::media/a")]
    assert required(s3("PUT", "/art/runs/x", HTTP_X_AMZ_TAGGING="relay%3Aretention=30d"), b"", ARNS) == [
        Permission("s3:PutObject", "arn:aws:s3:::art/runs/x"),
        Permission("s3:PutObjectTagging", "arn:aws:s3:::art/runs/x"),
    ]


def test_a_copy_reads_its_source() -> None:
    environ = s3("PUT", "/art/runs/x", HTTP_X_AMZ_COPY_SOURCE="media/uploads/u%201")
    assert required(environ, b"", ARNS) == [
        Permission("s3:PutObject", "arn:aws:s3:::art/runs/x"),
        Permission("s3:GetObject", "arn:aws:s3:::media/uploads/u 1"),
    ]


def test_listing_and_virtual_hosted_buckets() -> None:
    assert required(s3("GET", "/media", "list-type=2&prefix=u"), b"", ARNS) == [Permission("s3:ListBucket", "arn:aws:s3:::media")]
    environ = s3("GET", "/k", HTTP_HOST="media.s3.us-east-1.amazonaws.com")
    assert required(environ, b"", ARNS) == [Permission("s3:GetObject", "arn:aws:s3:::media/k")]


def test_a_form_upload_puts_the_forms_key_and_its_tags() -> None:
    boundary = "b0"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nuploads/m1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="tagging"\r\n\r\n<Tagging/>\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\nbytes\r\n--{boundary}--\r\n'
    ).encode()
    environ = s3("POST", "/media", CONTENT_TYPE=f"multipart/form-data; boundary={boundary}")
    assert required(environ, body, ARNS) == [
        Permission("s3:PutObject", "arn:aws:s3:::media/uploads/m1"),
        Permission("s3:PutObjectTagging", "arn:aws:s3:::media/uploads/m1"),
    ]


def test_multi_object_delete_names_each_key() -> None:
    body = b"<Delete><Object><Key>a</Key></Object><Object><Key>b/c</Key></Object></Delete>"
    assert required(s3("POST", "/art", "delete="), body, ARNS) == [
        Permission("s3:DeleteObject", "arn:aws:s3:::art/a"),
        Permission("s3:DeleteObject", "arn:aws:s3:::art/b/c"),
    ]


def test_lambda_invoke() -> None:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/2015-03-31/functions/relay-RunStep/invocations"}
    assert required(environ, b"", ARNS) == [
        Permission("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:relay-RunStep")
    ]
