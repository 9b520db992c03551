"""Errors of the least-privilege check."""


class IamCheckError(Exception):
    """Base of the check's errors."""


class UnsupportedPolicyError(IamCheckError):
    """A policy the check cannot evaluate faithfully (NotAction, Deny …): it says so rather than guess."""
