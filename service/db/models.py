"""The database tables; the database is the source of truth for runs and API keys."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class RunStatus(StrEnum):
    QUEUED = "queued"
    PREPROCESSING = "preprocessing"
    TRAINING = "training"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({RunStatus.FINISHED, RunStatus.FAILED, RunStatus.CANCELLED})
ACTIVE_STATUSES = frozenset(set(RunStatus) - FINAL_STATUSES)


RUN_STATUS_COLUMN = Enum(
    RunStatus,
    native_enum=False,
    create_constraint=False,
    values_callable=lambda statuses: [status.value for status in statuses],
    length=16,
)
"""Stored as the status's value in a plain VARCHAR(16), as the first migration made it."""


class Dataset(Base):
    """One *version* of a dataset: a tenant's rows of one name are its versions."""

    __tablename__ = "datasets"
    __table_args__ = (
        UniqueConstraint("tenant", "name", "version", name="uq_datasets_tenant_name_version"),
        Index("ix_datasets_tenant_created_id", "tenant", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    """1, 2, 3... per tenant and name; the highest is the dataset's latest version."""
    description: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(400))
    format: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int]
    column_count: Mapped[int]
    profile: Mapped[dict[str, Any]]
    target_hint: Mapped[str | None] = mapped_column(String(200))
    is_sample: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id", ondelete="SET NULL"))
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Where a dataset not uploaded came from, e.g. {"source": "sql", "connection", "query"}."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Run(Base):
    __tablename__ = "runs"
    # A list reads a tenant's runs newest first, (created_at, id) descending, from a cursor;
    # a kind's jobs or a status's runs through their own composites.
    __table_args__ = (
        Index("ix_runs_tenant_kind_status", "tenant", "kind", "status"),
        Index("ix_runs_tenant_created_id", "tenant", "created_at", "id"),
        Index("ix_runs_tenant_kind_created_id", "tenant", "kind", "created_at", "id"),
        Index("ix_runs_tenant_status_created_id", "tenant", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    """A kind of `ml_backend.jobs.registry.JOBS`; the API shows its route."""
    status: Mapped[RunStatus] = mapped_column(RUN_STATUS_COLUMN, default=RunStatus.QUEUED)
    job_id: Mapped[str] = mapped_column(String(64), unique=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(index=True)
    config: Mapped[dict[str, Any]]
    resolved: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What a list row shows of `result`, written with it (`service.db.result_summary`)."""
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    """A chat with the agent; `pending_plan` is a validated config waiting for a yes."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_tenant_updated_id", "tenant", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id", ondelete="SET NULL"))
    pending_plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Message(Base):
    """One turn: the person's words, or the agent's reply with its parts (plans, plots, runs)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    parts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KeyScope(StrEnum):
    """What a key may do: each scope may do everything the ones before it may."""

    READ = "read"
    RUN = "run"
    ADMIN = "admin"


class ApiKey(Base):
    """An API key: its tenant and scope, and the hash of its secret (never the secret itself)."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_tenant_created_id", "tenant", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    """The key's first characters: enough to tell keys apart in a list, useless to sign in."""
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SqlConnection(Base):
    """A tenant's named database connection; its URL holds a secret no endpoint returns."""

    __tablename__ = "sql_connections"
    __table_args__ = (
        UniqueConstraint("tenant", "name", name="uq_sql_connections_tenant_name"),
        Index("ix_sql_connections_tenant_created_id", "tenant", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LineageEdge(Base):
    """Data went from one node of the lineage graph to another (`service.lineage.record`)."""

    __tablename__ = "lineage_edges"
    __table_args__ = (
        UniqueConstraint(
            "tenant",
            "from_kind",
            "from_id",
            "to_kind",
            "to_id",
            "relation",
            name="uq_lineage_edges_edge",
        ),
        Index("ix_lineage_edges_from", "tenant", "from_kind", "from_id"),
        Index("ix_lineage_edges_to", "tenant", "to_kind", "to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    from_kind: Mapped[str] = mapped_column(String(16))
    from_id: Mapped[int]
    to_kind: Mapped[str] = mapped_column(String(16))
    to_id: Mapped[int]
    relation: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TenantLimits(Base):
    """An admin's overrides of a tenant's limits; a limit not named here is the default."""

    __tablename__ = "tenant_limits"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    limits: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SlackThread(Base):
    """A Slack thread and the conversation it is: every message in it goes to that one.

    `team_id` is the workspace and `tenant` the tenant it maps to when the thread began; a
    thread is found by workspace, channel and its first message's `ts`, never by tenant, so
    two workspaces' threads cannot meet even where Slack reuses a channel id or a ts."""

    __tablename__ = "slack_threads"
    __table_args__ = (UniqueConstraint("team_id", "channel", "thread_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    started_by: Mapped[str] = mapped_column(String(32))
    """The Slack user who began it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Experiment(Base):
    """A group of models: one per dataset and target by default, or named by the person."""

    __tablename__ = "experiments"
    __table_args__ = (
        UniqueConstraint("tenant", "name", name="uq_experiments_tenant_name"),
        Index("ix_experiments_tenant_created_id", "tenant", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExperimentModel(Base):
    """A model of an experiment, as the experiments document's `Model` protocol has it."""

    __tablename__ = "experiment_models"
    __table_args__ = (
        # The protocol's rule: a hash names one model within its experiment, not across them.
        UniqueConstraint("experiment_id", "hash", name="uq_experiment_models_experiment_hash"),
        Index("ix_experiment_models_experiment_created", "experiment_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """A UUID: global, unlike the hash."""
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    """The run that trained it; null for a model created through the protocol."""
    run_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Every run that trained exactly this (the same config on the same data)."""
    kind: Mapped[str | None] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The resolved config, flat: what an MLflow export logs as the run's params."""
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Per split: metric name -> value."""
    modules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    iterations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    step: Mapped[int] = mapped_column(default=0)
    data_version: Mapped[str | None] = mapped_column(String(64))
    """The content hash of the dataset it was trained on."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
