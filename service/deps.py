"""Providers injected by parameter name into handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar.datastructures import State
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from service.resources import Resources
from service.settings import Settings


def provide_resources(state: State) -> Resources:
    resources: Resources = state.resources
    return resources


def provide_settings(state: State) -> Settings:
    settings: Settings = state.resources.settings
    return settings


async def provide_session(state: State) -> AsyncIterator[AsyncSession]:
    session: AsyncSession
    async with state.resources.sessions() as session:
        yield session


def provide_tenant(settings: Settings) -> str:
    # Tenancy arrives with authentication; until then every request is the default tenant's.
    return settings.tenant


DEPENDENCIES: dict[str, Any] = {
    "resources": Provide(provide_resources, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "session": Provide(provide_session),
    "tenant": Provide(provide_tenant, sync_to_thread=False),
}
