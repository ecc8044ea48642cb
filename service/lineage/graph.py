"""Reads the lineage graph of a tenant around one node, from `lineage_edges` and the rows the
nodes are (a model is derived: a finished run of a kind that saves one)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ml_backend.jobs.registry import JOBS
from service.db.models import (
    Conversation,
    Dataset,
    LineageEdge,
    Run,
    RunStatus,
    SqlConnection,
)
from service.errors import NotFoundError
from service.lineage.record import NodeKind, Relation
from service.lineage.schemas import Direction, LineageEdgeView, LineageGraph, LineageNode

MAX_NODES = 500
"""A graph stops growing here: a page can draw it, and a request stays quick."""

Key = tuple[str, int]


def _saves_model(run: Run) -> bool:
    spec = JOBS.get(run.kind)
    return spec is not None and spec.saves_model and run.status == RunStatus.FINISHED


def _run_label(run: Run) -> str:
    spec = JOBS.get(run.kind)
    kind = spec.route if spec is not None else run.kind
    algorithm = (run.resolved or {}).get("algorithm") or (run.config or {}).get("algorithm")
    return f"{kind} run {run.id}" + (f" ({algorithm})" if isinstance(algorithm, str) else "")


class LineageReader:
    """The graph of one tenant; another tenant's node is as absent as one never made."""

    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    async def node(self, kind: str, node_id: int) -> LineageNode | None:
        """The node `kind`/`node_id` as the graph shows it; None if it does not exist here."""
        if kind == NodeKind.DATASET:
            dataset = await self.session.get(Dataset, node_id)
            if dataset is None or dataset.tenant != self.tenant:
                return None
            return LineageNode(
                kind=kind,
                id=node_id,
                label=f"{dataset.name} v{dataset.version}",
                created_at=dataset.created_at,
                link=f"#/lineage/dataset/{node_id}",
                detail={
                    "name": dataset.name,
                    "version": dataset.version,
                    "rows": dataset.row_count,
                },
            )
        if kind == NodeKind.CONVERSATION:
            conversation = await self.session.get(Conversation, node_id)
            if conversation is None or conversation.tenant != self.tenant:
                return None
            return LineageNode(
                kind=kind,
                id=node_id,
                label=conversation.title,
                created_at=conversation.created_at,
                link=f"#/c/{node_id}",
            )
        if kind == NodeKind.CONNECTION:
            connection = await self.session.get(SqlConnection, node_id)
            if connection is None or connection.tenant != self.tenant:
                return None
            return LineageNode(
                kind=kind,
                id=node_id,
                label=f"SQL {connection.name}",
                created_at=connection.created_at,
                link=f"#/lineage/connection/{node_id}",
            )
        if kind not in {k.value for k in NodeKind}:
            return None
        run = await self.session.get(Run, node_id)
        if run is None or run.tenant != self.tenant:
            return None
        detail: dict[str, str | int | None] = {"kind": run.kind, "status": run.status.value}
        if kind == NodeKind.RUN:
            return LineageNode(
                kind=kind,
                id=node_id,
                label=_run_label(run),
                created_at=run.created_at,
                link=f"#/runs/{node_id}",
                detail=detail,
            )
        if kind == NodeKind.MODEL:
            if not _saves_model(run):
                return None
            return LineageNode(
                kind=kind,
                id=node_id,
                label=f"model of run {node_id}",
                created_at=run.finished_at,
                link=f"#/runs/{node_id}",
                detail=detail,
            )
        exported = await self.session.scalar(
            select(LineageEdge.id).where(
                LineageEdge.tenant == self.tenant,
                LineageEdge.to_kind == kind,
                LineageEdge.to_id == node_id,
            )
        )
        if exported is None:
            return None
        path = "notebook" if kind == NodeKind.NOTEBOOK else "reproduce"
        return LineageNode(
            kind=kind,
            id=node_id,
            label=f"{kind} of run {node_id}",
            created_at=run.finished_at,
            link=f"/api/v1/runs/{node_id}/{path}",
        )

    async def _edges(self, key: Key, upstream: bool) -> list[LineageEdgeView]:
        kind, node_id = key
        if upstream:
            where = (LineageEdge.to_kind == kind, LineageEdge.to_id == node_id)
        else:
            where = (LineageEdge.from_kind == kind, LineageEdge.from_id == node_id)
        rows = await self.session.scalars(
            select(LineageEdge)
            .where(LineageEdge.tenant == self.tenant, *where)
            .order_by(LineageEdge.id)
        )
        edges = [
            LineageEdgeView(
                from_kind=e.from_kind,
                from_id=e.from_id,
                to_kind=e.to_kind,
                to_id=e.to_id,
                relation=e.relation,
            )
            for e in rows
        ]
        edges.extend(await self._derived_edges(key, upstream))
        return edges

    async def _derived_edges(self, key: Key, upstream: bool) -> Iterable[LineageEdgeView]:
        """A run's `trained` edge to its model, which no row records."""
        kind, node_id = key
        if (kind, upstream) not in {(NodeKind.RUN, False), (NodeKind.MODEL, True)}:
            return []
        run = await self.session.get(Run, node_id)
        if run is None or run.tenant != self.tenant or not _saves_model(run):
            return []
        return [
            LineageEdgeView(
                from_kind=NodeKind.RUN,
                from_id=node_id,
                to_kind=NodeKind.MODEL,
                to_id=node_id,
                relation=Relation.TRAINED,
            )
        ]

    async def graph(
        self, kind: str, node_id: int, direction: Direction, depth: int
    ) -> LineageGraph:
        """The nodes within `depth` edges of `kind`/`node_id` and the edges between them."""
        center = await self.node(kind, node_id)
        if center is None:
            kinds = ", ".join(k.value for k in NodeKind)
            raise NotFoundError(
                f"no {kind} {node_id} in this tenant's lineage; kinds: {kinds} (a model's and an "
                "export's id is its run's)"
            )
        nodes: dict[Key, LineageNode] = {(kind, node_id): center}
        edges: dict[tuple[str, int, str, int, str], LineageEdgeView] = {}
        ways = {Direction.UPSTREAM: [True], Direction.DOWNSTREAM: [False]}.get(
            direction, [True, False]
        )
        for upstream in ways:
            frontier: list[Key] = [(kind, node_id)]
            for _ in range(depth):
                following: list[Key] = []
                for key in frontier:
                    for edge in await self._edges(key, upstream):
                        near = (edge.from_kind, edge.from_id)
                        other = near if upstream else (edge.to_kind, edge.to_id)
                        if other not in nodes:
                            if len(nodes) >= MAX_NODES:
                                continue
                            found = await self.node(*other)
                            if found is None:
                                continue  # its row was deleted since
                            nodes[other] = found
                            following.append(other)
                        edges[
                            (edge.from_kind, edge.from_id, edge.to_kind, edge.to_id, edge.relation)
                        ] = edge
                frontier = following
                if not frontier:
                    break
        return LineageGraph(
            center=center,
            direction=direction,
            depth=depth,
            nodes=list(nodes.values()),
            edges=list(edges.values()),
        )
