"""The state of one AutoML as it runs: its clock, the models it keeps, the best so far."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ml_backend.jobs.automl.clock import BudgetReporter, Clock
from ml_backend.jobs.automl.result import (
    AutoMLModel,
    ResolvedAutoML,
    SearchSummary,
    SkippedAlgorithm,
    TracePoint,
)
from ml_backend.jobs.train.data import TrainingData
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.jobs.train.scoring import Scored
from ml_backend.numbers import format_metric
from ml_backend.reporting import Reporter


@dataclass
class Kept:
    model: AutoMLModel
    training: ResolvedTraining
    scored: Scored


class Search:
    """The state of one AutoML: its clock, the models kept, the best so far."""

    def __init__(
        self, resolved: ResolvedAutoML, data: TrainingData, reporter: Reporter, clock: Clock
    ) -> None:
        board = resolved.leaderboard
        self.resolved = resolved
        self.goal = board.goal_metric
        self.sign = 1.0 if board.direction == "maximize" else -1.0
        self.data = data
        self.clock = clock
        self.kept: list[Kept] = []
        self.skipped: list[SkippedAlgorithm] = []
        self.searches: list[SearchSummary] = []
        self.trace: list[TracePoint] = []
        self.best_value: float | None = None
        self.reporter = BudgetReporter(reporter, clock, self.live)

    def live(self) -> dict[str, float]:
        return {} if self.best_value is None else {f"best/{self.goal}": self.best_value}

    def better(self, value: float, than: float | None) -> bool:
        return than is None or self.sign * value > self.sign * than

    def keep(self, name: str, stage: str, training: ResolvedTraining, scored: Scored) -> None:
        value = scored.scores.mean(self.goal)
        model = AutoMLModel(
            name=name,
            algorithm=training.algorithm,
            stage="tuned" if stage == "tuned" else "defaults",
            hyperparameters=training.hyperparameters,
            value=value,
            validation=scored.scores,
            seconds=scored.seconds,
        )
        self.kept.append(Kept(model, training, scored))
        self.note(name, value)

    def note(self, name: str, value: float | None) -> None:
        """A model finished with `value`: the trace, and the best so far if it is."""
        if value is None or not math.isfinite(value):
            return
        if self.better(value, self.best_value):
            self.best_value = value
            self.reporter.announce(
                f"new best: {name}, {self.goal} {format_metric(self.goal, value)}"
            )
        assert self.best_value is not None
        self.trace.append(
            TracePoint(seconds=self.clock.elapsed(), value=value, best=self.best_value, name=name)
        )

    def value_of(self, kept: Kept) -> float:
        value = kept.model.value
        return -math.inf if value is None or not math.isfinite(value) else self.sign * value
