"""What every store offers: the narrow set of file operations the API and the workers use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK_BYTES = 1024 * 1024
"""How much of a file a download reads and sends at a time."""


class Reader(Protocol):
    """A file opened for reading: a local file, or an fsspec backend's file object."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class StoredFile:
    """A stored file opened for reading: its size and its bytes, a chunk at a time."""

    size: int
    reader: Reader

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes in chunks; the file is closed when they end or are abandoned."""
        try:
            while chunk := self.reader.read(CHUNK_BYTES):
                yield chunk
        finally:
            self.reader.close()


def checked_name(name: str) -> str:
    """`name` (a path inside a run's folder, `/`-separated) if it stays inside it."""
    parts = name.split("/")
    if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise FileNotFoundError(f"{name!r} is not a file name inside a run's folder")
    return name


class Storage(Protocol):
    """Datasets (`datasets/<tenant>/<hash>.parquet`) and run artifacts
    (`artifacts/<tenant>/<run id>/`), wherever MLCHAT_STORAGE_URL keeps them.

    Every method blocks (the web process calls them in a thread). A file appears whole or not
    at all. A missing file raises FileNotFoundError; a store that cannot be reached raises
    StorageUnavailableError.
    """

    location: str
    """Where the files are, as a person may be shown it (no credentials)."""
    is_local: bool
    """Whether the files lie in a folder of this machine, read in place."""

    def spool_dir(self) -> Path:
        """A local folder for an upload on its way in."""
        ...

    def ingest_dir(self, tenant: str) -> Path:
        """The local folder a tenant's new dataset is written into before `put_dataset`."""
        ...

    def put_dataset(self, tenant: str, path: Path, content_hash: str) -> None:
        """Store the Parquet file at `path` (written into `ingest_dir`) as the tenant's
        dataset with this content hash; one already stored is kept."""
        ...

    def local_dataset(self, tenant: str, content_hash: str) -> Path:
        """A local path of the dataset's Parquet file (a cached copy of a remote one)."""
        ...

    def open_dataset(self, tenant: str, content_hash: str) -> StoredFile:
        """The dataset's Parquet file, opened to stream it."""
        ...

    def delete_dataset(self, tenant: str, content_hash: str) -> None:
        """Remove the dataset's file, and this machine's copy of it; a missing one is fine."""
        ...

    def job_folder(self, tenant: str, run_id: int) -> Path:
        """A new, empty local folder for a running job's files, published when it ends."""
        ...

    def discard_job_folders(self, tenant: str, run_id: int) -> None:
        """Remove this machine's job folders of the run (a job that died before storing)."""
        ...

    def publish_run(self, tenant: str, run_id: int, folder: Path) -> None:
        """Store every file of `folder` (a `job_folder`) as the run's artifacts."""
        ...

    def delete_run(self, tenant: str, run_id: int) -> None:
        """Remove the run's stored files (a run that ended as they were stored); a run with
        none is fine."""
        ...

    def local_run(self, tenant: str, run_id: int) -> Path:
        """A local path of the run's folder (a cached copy of a remote one: ask only for a
        finished run's, whose files do not change); it does not exist when the run has none."""
        ...

    def list_artifacts(self, tenant: str, run_id: int, folder: str) -> list[str]:
        """The names of the files in `folder` of the run's folder; [] when there is none."""
        ...

    def artifact_size(self, tenant: str, run_id: int, name: str) -> int | None:
        """The size of the run's file `name` (e.g. `plots/roc.json`); None when it has none."""
        ...

    def read_artifact(self, tenant: str, run_id: int, name: str) -> bytes:
        """The bytes of the run's file `name`: for small files only."""
        ...

    def open_artifact(self, tenant: str, run_id: int, name: str) -> StoredFile:
        """The run's file `name`, opened to stream it."""
        ...
