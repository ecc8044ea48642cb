"""The Reporter protocol: how ml_backend tells the world what it is doing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ProgressUnit = Literal["trial", "algorithm", "round", "epoch", "tree", "step"]
"""What a progress step counts: a tuning's trials, a leaderboard's algorithms, a boosted model's
rounds, a network's epochs, a forest's trees, or steps of some other work."""
COARSE_UNITS: frozenset[str] = frozenset({"trial", "algorithm"})
"""Units that are each a whole model: a handful of them already show how fast a run goes."""


class Reporter(Protocol):
    """Receives progress from a running job; the service sends it to Redis Streams."""

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
        """`step` of `total` units of work done, with optional live metrics.

        `unit` says what a step counts; `total` is 0 when it is not known in advance (a search
        bounded by time alone). `fraction` is the share of the whole job done, when it is not
        `step / total`: a leaderboard's third algorithm half trained is 2 of 5 algorithms done
        and 0.5 of the job."""

    def log(self, message: str) -> None:
        """A line a person would want to see in the run's log."""

    def artifact(self, kind: str, name: str) -> None:
        """An artifact (model, plot, metrics file) was written."""


class NullReporter:
    """A reporter that drops everything: for notebooks and direct calls."""

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
        return None

    def log(self, message: str) -> None:
        return None

    def artifact(self, kind: str, name: str) -> None:
        return None


@dataclass
class RecordingReporter:
    """Keeps every call in memory: for tests and for comparing runs."""

    events: list[dict[str, Any]] = field(default_factory=list)

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
        self.events.append(
            {
                "type": "progress",
                "step": step,
                "total": total,
                "message": message,
                "metrics": metrics,
                "unit": unit,
                "fraction": fraction,
            }
        )

    def log(self, message: str) -> None:
        self.events.append({"type": "log", "message": message})

    def artifact(self, kind: str, name: str) -> None:
        self.events.append({"type": "artifact", "kind": kind, "name": name})
