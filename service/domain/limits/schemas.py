"""A tenant's limits as the API shows and takes them, and its use against them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ml_backend.jobs.budget import JobBudget
from ml_backend.jobs.words import size_words
from service.settings import Settings

GIB = 1024**3

ConcurrentJobs = Annotated[
    int, Field(ge=1, le=1000, description="Jobs the tenant runs at once; more wait in line.")
]
DurationSeconds = Annotated[
    int,
    Field(ge=1, le=30 * 24 * 3600, description="Seconds a job may run; then it is stopped."),
]
DatasetGb = Annotated[
    float, Field(gt=0, le=1024**2, description="Largest dataset the tenant may use, in GiB.")
]
CpuCores = Annotated[
    int, Field(ge=1, le=1024, description="CPU cores one job uses: every thread pool it has.")
]
MemoryGb = Annotated[
    # Below a quarter of a GiB a job cannot even read its data and start its thread pools.
    float,
    Field(ge=0.25, le=1024**2, description="Memory one job may take, in GiB."),
]
Gpus = Annotated[int, Field(ge=0, le=64, description="GPUs one job may use; 0 hides CUDA.")]


class Limits(BaseModel):
    """Everything a tenant may use; an admin may change each for one tenant."""

    concurrent_jobs: ConcurrentJobs
    duration_s: DurationSeconds
    dataset_gb: DatasetGb
    cpu_cores: CpuCores
    memory_gb: MemoryGb
    gpus: Gpus

    @classmethod
    def defaults(cls, settings: Settings) -> Limits:
        """The limits of a tenant no admin has changed: the MLCHAT_LIMIT_* settings."""
        return cls(
            concurrent_jobs=settings.limit_concurrent_jobs,
            duration_s=settings.limit_duration_s,
            dataset_gb=settings.limit_dataset_gb,
            cpu_cores=settings.limit_cpu_cores,
            memory_gb=settings.limit_memory_gb,
            gpus=settings.limit_gpus,
        )

    def overridden(self, overrides: dict[str, Any]) -> Limits:
        """These limits with an admin's overrides (checked again, so a bad row cannot pass)."""
        known = {name: value for name, value in overrides.items() if name in Limits.model_fields}
        return Limits.model_validate({**self.model_dump(), **known})

    @property
    def dataset_bytes(self) -> int:
        return int(self.dataset_gb * GIB)

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_gb * GIB)

    def budget(self) -> JobBudget:
        """What a job's config is checked against before it is queued."""
        return JobBudget(duration_s=self.duration_s, dataset_bytes=self.dataset_bytes)

    def words(self) -> str:
        """The limits in one line a person reads in a job's log."""
        gpus = "no GPU" if self.gpus == 0 else f"{self.gpus} GPU{'s' if self.gpus > 1 else ''}"
        return (
            f"{self.cpu_cores} CPU core{'s' if self.cpu_cores > 1 else ''}, "
            f"{size_words(self.memory_bytes)} of memory, {gpus}, "
            f"{duration_text(self.duration_s)} at most"
        )


def duration_text(seconds: float) -> str:
    """A duration as a limit is said: '4 h', '90 min', '1 h 30 min', '10 s'."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts) or f"{seconds:g} s"


class LimitsUpdate(BaseModel):
    """Limits to change for a tenant: a field given is set, a field given as null goes back to
    the default, a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    concurrent_jobs: ConcurrentJobs | None = None
    duration_s: DurationSeconds | None = None
    dataset_gb: DatasetGb | None = None
    cpu_cores: CpuCores | None = None
    memory_gb: MemoryGb | None = None
    gpus: Gpus | None = None


class TenantLimitsView(BaseModel):
    tenant: str
    limits: Limits
    """What applies: the defaults with the admin's overrides."""
    overrides: dict[str, Any]
    """Only what an admin set for this tenant."""
    defaults: Limits
    updated_at: datetime | None


class Usage(BaseModel):
    """A tenant's use against its limits."""

    tenant: str
    limits: Limits
    running_jobs: int = Field(description="Jobs running now, against `concurrent_jobs`.")
    queued_jobs: int = Field(description="Jobs waiting in line.")
    datasets: int
    stored_bytes: int = Field(description="The tenant's datasets as stored (Parquet).")
    largest_dataset_bytes: int = Field(description="The largest dataset, against `dataset_gb`.")
