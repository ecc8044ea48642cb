"""A job's files reach its run's folder only if the run is still going when the job ends.

A job writes its model and plots into a staging folder beside the run's (`.<run id>.partial`),
and the worker moves them into place after checking that the run is still active. A run that
ended meanwhile (cancelled, or given up by the reaper while a lost horse ran on) never gets a
model written into it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def staging_dir(final: Path) -> Path:
    """Where a job writes the files of the run whose folder is `final`."""
    return final.with_name(f".{final.name}.partial")


def publish(staging: Path, final: Path) -> None:
    """Move the staged files into the run's folder; the staging folder is gone after."""
    if not staging.is_dir():
        return
    if not final.exists():
        staging.rename(final)  # one step: a reader sees no folder or a whole one
        return
    for entry in staging.iterdir():
        target = final / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(entry, target)
    staging.rmdir()


def discard(folder: Path) -> None:
    """Remove a folder of files that must not be published (or be kept)."""
    shutil.rmtree(folder, ignore_errors=True)
