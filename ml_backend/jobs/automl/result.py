"""What an AutoML is given (its config checked against the data) and what it gives back."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ml_backend.configs import TaskType
from ml_backend.jobs.leaderboard.run import ResolvedLeaderboard
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.jobs.train.run import TrainingResult
from ml_backend.jobs.train.scoring import ValidationScores


class ResolvedAutoML(BaseModel):
    """An AutoMLConfig checked against its dataset: its candidates and their search spaces."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    leaderboard: ResolvedLeaderboard
    time_budget_s: float
    search_spaces: dict[str, dict[str, str]]
    """Each applicable algorithm's search space, in Optuna's JSON form."""


class AutoMLModel(BaseModel):
    """One model the AutoML tried and kept: its settings and its validation scores."""

    name: str
    algorithm: str
    stage: Literal["defaults", "tuned"]
    hyperparameters: dict[str, Any]
    value: float | None
    """Its goal metric on the training data (mean over folds, or the validation part)."""
    validation: ValidationScores
    seconds: float
    weight: float = 0.0
    """Its share of the final ensemble; 0 when not chosen."""
    rank: int | None = None


class SkippedAlgorithm(BaseModel):
    algorithm: str
    reason: str


class SearchSummary(BaseModel):
    """One algorithm's tuning: how many trials, and what its best scored against its defaults."""

    algorithm: str
    trials: int
    completed: int
    pruned: int
    failed: int
    default_value: float | None
    best_value: float | None
    seconds: float


class TracePoint(BaseModel):
    """A model finished: when (seconds into the budget), what it scored, the best so far."""

    seconds: float
    value: float
    best: float
    name: str


class AutoMLResult(BaseModel):
    """What the AutoML chose, how it chose, and the chosen model judged once on the test part."""

    task_type: TaskType
    goal_metric: str
    direction: Literal["maximize", "minimize"]
    models: list[AutoMLModel]
    """Every model kept, best validation first."""
    skipped: list[SkippedAlgorithm]
    searches: list[SearchSummary]
    trace: list[TracePoint]
    best: str
    """'ensemble', or the name of the single model chosen."""
    best_single: str
    ensemble_value: float | None
    """The chosen combination's goal metric on the rows that chose it (out-of-fold)."""
    single_value: float | None
    """The best single model's, on the same rows."""
    selected_on: str
    judged_on: str
    final: ResolvedTraining
    """The chosen model's training, as fitted on every training row."""
    training: TrainingResult
    time_budget_s: float
    elapsed_s: float
