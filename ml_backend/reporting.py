"""The Reporter protocol: how ml_backend tells the world what it is doing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ProgressUnit = Literal["trial", "algorithm", "round", "epoch", "tree", "step", "second"]
"""What a progress step counts: a tuning's trials, a leaderboard's algorithms, a boosted model's
rounds, a network's epochs, a forest's trees, an AutoML's seconds of budget spent, or steps of
some other work."""
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


PartSteps = Literal["own", "pooled", "parts"]
"""How a part's steps count in the whole job's events: as they are (a refit's rounds after a
search), pooled with the other parts' (every series of a panel fits the same candidates, so the
whole counts `count * total` of them), or in parts (`k of count` algorithms done)."""


class ScopedReporter:
    """Reports part `offset` of `count` equal parts of a job as progress of the whole job.

    The part's share done (its `fraction`, else `step / total`) moves the whole's fraction from
    `offset / count` to `(offset + 1) / count`. `label` names the part in its messages and logs.
    Parts counted as parts are models of their own (a leaderboard's algorithms): their metrics
    and artifacts are named after the part too, and they are announced as they start and end
    rather than on every step, so that the stream can thin their rounds.
    """

    def __init__(
        self,
        outer: Reporter,
        offset: int,
        count: int,
        label: str | None = None,
        *,
        steps: PartSteps = "own",
        unit: ProgressUnit | None = None,
    ) -> None:
        self.outer = outer
        self.offset = offset
        self.count = count
        self.label = label
        self.steps = steps
        self.unit = unit
        self.announced = False

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
        share = fraction if fraction is not None else step / total if total > 0 else 0.0
        share = min(max(share, 0.0), 1.0)
        whole = (self.offset + share) / self.count
        if self.steps == "parts":
            self.outer.progress(
                self.offset + (1 if share >= 1.0 else 0),
                self.count,
                message=self._milestone(message, share),
                metrics=self._named(metrics),
                unit=self.unit or unit,
                fraction=whole,
            )
            return
        if self.steps == "pooled":
            step, total = self.offset * total + step, self.count * total
        self.outer.progress(
            step, total, message=self._said(message), metrics=metrics, unit=unit, fraction=whole
        )

    def _said(self, message: str | None) -> str | None:
        if self.label is None:
            return message
        return f"{self.label}: {message}" if message else self.label

    def _milestone(self, message: str | None, share: float) -> str | None:
        heading = f"{self.label or 'part'} ({self.offset + 1} of {self.count})"
        # A message on every round would keep the run's reporter from thinning them.
        milestone = not self.announced or share >= 1.0
        self.announced = True
        return f"{heading}: {message}" if message else heading if milestone else None

    def _named(self, metrics: dict[str, float] | None) -> dict[str, float] | None:
        if not metrics or self.label is None:
            return metrics
        return {f"{self.label}/{name}": value for name, value in metrics.items()}

    def log(self, message: str) -> None:
        self.outer.log(f"{self.label}: {message}" if self.label else message)

    def artifact(self, kind: str, name: str) -> None:
        named = self.steps == "parts" and self.label is not None
        self.outer.artifact(kind, f"{self.label}/{name}" if named else name)
