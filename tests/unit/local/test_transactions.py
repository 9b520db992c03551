"""moto's TransactWriteItems with item-level rollback: all or nothing, tables not copied."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from relay_tools.local import transactions


@pytest.fixture
def dynamodb():
    transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for name in ("runs", "events"):
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield client


def _backend_table(name):
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"]["us-east-1"].tables[name]


def _items(client, table):
    return sorted((i["id"]["S"], i.get("v", {}).get("S")) for i in client.scan(TableName=table)["Items"])


def test_cancelled_transaction_leaves_every_item_as_it_was(dynamodb):
    dynamodb.put_item(TableName="runs", Item={"id": {"S": "a"}, "v": {"S": "old"}})
    dynamodb.put_item(TableName="events", Item={"id": {"S": "taken"}, "v": {"S": "keep"}})
    before = (_backend_table("runs"), _backend_table("events"))
    with pytest.raises(ClientError) as caught:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "runs", "Item": {"id": {"S": "a"}, "v": {"S": "new"}}}},
                {"Put": {"TableName": "events", "Item": {"id": {"S": "fresh"}}}},
                {
                    "Update": {
                        "TableName": "runs",
                        "Key": {"id": {"S": "b"}},
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "x"}},
                    }
                },
                {
                    "Put": {
                        "TableName": "events",
                        "Item": {"id": {"S": "taken"}},
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                },
            ]
        )
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in caught.value.response["CancellationReasons"]] == [
        "None",
        "None",
        "None",
        "ConditionalCheckFailed",
    ]
    assert _items(dynamodb, "runs") == [("a", "old")]
    assert _items(dynamodb, "events") == [("taken", "keep")]
    assert (_backend_table("runs"), _backend_table("events")) == before  # restored in place, not swapped


def test_committed_transaction_writes_everything(dynamodb):
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "runs", "Item": {"id": {"S": "a"}, "v": {"S": "1"}}}},
            {"Put": {"TableName": "events", "Item": {"id": {"S": "e1"}}}},
        ]
    )
    assert _items(dynamodb, "runs") == [("a", "1")]
    assert _items(dynamodb, "events") == [("e1", None)]


def test_install_is_idempotent():
    transactions.install()
    from moto.dynamodb.models import DynamoDBBackend

    patched = DynamoDBBackend.transact_write_items
    transactions.install()
    assert DynamoDBBackend.transact_write_items is patched
