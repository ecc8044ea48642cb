"""The store in a folder of this machine: MLCHAT_HOME by default, or a local MLCHAT_STORAGE_URL.

Files are read where they lie. Everything lands under a temporary name and is renamed into
place, so a reader never sees half a file: a dataset's Parquet file (written so by
`ml_backend`), and a run's whole folder, renamed from the job's folder beside it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from service.storage.base import StoredFile, checked_name
from service.storage.layout import (
    ARTIFACTS,
    DATASETS,
    dataset_key,
    local_dataset_file,
    local_run_dir,
    run_key,
)

STAGING = ".staging"
"""The folder of running jobs' files, beside the runs' folders (a rename cannot cross
file systems)."""


class LocalStore:
    """Datasets and artifacts under `root`, laid out as `service.storage.layout` says."""

    is_local = True

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def spool_dir(self) -> Path:
        return self.root / DATASETS / "incoming"

    def ingest_dir(self, tenant: str) -> Path:
        return self.root / DATASETS / tenant

    def put_dataset(self, tenant: str, path: Path, content_hash: str) -> None:
        target = self.root / dataset_key(tenant, content_hash)
        if path == target or target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copyfile(path, temp)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)

    def local_dataset(self, tenant: str, content_hash: str) -> Path:
        path = local_dataset_file(self.root, tenant, content_hash)
        if not path.is_file():
            raise FileNotFoundError(f"no dataset {content_hash} of tenant {tenant} in {self.root}")
        return path

    def open_dataset(self, tenant: str, content_hash: str) -> StoredFile:
        return _opened(self.local_dataset(tenant, content_hash))

    def delete_dataset(self, tenant: str, content_hash: str) -> None:
        local_dataset_file(self.root, tenant, content_hash).unlink(missing_ok=True)

    def job_folder(self, tenant: str, run_id: int) -> Path:
        folder = self.root / ARTIFACTS / STAGING / f"{tenant}-{run_id}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        return folder

    def discard_job_folders(self, tenant: str, run_id: int) -> None:
        for folder in (self.root / ARTIFACTS / STAGING).glob(f"{tenant}-{run_id}-*"):
            shutil.rmtree(folder, ignore_errors=True)

    def publish_run(self, tenant: str, run_id: int, folder: Path) -> None:
        target = self.root / run_key(tenant, run_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.rename(target)  # the whole folder appears at once
            return
        except OSError:
            if not target.is_dir():
                raise
        # The run has a folder already (files of an earlier attempt): each file replaces its
        # namesake at once.
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            dest = target / file.relative_to(folder)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, dest)

    def delete_run(self, tenant: str, run_id: int) -> None:
        shutil.rmtree(self.local_run(tenant, run_id), ignore_errors=True)

    def local_run(self, tenant: str, run_id: int) -> Path:
        return local_run_dir(self.root, tenant, run_id)

    def list_artifacts(self, tenant: str, run_id: int, folder: str) -> list[str]:
        path = self.local_run(tenant, run_id) / checked_name(folder)
        return sorted(p.name for p in path.iterdir() if p.is_file()) if path.is_dir() else []

    def artifact_size(self, tenant: str, run_id: int, name: str) -> int | None:
        path = self.local_run(tenant, run_id) / checked_name(name)
        return path.stat().st_size if path.is_file() else None

    def read_artifact(self, tenant: str, run_id: int, name: str) -> bytes:
        return (self.local_run(tenant, run_id) / checked_name(name)).read_bytes()

    def open_artifact(self, tenant: str, run_id: int, name: str) -> StoredFile:
        return _opened(self.local_run(tenant, run_id) / checked_name(name))


def _opened(path: Path) -> StoredFile:
    reader = path.open("rb")
    return StoredFile(size=os.fstat(reader.fileno()).st_size, reader=reader)
