"""An AutoML's wall-clock budget, and its progress told as the budget spent."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ml_backend.reporting import ProgressUnit, Reporter


class OutOfTime(Exception):
    """A fit stopped at its deadline: the budget is worth more than this one model."""


@dataclass(frozen=True)
class Clock:
    budget_s: float
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        return self.budget_s - self.elapsed()

    def at(self, share: float) -> float:
        """The monotonic time when `share` of the budget is spent."""
        return self.started + share * self.budget_s


class BudgetReporter:
    """Every part's progress (a fold's rounds, a trial, the final fit) as seconds of the budget
    spent, with the best validation score so far; a fit still running at `deadline` is stopped
    (OutOfTime) once `stoppable()` says something else can take its place."""

    def __init__(
        self,
        outer: Reporter,
        clock: Clock,
        live: Callable[[], dict[str, float]],
        *,
        stage: str = "",
        deadline: float | None = None,
        stoppable: Callable[[], bool] = lambda: False,
        quiet: bool = False,
    ) -> None:
        self.outer = outer
        self.clock = clock
        self.live = live
        self.stage = stage
        self.deadline = deadline
        self.stoppable = stoppable
        self.quiet = quiet
        """Whether to drop the part's own log lines (each fold's): the AutoML logs its own."""

    def staged(
        self,
        stage: str,
        *,
        deadline: float | None = None,
        stoppable: Callable[[], bool] = lambda: False,
        quiet: bool = True,
    ) -> BudgetReporter:
        return BudgetReporter(
            self.outer,
            self.clock,
            self.live,
            stage=stage,
            deadline=deadline,
            stoppable=stoppable,
            quiet=quiet,
        )

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
        if self.deadline is not None and time.monotonic() >= self.deadline and self.stoppable():
            raise OutOfTime(self.stage)
        live = dict(self.live())
        live.update({k: v for k, v in (metrics or {}).items() if k.startswith("trial/")})
        self.announce(message if message is None else self._said(message), live)

    def announce(self, message: str | None, metrics: dict[str, float] | None = None) -> None:
        """The budget spent now, with `message` (a milestone) if any."""
        elapsed = self.clock.elapsed()
        budget = self.clock.budget_s
        self.outer.progress(
            int(elapsed),
            round(budget),
            message=message,
            metrics=metrics if metrics is not None else self.live() or None,
            unit="second",
            # The end is the final fit's end, not the clock's: never say done before it.
            fraction=min(elapsed / budget, 0.99),
        )

    def _said(self, message: str) -> str:
        return f"{self.stage}: {message}" if self.stage else message

    def log(self, message: str) -> None:
        if not self.quiet:
            self.outer.log(self._said(message))

    def artifact(self, kind: str, name: str) -> None:
        self.outer.artifact(kind, name)
