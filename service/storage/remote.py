"""The store that many machines share: any fsspec URL (s3:// through s3fs, and the rest).

Each file is one object, written by one upload (a single PUT, or a multipart upload that
appears when it completes), so a reader never sees half a file. Jobs run in a local folder,
uploaded when they end; datasets and finished runs' models are read from local copies
(`LocalCache`), because the ML libraries read local paths.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from service.errors import StorageUnavailableError
from service.storage.base import CHUNK_BYTES, StoredFile, checked_name
from service.storage.cache import LocalCache
from service.storage.layout import dataset_key, run_key

log = logging.getLogger(__name__)


@cache
def _failures() -> tuple[type[BaseException], ...]:
    """What a backend raises when its store cannot be reached or refuses: OSError and the
    errors of the client libraries the fsspec backends use (imported only if installed)."""
    failures: list[type[BaseException]] = [OSError, TimeoutError]
    try:
        from botocore.exceptions import BotoCoreError

        failures.append(BotoCoreError)
    except ImportError:
        pass
    try:
        from aiohttp import ClientError

        failures.append(ClientError)
    except ImportError:
        pass
    return tuple(failures)


def shown_url(url: str) -> str:
    """`url` without any credentials in it, to show in messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


class RemoteStore:
    """Datasets and artifacts under an fsspec URL, laid out as `service.storage.layout` says."""

    is_local = False

    def __init__(
        self, url: str, options: dict[str, Any], cache_dir: Path, cache_bytes: int
    ) -> None:
        import fsspec.core

        self.location = shown_url(url)
        with self._reaching("opening it"):
            try:
                self.fs, root = fsspec.core.url_to_fs(url, **options)
            except (ImportError, ValueError, TypeError) as error:  # an unknown protocol or option
                raise StorageUnavailableError(
                    f"MLCHAT_STORAGE_URL {self.location} cannot be used: {error}; name a local "
                    "folder or an s3:// URL (other fsspec protocols need their package), and "
                    "check MLCHAT_STORAGE_OPTIONS"
                ) from None
        self.root = str(root).rstrip("/")
        # Copies of different stores never mix, should this machine's settings change.
        namespace = hashlib.sha256(url.encode()).hexdigest()[:16]
        self.cache = LocalCache(cache_dir / namespace, cache_bytes)
        self.scratch = cache_dir / "work"
        self.incoming = cache_dir / "incoming"

    @contextmanager
    def _reaching(self, doing: str) -> Iterator[None]:
        try:
            yield
        except FileNotFoundError:
            raise
        except _failures() as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            log.warning("storage failed", extra={"location": self.location, "doing": doing,
                                                 "error": repr(error)})  # fmt: skip
            raise StorageUnavailableError(
                f"the storage at {self.location} could not be used while {doing} "
                f"({type(error).__name__}: {reason}); check that it is up and reachable from "
                "this machine and that MLCHAT_STORAGE_URL and MLCHAT_STORAGE_OPTIONS (or the "
                "AWS_* variables) are right, then try again"
            ) from error

    def _path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def _fresh(self, path: str) -> None:
        # Another machine may have written since this process last listed: never answer from
        # fsspec's listings cache.
        self.fs.invalidate_cache(path)

    def spool_dir(self) -> Path:
        return self.incoming

    def ingest_dir(self, tenant: str) -> Path:
        return self.cache.datasets_dir(tenant)

    def put_dataset(self, tenant: str, path: Path, content_hash: str) -> None:
        key = self._path(dataset_key(tenant, content_hash))
        with self._reaching("storing a dataset"):
            self._fresh(key)
            if not self.fs.exists(key):
                self.fs.put_file(str(path), key)
        self.cache.evict(keep=path)

    def local_dataset(self, tenant: str, content_hash: str) -> Path:
        target = self.cache.dataset_path(tenant, content_hash)
        if self.cache.hit(target):
            return target
        key = self._path(dataset_key(tenant, content_hash))
        with self._reaching("reading a dataset"):
            return self.cache.fill(target, lambda temp: self.fs.get_file(key, str(temp)))

    def open_dataset(self, tenant: str, content_hash: str) -> StoredFile:
        with self._reaching("reading a dataset"):
            return self._open(self._path(dataset_key(tenant, content_hash)))

    def delete_dataset(self, tenant: str, content_hash: str) -> None:
        key = self._path(dataset_key(tenant, content_hash))
        with self._reaching("deleting a dataset"):
            with suppress(FileNotFoundError):
                self.fs.rm_file(key)
            self._fresh(key)
        self.cache.forget(self.cache.dataset_path(tenant, content_hash))

    def job_folder(self, tenant: str, run_id: int) -> Path:
        folder = self.scratch / f"{tenant}-{run_id}-{uuid.uuid4().hex[:8]}"
        folder.mkdir(parents=True)
        return folder

    def discard_job_folders(self, tenant: str, run_id: int) -> None:
        for folder in (self.scratch).glob(f"{tenant}-{run_id}-*"):
            shutil.rmtree(folder, ignore_errors=True)

    def publish_run(self, tenant: str, run_id: int, folder: Path) -> None:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        if not files:
            return
        prefix = self._path(run_key(tenant, run_id))
        with self._reaching(f"storing run {run_id}'s files"):
            self.fs.put(
                [str(file) for file in files],
                [f"{prefix}/{file.relative_to(folder).as_posix()}" for file in files],
            )
            self._fresh(prefix)

    def delete_run(self, tenant: str, run_id: int) -> None:
        prefix = self._path(run_key(tenant, run_id))
        with self._reaching(f"deleting run {run_id}'s files"):
            with suppress(FileNotFoundError):
                self.fs.rm(prefix, recursive=True)
            self._fresh(prefix)
        self.cache.forget(self.cache.run_path(tenant, run_id))

    def local_run(self, tenant: str, run_id: int) -> Path:
        target = self.cache.run_path(tenant, run_id)
        if self.cache.hit(target):
            return target
        prefix = self._path(run_key(tenant, run_id))
        with self._reaching(f"reading run {run_id}'s files"):
            self._fresh(prefix)
            names = [str(name) for name in self.fs.find(prefix)]
            if not names:
                return target

            def download(temp: Path) -> None:
                local = [temp / name[len(prefix) + 1 :] for name in names]
                for path in local:
                    path.parent.mkdir(parents=True, exist_ok=True)
                self.fs.get(names, [str(path) for path in local])

            return self.cache.fill(target, download)

    def list_artifacts(self, tenant: str, run_id: int, folder: str) -> list[str]:
        path = self._path(f"{run_key(tenant, run_id)}/{checked_name(folder)}")
        with self._reaching(f"listing run {run_id}'s files"):
            self._fresh(path)
            try:
                entries = self.fs.ls(path, detail=True)
            except FileNotFoundError:
                return []
        return sorted(
            str(entry["name"]).rsplit("/", 1)[-1] for entry in entries if entry["type"] == "file"
        )

    def artifact_size(self, tenant: str, run_id: int, name: str) -> int | None:
        path = self._path(f"{run_key(tenant, run_id)}/{checked_name(name)}")
        with self._reaching(f"reading run {run_id}'s files"):
            self._fresh(path)
            try:
                info = self.fs.info(path)
            except FileNotFoundError:
                return None
        return int(info["size"]) if info.get("type") == "file" else None

    def read_artifact(self, tenant: str, run_id: int, name: str) -> bytes:
        path = self._path(f"{run_key(tenant, run_id)}/{checked_name(name)}")
        with self._reaching(f"reading run {run_id}'s files"):
            data: bytes = self.fs.cat_file(path)
        return data

    def open_artifact(self, tenant: str, run_id: int, name: str) -> StoredFile:
        path = self._path(f"{run_key(tenant, run_id)}/{checked_name(name)}")
        with self._reaching(f"reading run {run_id}'s files"):
            return self._open(path)

    def _open(self, path: str) -> StoredFile:
        self._fresh(path)
        reader = self.fs.open(path, "rb", block_size=4 * CHUNK_BYTES)
        size = getattr(reader, "size", None)
        return StoredFile(size=int(size if size is not None else self.fs.size(path)), reader=reader)
