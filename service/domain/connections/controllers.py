"""The admin API for SQL connections (as `mlchat connections`), and each tenant's own list."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Parameter

from service.domain.connections.schemas import ConnectionRequest, ConnectionSummary
from service.domain.connections.services import ConnectionService


class ConnectionAdminController(Controller):
    # Only admin keys get here: the authentication middleware refuses the others.
    path = "/api/v1/admin/connections"
    tags = ("admin",)

    @post("/", status_code=201, summary="Register a SQL connection; its URL is kept secret")
    async def add_connection(
        self, data: ConnectionRequest, connections: ConnectionService
    ) -> ConnectionSummary:
        record = await connections.add(data.tenant_id, data.name, data.url.get_secret_value())
        return ConnectionSummary.of(record)

    @get("/", summary="Every tenant's connections, or one tenant's (never their URLs)")
    async def list_connections(
        self,
        connections: ConnectionService,
        tenant_id: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> list[ConnectionSummary]:
        return [ConnectionSummary.of(record) for record in await connections.all(tenant_id)]

    @delete("/{name:str}", status_code=200, summary="Remove a connection of the acting tenant "
            "(?tenant_id= names another)")  # fmt: skip
    async def remove_connection(
        self,
        name: Annotated[str, Parameter(max_length=64)],
        tenant: str,
        connections: ConnectionService,
    ) -> ConnectionSummary:
        return ConnectionSummary.of(await connections.remove(tenant, name))


class ConnectionController(Controller):
    path = "/api/v1/connections"
    tags = ("datasets",)

    @get("/", summary="This tenant's SQL connections, to load datasets from (no URLs)")
    async def own_connections(
        self, tenant: str, connections: ConnectionService
    ) -> list[ConnectionSummary]:
        return [ConnectionSummary.of(record) for record in await connections.all(tenant)]
