"""`relay admin create-user`: straight to DynamoDB with the operator's AWS credentials."""

from __future__ import annotations

import json
import os
import sys

import boto3

from relay.adapters.users import UserRepository
from relay.exceptions import RelayError
from relay.services import UserService


def _users_table(args) -> str:
    if args.users_table:
        return args.users_table
    if os.environ.get("RELAY_USERS_TABLE"):
        return os.environ["RELAY_USERS_TABLE"]
    stacks = boto3.client("cloudformation").describe_stacks(StackName=args.stack_name)["Stacks"]
    for output in stacks[0].get("Outputs", []):
        if output["OutputKey"] == "UsersTableName":
            return output["OutputValue"]
    raise SystemExit(f"stack {args.stack_name} has no UsersTableName output")


def create_user(args) -> int:
    users = UserService(UserRepository(boto3.client("dynamodb"), _users_table(args)))
    try:
        user, api_key = users.create_user(args.username.strip(), args.email.strip(), is_admin=args.admin)
    except RelayError as exc:
        print(f"error: {exc.code}: {exc.detail}", file=sys.stderr)
        return 1
    print(json.dumps({"user": user.model_dump(), "api_key": api_key}, indent=2))
    print("The API key is shown once; only its SHA-256 is stored.", file=sys.stderr)
    return 0
