"""Providers injected by parameter name into handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth import identity_of
from service.domain.connections.services import ConnectionService
from service.domain.conversations.services import ConversationService
from service.domain.datasets.services import DatasetService
from service.domain.datasets.sql_services import SqlDatasetService
from service.domain.experiments.services import ExperimentService
from service.domain.jobs.services import JobService
from service.domain.keys.services import KeyService
from service.domain.limits.services import LimitService
from service.domain.runs.services import RunService
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


def provide_tenant(scope: Scope) -> str:
    # The tenant the authentication middleware proved, never one a handler is told.
    return identity_of(scope).tenant


def provide_keys(session: AsyncSession) -> KeyService:
    return KeyService(session)


def provide_limits(session: AsyncSession, settings: Settings) -> LimitService:
    return LimitService(session, settings)


def provide_datasets(session: AsyncSession, settings: Settings, tenant: str) -> DatasetService:
    return DatasetService(session, settings, tenant)


def provide_connections(session: AsyncSession) -> ConnectionService:
    return ConnectionService(session)


def provide_sql_datasets(
    datasets: DatasetService, connections: ConnectionService
) -> SqlDatasetService:
    return SqlDatasetService(datasets, connections)


def provide_jobs(session: AsyncSession, resources: Resources, tenant: str) -> JobService:
    return JobService(session, resources, tenant)


def provide_runs(session: AsyncSession, resources: Resources, tenant: str) -> RunService:
    return RunService(session, resources, tenant)


def provide_conversations(
    session: AsyncSession, resources: Resources, tenant: str
) -> ConversationService:
    return ConversationService(session, resources, tenant)


def provide_experiments(session: AsyncSession, tenant: str) -> ExperimentService:
    return ExperimentService(session, tenant)


DEPENDENCIES: dict[str, Any] = {
    "resources": Provide(provide_resources, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "session": Provide(provide_session),
    "tenant": Provide(provide_tenant, sync_to_thread=False),
    "keys": Provide(provide_keys, sync_to_thread=False),
    "limits": Provide(provide_limits, sync_to_thread=False),
    "datasets": Provide(provide_datasets, sync_to_thread=False),
    "connections": Provide(provide_connections, sync_to_thread=False),
    "sql_datasets": Provide(provide_sql_datasets, sync_to_thread=False),
    "jobs": Provide(provide_jobs, sync_to_thread=False),
    "runs": Provide(provide_runs, sync_to_thread=False),
    "conversations": Provide(provide_conversations, sync_to_thread=False),
    "experiments": Provide(provide_experiments, sync_to_thread=False),
}
