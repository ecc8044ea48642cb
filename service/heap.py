"""The garbage collector's view of a long-running web process.

After start-up the heap holds millions of objects that live as long as the process: modules,
the ML libraries' tables, Litestar's routes, the planner's trained models. Every full collection
walked them all again; a list request allocates enough to set off collections often, and under
load the collector took about a sixth of the server's time. `gc.freeze()` moves what exists now
into a generation the collector never scans, so it only sees what requests allocate.
"""

from __future__ import annotations

import gc
import threading

import anyio.to_thread

YOUNG_THRESHOLD = 10_000
"""Allocations between young collections (CPython's default is 700): a page of rows allocates
thousands of objects that all die with the request, and a collection in the middle of it only
moves them to an older generation to be scanned again."""


def freeze_long_lived() -> None:
    """Collect once, then keep everything alive now out of every later collection."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)


async def freeze_after(warm_up: threading.Thread | None) -> None:
    """`freeze_long_lived` once `warm_up` (training the planner's models) is done, so what it
    keeps is frozen too."""
    if warm_up is not None:
        await anyio.to_thread.run_sync(warm_up.join, abandon_on_cancel=True)
    freeze_long_lived()
