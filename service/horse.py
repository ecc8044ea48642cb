"""A work horse dies with its worker.

RQ forks a work horse per job and puts it in a process group of its own, which the worker kills
when it stops the job. A worker killed outright (kill -9, the OOM killer) kills nothing: its
horse, now an orphan, would train on for as long as the job takes, write a model into a run
the reaper has already failed and report progress after the run's final event.

On Linux the kernel kills the horse when its parent dies (prctl PR_SET_PDEATHSIG). Elsewhere
(macOS has no such call) a thread in the horse watches its parent and ends the horse within a
second of the parent's death.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
"""prctl's option number, from <linux/prctl.h>."""

EXIT_ORPHANED = 98
"""The exit status of a work horse that found its worker gone."""

WATCH_INTERVAL_S = 1.0


def die_with_parent(parent_pid: int) -> str:
    """Make this process (a work horse just forked by `parent_pid`) end when its parent dies;
    how, in words."""
    if sys.platform.startswith("linux") and _set_parent_death_signal(signal.SIGKILL):
        # The parent may have died between the fork and the prctl call, before the kernel knew
        # to tell this process (prctl(2) advises this check).
        if os.getppid() != parent_pid:
            os._exit(EXIT_ORPHANED)
        return "parent-death signal"
    watch_parent(parent_pid)
    return "parent watch"


def _set_parent_death_signal(signum: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0:
            return True
        log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
    except (OSError, AttributeError):
        log.warning("prctl is not available; watching the worker instead", exc_info=True)
    return False


def watch_parent(parent_pid: int) -> None:
    """End this process once its parent is gone (it is then reparented, so getppid changes);
    the portable way, where the kernel cannot be asked."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_INTERVAL_S)
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
