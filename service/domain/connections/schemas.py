"""What the connections API takes and returns; a connection's URL goes in and never comes out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from sqlalchemy import Row

from service.db.models import SqlConnection
from service.domain.connections.services import connection_target


class ConnectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    # SecretStr: the URL holds a password, and pydantic never prints a SecretStr's value.
    url: SecretStr = Field(
        description="postgresql://user:password@host:5432/database or sqlite:////path/file.db; "
        "stored, used for dataset queries, never returned."
    )


class ConnectionSummary(BaseModel):
    """A connection as anyone may see it: where it points, without user or password."""

    name: str
    tenant: str
    dialect: str
    host: str | None
    database: str | None
    created_at: datetime

    @classmethod
    def of(cls, record: SqlConnection | Row[Any]) -> ConnectionSummary:
        target = connection_target(record.url)
        database = target.sqlite_path.name if target.backend == "sqlite" else target.database
        return cls(
            name=record.name, tenant=record.tenant, dialect=target.backend, host=target.host,
            database=database, created_at=record.created_at,
        )  # fmt: skip
