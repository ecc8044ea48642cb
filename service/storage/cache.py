"""This machine's copies of a remote store's files, so a file is downloaded once, not at
every read.

Only files that never change are copied: datasets (named by their content) and the folders
of finished runs. A copy appears whole (downloaded under a temporary name, then renamed); past
the size limit the least recently used copies go.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from service.storage.layout import ARTIFACTS, DATASETS, dataset_key, run_key

log = logging.getLogger(__name__)

FRESH_S = 600.0
"""A copy made or used this recently is kept even past the limit: a job or a request may be
reading it."""


class LocalCache:
    """Copies under `root`, laid out as in the store; at most about `max_bytes` of them."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def datasets_dir(self, tenant: str) -> Path:
        return self.root / DATASETS / tenant

    def dataset_path(self, tenant: str, content_hash: str) -> Path:
        return self.root / dataset_key(tenant, content_hash)

    def run_path(self, tenant: str, run_id: int) -> Path:
        return self.root / run_key(tenant, run_id)

    def hit(self, path: Path) -> bool:
        """Whether a copy is at `path`; if so it counts as just used."""
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        return True

    def fill(self, target: Path, download: Callable[[Path], None]) -> Path:
        """Make the copy at `target` with `download(temporary path)`; then keep to the limit."""
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        try:
            download(temp)
            try:
                os.replace(temp, target)
            except OSError:
                # A folder another process copied first: theirs is as good.
                if not target.is_dir():
                    raise
        finally:
            _remove(temp)
        self.evict(keep=target)
        return target

    def forget(self, path: Path) -> None:
        _remove(path)

    def evict(self, keep: Path) -> None:
        """Remove the least recently used copies until they fit the limit, except `keep`
        and copies used within `FRESH_S`."""
        entries = [*self._entries(DATASETS, files=True), *self._entries(ARTIFACTS, files=False)]
        total = sum(size for _, size, _ in entries)
        now = time.time()
        for used, size, path in sorted(entries):
            if total <= self.max_bytes:
                return
            if path == keep or now - used < FRESH_S:
                continue
            log.info("cache copy evicted", extra={"path": str(path), "bytes": size})
            _remove(path)
            total -= size

    def _entries(self, kind: str, *, files: bool) -> list[tuple[float, int, Path]]:
        """(last used, bytes, path) of each dataset file or run folder copied."""
        found = []
        for tenant in _children(self.root / kind):
            for entry in _children(tenant):
                if entry.name.startswith("."):  # on its way in
                    continue
                try:
                    used = entry.stat().st_mtime
                    size = entry.stat().st_size if files else _folder_bytes(entry)
                except FileNotFoundError:  # evicted by another process meanwhile
                    continue
                found.append((used, size, entry))
        return found


def _children(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
