"""Use cases. Each service takes plain values and injected repositories/adapters.

`ExecutionService` (the task Lambdas' use cases) is imported from `relay.runtime.services.execution`
directly, so the API does not load the run interpreter it never uses."""

from .runs import RunService, StartRun
from .templates import SubmittedTemplate, TemplateService
from .users import UserService, hash_api_key

__all__ = [
    "RunService",
    "StartRun",
    "SubmittedTemplate",
    "TemplateService",
    "UserService",
    "hash_api_key",
]
