"""Where a tenant's files live: `datasets/<tenant>/<hash>.parquet` and
`artifacts/<tenant>/<run id>/`, so one tenant's files never share a folder with another's.

Files written before tenants had folders (`datasets/<hash>.parquet`, `artifacts/<run id>/`)
are still found where they are: a path falls back to the old place when only it exists.
"""

from __future__ import annotations

from pathlib import Path

from service.settings import Settings


def tenant_datasets_dir(settings: Settings, tenant: str) -> Path:
    return settings.datasets_dir / tenant


def dataset_file(settings: Settings, tenant: str, content_hash: str) -> Path:
    """The Parquet file of a tenant's dataset with this content hash."""
    path = tenant_datasets_dir(settings, tenant) / f"{content_hash}.parquet"
    legacy = settings.datasets_dir / f"{content_hash}.parquet"
    return legacy if not path.exists() and legacy.exists() else path


def run_dir(settings: Settings, tenant: str, run_id: int) -> Path:
    """The folder of a run's model, plots and reproduce script."""
    path = settings.artifacts_dir / tenant / str(run_id)
    legacy = settings.artifacts_dir / str(run_id)
    return legacy if not path.exists() and legacy.is_dir() else path
