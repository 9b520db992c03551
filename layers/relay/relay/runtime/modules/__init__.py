"""Step modules: what a workflow step runs."""

from .base import Module, ModuleContext, ModuleInputs
from .exceptions import (
    InvalidAnswerError,
    ModuleError,
    ModuleInputError,
    ReferenceResolutionError,
    UnknownModuleError,
)
from .references import contains_reference, is_reference, malformed_references, resolve
from .registry import get_module, module_ids

__all__ = [
    "InvalidAnswerError",
    "Module",
    "ModuleContext",
    "ModuleError",
    "ModuleInputError",
    "ModuleInputs",
    "ReferenceResolutionError",
    "UnknownModuleError",
    "contains_reference",
    "get_module",
    "is_reference",
    "malformed_references",
    "module_ids",
    "resolve",
]
