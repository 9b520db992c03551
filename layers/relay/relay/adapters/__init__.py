"""Adapters: DynamoDB, S3 and Step Functions behind small classes that take their boto3
client in `__init__` and translate `ClientError` codes into domain errors."""
