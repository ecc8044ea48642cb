"""What the lineage API returns: a graph of nodes and edges around one node."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Direction(StrEnum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BOTH = "both"


class LineageNode(BaseModel):
    kind: str = Field(description="dataset, run, model, notebook, script, conversation, connection")
    id: int
    label: str
    created_at: datetime | None
    link: str = Field(description="Where the browser page shows it (a `#/...` address).")
    detail: dict[str, str | int | None] = Field(
        default_factory=dict, description="A few facts by kind: a dataset's name and version, a "
        "run's kind, algorithm and status.",
    )  # fmt: skip


class LineageEdgeView(BaseModel):
    from_kind: str
    from_id: int
    to_kind: str
    to_id: int
    relation: str


class LineageGraph(BaseModel):
    """The nodes within `depth` edges of the `center`, following edges one way or both."""

    center: LineageNode
    direction: Direction
    depth: int
    nodes: list[LineageNode]
    edges: list[LineageEdgeView]
