"""The bare-RQ baseline's job: append one event to a stream, as an mlchat job's first act."""

from __future__ import annotations

import json
import time

from rq import get_current_job


def mark(stream: str) -> None:
    """Append a 'started' marker to `stream` and return."""
    job = get_current_job()
    assert job is not None
    job.connection.xadd(stream, {"event": json.dumps({"type": "started", "t": time.time()})})
