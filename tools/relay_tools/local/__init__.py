"""The local cloud: template.yaml deployed into an embedded moto server, Lambda invokes
answered in-process, and the same FastAPI app served by uvicorn. No Docker, no network."""

from .cloud import LocalCloud

__all__ = ["LocalCloud"]
