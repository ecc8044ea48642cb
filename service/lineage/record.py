"""Every edge of the lineage graph is written here, one function per way data moves.

The few service points where data comes in or goes out (an upload, a SQL load, a batch
prediction, a restored version, a job dispatched, a script exported) call these; nothing else
writes `lineage_edges`. Each function adds its edges to the caller's session, so they are
committed with the row they describe, or not at all. A model is not recorded: a finished run of
a kind that saves one *is* its model (`service.lineage.graph`).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Dataset, LineageEdge, Run


class NodeKind(StrEnum):
    """What a node of the graph is; its id is the row's id (a model's and an export's: the
    run's)."""

    DATASET = "dataset"
    RUN = "run"
    MODEL = "model"
    NOTEBOOK = "notebook"
    SCRIPT = "script"
    CONVERSATION = "conversation"
    CONNECTION = "connection"


class Relation(StrEnum):
    """How data went from one node to the next."""

    NEXT_VERSION = "next_version"
    """The previous version of a dataset -> the new one (an upload, a SQL refresh)."""
    RESTORED = "restored"
    """An old version -> the new latest version made of its content."""
    DERIVED = "derived"
    """A dataset -> a table computed from it (a batch prediction)."""
    PREDICTED = "predicted"
    """A model -> the dataset of its predictions."""
    LOADED = "loaded"
    """A SQL connection -> the dataset its query's rows became."""
    INPUT = "input"
    """A dataset version -> a run that read it."""
    REQUESTED = "requested"
    """A conversation -> a run it asked for."""
    RETRAINED = "retrained"
    """A run -> the run that repeats it (on the same or another version)."""
    TRAINED = "trained"
    """A run -> its model (derived, never stored)."""
    EXPORTED = "exported"
    """A run -> its reproduce script or notebook."""


def _edge(
    session: AsyncSession,
    tenant: str,
    source: tuple[NodeKind, int],
    target: tuple[NodeKind, int],
    relation: Relation,
) -> None:
    edge = LineageEdge(
        tenant=tenant, from_kind=source[0].value, from_id=source[1],
        to_kind=target[0].value, to_id=target[1], relation=relation.value,
    )  # fmt: skip
    session.add(edge)


def dataset_version(session: AsyncSession, previous: Dataset, new: Dataset) -> None:
    """`new` is the next version of `previous` (same name)."""
    _edge(session, new.tenant, (NodeKind.DATASET, previous.id), (NodeKind.DATASET, new.id),
          Relation.NEXT_VERSION)  # fmt: skip


def dataset_restored(session: AsyncSession, restored: Dataset, new: Dataset) -> None:
    """`new`, the latest version, holds the content of the older version `restored`."""
    _edge(session, new.tenant, (NodeKind.DATASET, restored.id), (NodeKind.DATASET, new.id),
          Relation.RESTORED)  # fmt: skip


def dataset_derived(
    session: AsyncSession, parent: Dataset, new: Dataset, model_run_id: int | None
) -> None:
    """`new` was computed from `parent`, by the model of run `model_run_id` where one."""
    _edge(session, new.tenant, (NodeKind.DATASET, parent.id), (NodeKind.DATASET, new.id),
          Relation.DERIVED)  # fmt: skip
    if model_run_id is not None:
        _edge(session, new.tenant, (NodeKind.MODEL, model_run_id), (NodeKind.DATASET, new.id),
              Relation.PREDICTED)  # fmt: skip


def dataset_loaded(session: AsyncSession, connection_id: int, new: Dataset) -> None:
    """`new` holds the rows of a query on the connection `connection_id`."""
    _edge(session, new.tenant, (NodeKind.CONNECTION, connection_id), (NodeKind.DATASET, new.id),
          Relation.LOADED)  # fmt: skip


def run_dispatched(session: AsyncSession, run: Run, retrain_of: int | None = None) -> None:
    """`run` reads its dataset version; asked for by its conversation, or repeating a run."""
    node = (NodeKind.RUN, run.id)
    if run.dataset_id is not None:
        _edge(session, run.tenant, (NodeKind.DATASET, run.dataset_id), node, Relation.INPUT)
    if run.conversation_id is not None:
        _edge(session, run.tenant, (NodeKind.CONVERSATION, run.conversation_id), node,
              Relation.REQUESTED)  # fmt: skip
    if retrain_of is not None:
        _edge(session, run.tenant, (NodeKind.RUN, retrain_of), node, Relation.RETRAINED)


async def run_exported(session: AsyncSession, run: Run, kind: NodeKind) -> None:
    """The run's reproduce script or notebook was handed out (recorded once, committed here:
    an export writes no row of its own)."""
    exists = select(LineageEdge.id).where(
        LineageEdge.tenant == run.tenant, LineageEdge.from_kind == NodeKind.RUN.value,
        LineageEdge.from_id == run.id, LineageEdge.to_kind == kind.value,
    )  # fmt: skip
    if await session.scalar(exists) is not None:
        return
    _edge(session, run.tenant, (NodeKind.RUN, run.id), (kind, run.id), Relation.EXPORTED)
    try:
        await session.commit()
    except IntegrityError:  # exported twice at once: the other request recorded it
        await session.rollback()
