"""GET /api/v1/components: the registry's components with their parameters' JSON Schemas."""

from __future__ import annotations

from typing import Any, Literal

from litestar import get

from ml_backend.components import component_catalogue

ComponentType = Literal["algorithm", "explorer", "metric"]


@get("/api/v1/components", tags=["components"], summary="Registered components and their schemas")
async def list_components(type: ComponentType | None = None) -> list[dict[str, Any]]:
    """Algorithms, explorers and metrics: name, description and parameter JSON Schema."""
    return component_catalogue(type)
