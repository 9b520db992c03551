"""Use cases. Each service takes plain values and injected repositories/adapters."""

from .execution import ExecutionService
from .runs import RunService, StartRun
from .templates import SubmittedTemplate, TemplateService
from .users import UserService, hash_api_key

__all__ = [
    "ExecutionService",
    "RunService",
    "StartRun",
    "SubmittedTemplate",
    "TemplateService",
    "UserService",
    "hash_api_key",
]
