"""error_code and cancellation_codes: reading botocore ClientErrors."""

from __future__ import annotations

from botocore.exceptions import ClientError

from relay.adapters.dynamo import cancellation_codes, error_code


def client_error(code: str, message: str = "", **top) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, **top}, "TransactWriteItems")


def test_error_code():
    assert error_code(client_error("ConditionalCheckFailedException")) == "ConditionalCheckFailedException"
    assert error_code(ValueError("x")) == ""


def test_cancellation_reasons_from_the_response_field():
    exc = client_error(
        "TransactionCanceledException",
        "Transaction cancelled",
        CancellationReasons=[
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
            {},
        ],
    )
    assert cancellation_codes(exc) == ["None", "ConditionalCheckFailed", "None"]


def test_cancellation_reasons_from_the_message():
    exc = client_error(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]",
    )
    assert cancellation_codes(exc) == ["None", "ConditionalCheckFailed", "None"]


def test_the_response_field_wins_over_the_message():
    exc = client_error(
        "TransactionCanceledException",
        "Transaction cancelled [None, None]",
        CancellationReasons=[{"Code": "ConditionalCheckFailed"}, {"Code": "None"}],
    )
    assert cancellation_codes(exc) == ["ConditionalCheckFailed", "None"]


def test_no_reasons():
    assert cancellation_codes(client_error("TransactionCanceledException", "Transaction cancelled")) == []
    assert cancellation_codes(client_error("TransactionCanceledException")) == []
    assert cancellation_codes(RuntimeError("boom")) == []
