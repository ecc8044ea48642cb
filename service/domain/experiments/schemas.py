"""What the experiments API takes and returns: the experiments document's `Model` protocol."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ml_backend.configs import ExperimentName
from service.db.models import Experiment, ExperimentModel


def _utc(instant: datetime) -> datetime:
    # SQLite hands datetimes back without their zone: the same instant reads the same anywhere.
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


Name = ExperimentName
Hash = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")]


class ExperimentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Annotated[str | None, Field(max_length=4000)] = None


class ExperimentSummary(BaseModel):
    id: int
    name: str
    description: str | None
    created_at: datetime
    models: int = Field(description="How many models it holds.")

    @classmethod
    def of(cls, record: Experiment, models: int) -> ExperimentSummary:
        return cls(id=record.id, name=record.name, description=record.description,
                   created_at=_utc(record.created_at), models=models)  # fmt: skip


class ModelCreate(BaseModel):
    """The protocol's `create(hash, name, description)`."""

    model_config = ConfigDict(extra="forbid")

    hash: Hash
    name: Name
    description: Annotated[str | None, Field(max_length=4000)] = None


class ModelRename(BaseModel):
    """The protocol's `update(hash, name)`: the name is what changes."""

    model_config = ConfigDict(extra="forbid")

    name: Name


class Iteration(BaseModel):
    step: int
    unit: str | None = Field(description="What a step counts: round, epoch, tree, trial, ...")
    metrics: dict[str, float]


class Module(BaseModel):
    name: str = Field(description="Its part of the model: preprocessing, estimator.")
    kind: str
    description: str | None = None
    parameters: dict[str, Any]


class ModelOut(BaseModel):
    """A model as the experiments document's protocol has it, with where it came from."""

    id: str = Field(description="A UUID, unique across every experiment.")
    hash: str = Field(description="Unique within its experiment: of the resolved config and data.")
    name: str
    description: str | None
    experiment: str
    iterations: list[Iteration]
    metrics: dict[str, dict[str, float | None]] = Field(description="Per split: name -> value.")
    modules: list[Module]
    step: int = Field(description="The last step it trained to (0 for a model made by hand).")
    run_id: int | None
    run_ids: list[int]
    kind: str | None
    params: dict[str, str]
    data_version: str | None = Field(description="The content hash of the data it learned from.")
    created_at: datetime

    @classmethod
    def of(cls, record: ExperimentModel, experiment: str) -> ModelOut:
        return cls(
            id=record.id,
            hash=record.hash,
            name=record.name,
            description=record.description,
            experiment=experiment,
            iterations=[Iteration.model_validate(item) for item in record.iterations],
            metrics=record.metrics,
            modules=[Module.model_validate(item) for item in record.modules],
            step=record.step,
            run_id=record.run_id,
            run_ids=list(record.run_ids),
            kind=record.kind,
            params=record.params,
            data_version=record.data_version,
            created_at=_utc(record.created_at),
        )
