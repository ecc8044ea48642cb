"""Scoring a training before the test part judges it: on k folds of the training part, or on
its validation part. This is what every selection (a leaderboard's ranking, a tuning's trials,
an ensemble's weights) reads; the test part is never touched here."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from ml_backend.jobs.train.data import TrainingData
from ml_backend.jobs.train.fitting import fit_training, predictions
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.metrics import compute_metrics
from ml_backend.reporting import Reporter, ScopedReporter
from ml_backend.splitting import fold_pairs


class FoldScores(BaseModel):
    """One metric over the folds: each fold's value, their mean and spread."""

    mean: float | None
    std: float | None
    """The sample standard deviation over the folds; None for a single part."""
    folds: list[float | None]


class ValidationScores(BaseModel):
    """How a training scored on rows it did not fit on, all of them from the training data."""

    method: Literal["kfold", "holdout"]
    folds: int
    """How many parts were scored: k for k-fold, 1 for a validation part."""
    rows: int
    """Rows scored, each once: the whole training part (k-fold) or the validation part."""
    metrics: dict[str, FoldScores]

    def mean(self, metric: str) -> float | None:
        scores = self.metrics.get(metric)
        return None if scores is None else scores.mean

    def describe(self) -> str:
        """Which data scored it, in words: '5-fold cross-validation of 1,200 training rows'."""
        if self.method == "kfold":
            return f"{self.folds}-fold cross-validation of {self.rows:,} training rows"
        return f"a validation part of {self.rows:,} training rows"


FoldHook = Callable[[int, "ValidationScores"], None]
"""`(folds_done, scores so far)`: called after each fold, e.g. for a tuning's pruner."""


@dataclass(frozen=True)
class Scored:
    """Validation scores, and the predictions behind them (for ensembles to build on)."""

    scores: ValidationScores
    positions: NDArray[np.intp]
    """The rows scored, as positions into the training data's rows."""
    predicted: NDArray[Any]
    """Their predictions: class probabilities (one column per class) or numbers."""
    seconds: float
    """The estimator's fitting time, all folds together."""


def score_training(
    resolved: ResolvedTraining,
    data: TrainingData,
    reporter: Reporter,
    *,
    on_fold: FoldHook | None = None,
) -> Scored:
    """Fit on each fold's fitting rows, score its held-out rows, from the training data only."""
    pairs = fold_pairs(data.parts, resolved.split, data.encoded if data.encoder else None)
    method: Literal["kfold", "holdout"] = "kfold" if resolved.split.folds else "holdout"
    per_fold: list[dict[str, float | None]] = []
    outputs: list[NDArray[Any]] = []
    seconds = 0.0
    for index, (fit, score) in enumerate(pairs):
        # Unlabelled: a label would make every round a message, which the stream cannot thin.
        scoped = ScopedReporter(reporter, index, len(pairs))
        # The scored rows serve as the watched part too: boosting rounds and epochs are scored
        # (and stopped early) on them, as a validation part is in a single training.
        model, took = fit_training(resolved, data, scoped, fit=fit, watch=score)
        seconds += took
        predicted = predictions(model, data, score)
        per_fold.append(compute_metrics(resolved.metrics, predicted))
        outputs.append(
            predicted.probabilities if predicted.probabilities is not None else predicted.y_pred
        )
        if method == "kfold":
            reporter.log(f"fold {index + 1} of {len(pairs)} scored on {len(score)} rows")
        if on_fold is not None:
            on_fold(index + 1, _scores(method, len(pairs), per_fold, pairs[: index + 1]))
    return Scored(
        scores=_scores(method, len(pairs), per_fold, pairs),
        positions=np.concatenate([score for _, score in pairs]),
        predicted=np.concatenate(outputs),
        seconds=seconds,
    )


def _scores(
    method: Literal["kfold", "holdout"],
    n_folds: int,
    per_fold: list[dict[str, float | None]],
    pairs: list[tuple[NDArray[np.intp], NDArray[np.intp]]],
) -> ValidationScores:
    names = list(per_fold[0]) if per_fold else []
    return ValidationScores(
        method=method,
        folds=n_folds,
        rows=sum(len(score) for _, score in pairs),
        metrics={name: _over_folds([fold[name] for fold in per_fold]) for name in names},
    )


def _over_folds(values: list[float | None]) -> FoldScores:
    known = [v for v in values if v is not None and math.isfinite(v)]
    # A metric no fold could compute has no mean; one some folds could not is not comparable.
    mean = statistics.fmean(known) if known and len(known) == len(values) else None
    std = statistics.stdev(known) if mean is not None and len(known) > 1 else None
    return FoldScores(mean=mean, std=std, folds=values)
