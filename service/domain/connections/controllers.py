"""The admin API for SQL connections (as `mlchat connections`), and each tenant's own list."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import Parameter

from service.domain.connections.schemas import ConnectionRequest, ConnectionSummary
from service.domain.connections.services import LIST_NAME, ConnectionService
from service.domain.params import CATALOG_PAGE_DEFAULT, After, CatalogLimit
from service.paging import decode_cursor, paged


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

    @get("/", summary="Every tenant's connections, or one tenant's (never their URLs), newest "
         "first, a page at a time (next page: the Link header)")  # fmt: skip
    async def list_connections(
        self,
        request: Request[Any, Any, Any],
        connections: ConnectionService,
        tenant_id: Annotated[str | None, Parameter(max_length=64)] = None,
        limit: CatalogLimit = CATALOG_PAGE_DEFAULT,
        after: After = None,
    ) -> Response[list[ConnectionSummary]]:
        return await _listed(request, connections, tenant_id, limit, after)

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

    @get("/", summary="This tenant's SQL connections, to load datasets from (no URLs), newest "
         "first, a page at a time (next page: the Link header)")  # fmt: skip
    async def own_connections(
        self,
        request: Request[Any, Any, Any],
        tenant: str,
        connections: ConnectionService,
        limit: CatalogLimit = CATALOG_PAGE_DEFAULT,
        after: After = None,
    ) -> Response[list[ConnectionSummary]]:
        return await _listed(request, connections, tenant, limit, after)


async def _listed(
    request: Request[Any, Any, Any],
    connections: ConnectionService,
    tenant: str | None,
    limit: int,
    after: str | None,
) -> Response[list[ConnectionSummary]]:
    page = await connections.page(tenant, limit, decode_cursor(LIST_NAME, after))
    return paged(request, [ConnectionSummary.of(row) for row in page.items], page.after)
