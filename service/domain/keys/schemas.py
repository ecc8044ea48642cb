"""What the keys API takes and returns; a key's secret appears only in `CreatedKey`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row

from service.db.models import ApiKey, KeyScope


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Not `tenant`: Litestar takes a missing body field that shares a dependency's name for a
    # broken dependency and answers 500; `tenant_id` is also the document's name for it.
    tenant_id: Annotated[str, Field(min_length=1, max_length=64)]
    scope: KeyScope
    name: Annotated[str | None, Field(max_length=200)] = None


class KeySummary(BaseModel):
    id: int
    prefix: str
    tenant: str
    scope: str
    name: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKey | Row[Any]) -> KeySummary:
        return cls.model_validate(record, from_attributes=True)


class CreatedKey(KeySummary):
    key: str = Field(description="The secret: shown this once, stored only as its hash.")
