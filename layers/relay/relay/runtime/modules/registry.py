"""module_id → module class. Modules that need heavy SDKs import them inside `execute`."""

from __future__ import annotations

from .artifacts import ArtifactLoad, ArtifactStore, UserApprove
from .base import Module
from .exceptions import UnknownModuleError
from .history import KeywordHistory, OptionUsageModule
from .ingest_url import IngestUrl
from .llm import Llm
from .media import MediaUpload
from .media_generate import MediaGenerate
from .transform import Format
from .user import Select, TextInput

_MODULES: dict[str, type[Module]] = {
    cls.module_id: cls
    for cls in (
        TextInput,
        Select,
        MediaUpload,
        UserApprove,
        ArtifactStore,
        ArtifactLoad,
        Format,
        Llm,
        KeywordHistory,
        OptionUsageModule,
        MediaGenerate,
        IngestUrl,
    )
}


def module_ids() -> list[str]:
    return sorted(_MODULES)


def get_module(module_id: str) -> Module:
    try:
        return _MODULES[module_id]()
    except KeyError:
        raise UnknownModuleError(f"unknown module_id {module_id!r}; known: {', '.join(module_ids())}") from None
