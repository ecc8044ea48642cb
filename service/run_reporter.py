"""The worker's Reporter: ml_backend progress becomes run events on Redis."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import redis

from ml_backend.reporting import ProgressUnit
from service.events import FINAL_EVENT_TYPES, EventType, append_event
from service.redis_away import REDIS_AWAY

log = logging.getLogger(__name__)

REDIS_AWAY_PAUSE_S = 5.0
"""After Redis was found away, how long progress is not even tried: each try costs the job the
client's retries (seconds), and a restart takes about this long."""


def _clean_metrics(metrics: dict[str, float] | None) -> dict[str, float] | None:
    if not metrics:
        return None
    return {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(v)}


class RunReporter:
    """Sends a run's events; step counts are thinned to a few per second, the last step and
    every step with a message always sent.

    While Redis is away (restarting) the job trains on: its progress, logs and metrics of that
    time are lost rather than the job; a final event is not dropped (its failure is the job's).
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        run_id: int,
        job_id: str,
        tenant: str,
        conversation_id: int | None,
        min_interval_s: float = 0.1,
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.job_id = job_id
        self.tenant = tenant
        self.conversation_id = conversation_id
        self.min_interval_s = min_interval_s
        self._last_progress = 0.0
        self._redis_away_until = 0.0
        self.iterations: list[dict[str, Any]] = []
        """Every step reported with metrics, thinned or not: the model's `iterations`, kept
        here because the stream holds only the steps that were sent."""

    def emit(self, event_type: EventType, **fields: Any) -> int:
        """Append the event; its seq, or 0 if it was dropped (the run had ended, or Redis was
        away and the event is not final)."""
        final = event_type in FINAL_EVENT_TYPES
        if not final and time.monotonic() < self._redis_away_until:
            return 0
        try:
            return append_event(
                self.client,
                event_type,
                run_id=self.run_id,
                job_id=self.job_id,
                tenant=self.tenant,
                conversation_id=self.conversation_id,
                **fields,
            )
        except REDIS_AWAY:
            if final:
                raise
            self._redis_away_until = time.monotonic() + REDIS_AWAY_PAUSE_S
            log.warning("cannot reach Redis: the run's %s event is dropped", event_type)
            return 0

    def progress(
        self,
        step: int,
        total: int,
        *,
        message: str | None = None,
        metrics: dict[str, float] | None = None,
        unit: ProgressUnit | None = None,
        fraction: float | None = None,
    ) -> None:
        cleaned = _clean_metrics(metrics)
        if cleaned:
            self.iterations.append({"step": step, "unit": unit, "metrics": cleaned})
        now = time.monotonic()
        # Only bare step counts are thinned: a message marks a milestone (a trial's result, a
        # chart's stage) that the person must see, however soon after the last event it comes.
        unfinished = total <= 0 or step < total  # a total of 0: the end is not known ahead
        if unfinished and message is None and now - self._last_progress < self.min_interval_s:
            return
        self._last_progress = now
        if fraction is None:
            fraction = min(1.0, step / total) if total > 0 else None
        self.emit(
            "progress",
            step=step,
            total=total if total > 0 else None,
            unit=unit,
            progress=None if fraction is None else min(1.0, max(0.0, fraction)),
            message=message,
            metrics=cleaned,
        )

    def log(self, message: str) -> None:
        self.emit("log", message=message)

    def artifact(self, kind: str, name: str) -> None:
        self.emit("artifact", artifact={"kind": kind, "name": name})
