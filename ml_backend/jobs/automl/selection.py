"""Greedy ensemble selection (Caruana et al., "Ensemble Selection from Libraries of Models",
ICML 2004) on out-of-fold predictions: the training data alone chooses the weights.

Starting from the best single model, each round adds (with replacement) the model whose
addition scores best; a model's weight is how often it was added. Selection with replacement
and the best prefix of rounds kept are the paper's remedies for overfitting the rows that
choose. Every candidate must have scored the same rows (one split, one seed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ml_backend.metrics import METRICS, Predictions, compute_metrics

ENSEMBLE_ROUNDS = 25
"""Additions tried: AutoGluon and auto-sklearn settle within 25-50; on a few hundred rows more
rounds only fit the noise of the rows that choose."""
TIE_BREAKERS = {"classification": "log_loss", "regression": "rmse"}
"""The second metric compares candidates whose goal values tie (accuracy often does)."""


@dataclass(frozen=True)
class OutOfFold:
    """One candidate's predictions of the rows that scored it, in row order."""

    positions: NDArray[np.intp]
    predicted: NDArray[Any]
    """Class probabilities (one column per class code) or numbers."""


@dataclass(frozen=True)
class Selection:
    """The weights chosen (one per candidate, summing to 1) and what they scored."""

    weights: list[float]
    value: float
    """The goal metric of the weighted average on the rows that chose it."""
    single_value: float
    """The best single candidate's value on the same rows, for comparison."""


class Scorer:
    """Scores an averaged prediction of the chosen rows by the goal, then the tie breaker."""

    def __init__(
        self, goal: str, target: NDArray[Any], n_classes: int | None, *, classification: bool
    ) -> None:
        self.goal = goal
        self.target = target
        self.n_classes = n_classes
        self.classification = classification
        breaker = TIE_BREAKERS["classification" if classification else "regression"]
        self.metrics = [goal] if breaker == goal else [goal, breaker]

    def __call__(self, predicted: NDArray[Any]) -> tuple[float, ...]:
        """Higher is better in every place of the tuple; -inf where a value is missing."""
        values = compute_metrics(self.metrics, self._predictions(predicted))
        return tuple(_oriented(name, values.get(name)) for name in self.metrics)

    def _predictions(self, predicted: NDArray[Any]) -> Predictions:
        if not self.classification:
            return Predictions(y_true=self.target, y_pred=predicted)
        labels = list(range(self.n_classes or predicted.shape[1]))
        return Predictions(
            y_true=self.target,
            y_pred=np.argmax(predicted, axis=1),
            probabilities=predicted,
            labels=labels,
        )


def _oriented(name: str, value: float | None) -> float:
    if value is None or not math.isfinite(value):
        return -math.inf
    return value if METRICS[name].greater_is_better else -value


def aligned(candidates: Sequence[OutOfFold]) -> list[NDArray[Any]] | None:
    """Each candidate's predictions in one row order; None unless all scored the same rows."""
    if not candidates:
        return None
    reference = np.sort(candidates[0].positions)
    ordered = []
    for candidate in candidates:
        order = np.argsort(candidate.positions, kind="stable")
        if not np.array_equal(candidate.positions[order], reference):
            return None
        ordered.append(np.asarray(candidate.predicted[order], dtype=np.float64))
    return ordered


def select_ensemble(
    predictions: Sequence[NDArray[Any]], scorer: Scorer, rounds: int = ENSEMBLE_ROUNDS
) -> Selection:
    """Caruana's greedy selection with replacement over `predictions` (aligned, one per
    candidate); ties go to the earlier candidate, so list the better-ranked ones first."""
    singles = [scorer(prediction) for prediction in predictions]
    first = max(range(len(predictions)), key=lambda i: (singles[i], -i))
    counts = [0] * len(predictions)
    counts[first] = 1
    total = predictions[first].copy()
    best_score, best_counts = singles[first], list(counts)
    for size in range(2, rounds + 1):
        tried = [scorer((total + prediction) / size) for prediction in predictions]
        pick = max(range(len(predictions)), key=lambda i: (tried[i], -i))
        counts[pick] += 1
        total = total + predictions[pick]
        if tried[pick] > best_score:
            best_score, best_counts = tried[pick], list(counts)
    used = sum(best_counts)
    return Selection(
        weights=[count / used for count in best_counts],
        value=_plain(scorer.goal, best_score[0]),
        single_value=_plain(scorer.goal, singles[first][0]),
    )


def _plain(name: str, oriented: float) -> float:
    return oriented if METRICS[name].greater_is_better else -oriented
