"""Retrain a run: its config again, on the version it read, the latest, or a chosen one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ml_backend.configs import MAX_ID
from ml_backend.errors import MLInputError
from ml_backend.jobs.registry import get_job
from ml_backend.schema import DatasetProfile
from service.db.models import Dataset, Run
from service.domain.datasets.services import DatasetService
from service.domain.jobs.schemas import JobAccepted
from service.domain.jobs.services import JobService
from service.errors import InvalidInputError, NotFoundError


class RetrainRequest(BaseModel):
    """Which version of the run's dataset to train on."""

    model_config = ConfigDict(extra="forbid")

    data: Literal["latest", "same"] | Annotated[int, Field(ge=1, le=MAX_ID)] = Field(
        default="latest",
        description="'latest': the dataset's latest version; 'same': the exact version the run "
        "read; a number: that version of the dataset.",
    )


async def version_for(datasets: DatasetService, run: Run, data: str | int) -> Dataset:
    """The dataset version `data` names, among the versions of the one `run` read."""
    read = await datasets.session.get(Dataset, run.dataset_id) if run.dataset_id else None
    if read is None or read.tenant != run.tenant:
        raise NotFoundError(
            f"the dataset run {run.id} read was deleted; train anew on another dataset"
        )
    if data == "same":
        return read
    if data == "latest":
        latest = await datasets.latest(read.name)
        assert latest is not None  # `read` is one of its versions
        return latest
    return await datasets.version(read.id, int(data))


async def retrain(
    jobs: JobService,
    datasets: DatasetService,
    run: Run,
    data: str | int,
    conversation_id: int | None = None,
) -> JobAccepted:
    """Queue `run`'s config again on the version `data` names. The config is resolved against
    that version's profile, so a version whose columns no longer fit it is refused (422)
    before anything is queued; on the same content it resolves to the run's own settings. The
    new run belongs to `conversation_id` when one asked for it, else to the run's own."""
    spec = get_job(run.kind)
    dataset = await version_for(datasets, run, data)
    config = spec.config.model_validate({**run.config, "dataset": {"id": dataset.id}})
    try:
        spec.resolve(config, DatasetProfile.model_validate(dataset.profile))
    except MLInputError as error:
        raise InvalidInputError(
            f"run {run.id} cannot be retrained on version {dataset.version} of "
            f"{dataset.name!r}: {error.detail}. Retrain on another version "
            '({"data": "same"} or a version number), or train anew',
            field="data",
        ) from None
    return await jobs.submit(
        spec.route,
        config,
        conversation_id=conversation_id if conversation_id is not None else run.conversation_id,
        retrain_of=run.id,
    )
