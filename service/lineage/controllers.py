"""HTTP endpoint of the lineage graph."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.params import RowId
from service.lineage.graph import LineageReader
from service.lineage.schemas import Direction, LineageGraph


class LineageController(Controller):
    path = "/api/v1/lineage"
    tags = ("lineage",)

    @get(
        "/{kind:str}/{node_id:int}",
        summary="Where a dataset, run, model, export, conversation or SQL connection's data "
        "came from (upstream) and went to (downstream)",
    )
    async def get_lineage(
        self,
        kind: Annotated[str, Parameter(max_length=16)],
        node_id: RowId,
        session: AsyncSession,
        tenant: str,
        direction: Direction = Direction.BOTH,
        depth: Annotated[int, Parameter(ge=1, le=20)] = 3,
    ) -> LineageGraph:
        return await LineageReader(session, tenant).graph(kind, node_id, direction, depth)
