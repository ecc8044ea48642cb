"""Datasets and artifacts, wherever MLCHAT_STORAGE_URL keeps them: a local folder (the home
folder by default) or an fsspec URL that many machines share (`s3://bucket/prefix`).

`open_storage(settings)` is the one way in; `Storage` says what it offers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from service.settings import Settings
from service.storage.base import Storage, StoredFile
from service.storage.layout import dataset_file, run_dir, tenant_datasets_dir
from service.storage.local import LocalStore

__all__ = [
    "Storage",
    "StoredFile",
    "dataset_file",
    "open_storage",
    "run_dir",
    "tenant_datasets_dir",
]

_opened: dict[tuple[object, ...], Storage] = {}


def _local_root(url: str) -> Path | None:
    """The folder a local storage URL names (a path, or file://...); None for other URLs."""
    if url.startswith("file://"):
        return Path(url.removeprefix("file://")).expanduser().resolve()
    if "://" not in url:
        return Path(url).expanduser().resolve()
    return None


def open_storage(settings: Settings) -> Storage:
    """The store `settings` name, made once per process (a forked job makes its own: an
    fsspec client's connections and event loop do not survive a fork)."""
    key = (
        os.getpid(), settings.storage_url, json.dumps(settings.storage_options, sort_keys=True),
        str(settings.home_dir), settings.storage_cache_gb,
    )  # fmt: skip
    if key not in _opened:
        url = settings.storage_url
        root = settings.home_dir if url is None else _local_root(url)
        if root is not None:
            _opened[key] = LocalStore(root)
        else:
            from service.storage.remote import RemoteStore

            assert url is not None
            _opened[key] = RemoteStore(
                url,
                settings.storage_options,
                settings.storage_cache_dir,
                int(settings.storage_cache_gb * 1024**3),
            )
    return _opened[key]
