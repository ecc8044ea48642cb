"""The admin API for keys: the same operations as `mlchat keys`, for admin keys only."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import Parameter

from service.domain.keys.schemas import CreatedKey, KeyRequest, KeySummary
from service.domain.keys.services import LIST_NAME, KeyService
from service.domain.params import CATALOG_PAGE_DEFAULT, After, CatalogLimit
from service.paging import decode_cursor, paged


class KeyController(Controller):
    # Only admin keys get here: the authentication middleware refuses the others.
    path = "/api/v1/admin/keys"
    tags = ("admin",)

    @post("/", status_code=201, summary="Make a key; its secret is in this answer only")
    async def create_key(self, data: KeyRequest, keys: KeyService) -> CreatedKey:
        made = await keys.create(data.tenant_id, data.scope, data.name)
        return CreatedKey(**KeySummary.of(made.record).model_dump(), key=made.key)

    @get("/", summary="Every key (no secrets), or one tenant's, newest first, a page at a time "
         "(next page: the Link header)")  # fmt: skip
    async def list_keys(
        self,
        request: Request[Any, Any, Any],
        keys: KeyService,
        tenant_id: Annotated[str | None, Parameter(max_length=64)] = None,
        limit: CatalogLimit = CATALOG_PAGE_DEFAULT,
        after: After = None,
    ) -> Response[list[KeySummary]]:
        page = await keys.page(tenant_id, limit, decode_cursor(LIST_NAME, after))
        return paged(request, page.items, page.after)

    @delete("/{key:str}", status_code=200, summary="Revoke a key by its id or prefix")
    async def revoke_key(
        self, key: Annotated[str, Parameter(max_length=64)], keys: KeyService
    ) -> KeySummary:
        return KeySummary.of(await keys.revoke(key))
