"""The admin API for keys: the same operations as `mlchat keys`, for admin keys only."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Parameter

from service.domain.keys.schemas import CreatedKey, KeyRequest, KeySummary
from service.domain.keys.services import KeyService


class KeyController(Controller):
    # Only admin keys get here: the authentication middleware refuses the others.
    path = "/api/v1/admin/keys"
    tags = ("admin",)

    @post("/", status_code=201, summary="Make a key; its secret is in this answer only")
    async def create_key(self, data: KeyRequest, keys: KeyService) -> CreatedKey:
        made = await keys.create(data.tenant_id, data.scope, data.name)
        return CreatedKey(**KeySummary.of(made.record).model_dump(), key=made.key)

    @get("/", summary="Every key (no secrets), or one tenant's")
    async def list_keys(
        self,
        keys: KeyService,
        tenant_id: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> list[KeySummary]:
        return [KeySummary.of(record) for record in await keys.all(tenant_id)]

    @delete("/{key:str}", status_code=200, summary="Revoke a key by its id or prefix")
    async def revoke_key(
        self, key: Annotated[str, Parameter(max_length=64)], keys: KeyService
    ) -> KeySummary:
        return KeySummary.of(await keys.revoke(key))
