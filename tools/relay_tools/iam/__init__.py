"""Least privilege, proven: the AWS calls each function makes in the integration suite, checked
against the role template.yaml grants it (docs/operating.md, "Least privilege")."""

from .check import Usage, evaluate, merge_reports, to_json
from .exceptions import IamCheckError, UnsupportedPolicyError
from .ledger import ActingAsAsgi, CallLedger, acting_as, install
from .permissions import Arns, Permission, required
from .policies import Role, Stack, Statement

__all__ = [
    "ActingAsAsgi",
    "Arns",
    "CallLedger",
    "IamCheckError",
    "Permission",
    "Role",
    "Stack",
    "Statement",
    "UnsupportedPolicyError",
    "Usage",
    "acting_as",
    "evaluate",
    "install",
    "merge_reports",
    "required",
    "to_json",
]
