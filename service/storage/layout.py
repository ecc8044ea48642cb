"""Where each file lives in storage: `datasets/<tenant>/<hash>.parquet` and
`artifacts/<tenant>/<run id>/`, so one tenant's files never share a folder with another's.

Files written before tenants had folders (`datasets/<hash>.parquet`, `artifacts/<run id>/`)
are still found where they are in a local store: a path falls back to the old place when
only it exists.
"""

from __future__ import annotations

from pathlib import Path

from service.settings import Settings

DATASETS = "datasets"
ARTIFACTS = "artifacts"


def dataset_key(tenant: str, content_hash: str) -> str:
    """A tenant's dataset file, relative to the storage's root."""
    return f"{DATASETS}/{tenant}/{content_hash}.parquet"


def run_key(tenant: str, run_id: int) -> str:
    """A run's folder of model, plots and metrics, relative to the storage's root."""
    return f"{ARTIFACTS}/{tenant}/{run_id}"


def local_dataset_file(root: Path, tenant: str, content_hash: str) -> Path:
    """The Parquet file of a tenant's dataset in the local store at `root`."""
    path = root / dataset_key(tenant, content_hash)
    legacy = root / DATASETS / f"{content_hash}.parquet"
    return legacy if not path.exists() and legacy.exists() else path


def local_run_dir(root: Path, tenant: str, run_id: int) -> Path:
    """The folder of a run's files in the local store at `root`."""
    path = root / run_key(tenant, run_id)
    legacy = root / ARTIFACTS / str(run_id)
    return legacy if not path.exists() and legacy.is_dir() else path


def tenant_datasets_dir(settings: Settings, tenant: str) -> Path:
    """The folder of a tenant's datasets in the default store (the home folder)."""
    return settings.datasets_dir / tenant


def dataset_file(settings: Settings, tenant: str, content_hash: str) -> Path:
    """The Parquet file of a tenant's dataset in the default store (the home folder)."""
    return local_dataset_file(settings.home_dir, tenant, content_hash)


def run_dir(settings: Settings, tenant: str, run_id: int) -> Path:
    """The folder of a run's files in the default store (the home folder)."""
    return local_run_dir(settings.home_dir, tenant, run_id)
