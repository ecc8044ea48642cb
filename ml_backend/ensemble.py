"""A weighted ensemble: several trained models of one table, their predictions averaged.

It is a `TabularModel`, so everything that reads a model (predictions, permutation importance,
downloads, the service's cache) reads it unchanged: its `transform` is every member's encoded
matrix side by side, and its `estimator` averages the members' outputs from their own slices
of that matrix, class probabilities for a classifier and numbers for a regression.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ml_backend.algorithms.base import Estimator, Matrix
from ml_backend.configs import TaskType
from ml_backend.model import MODEL_FILE, TabularModel

ENSEMBLE = "ensemble"
"""The `algorithm` an ensemble model reports."""


class WeightedEstimator:
    """The members' estimators over one matrix of their encoded features side by side."""

    def __init__(
        self,
        estimators: list[Estimator],
        widths: list[int],
        weights: list[float],
        *,
        classifier: bool,
    ) -> None:
        self.estimators = estimators
        bounds = np.cumsum([0, *widths])
        self.slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        self.weights = weights
        self.classifier = classifier

    def predict_proba(self, matrix: Matrix) -> NDArray[np.float64]:
        total: NDArray[np.float64] | None = None
        for estimator, part, weight in zip(self.estimators, self.slices, self.weights, strict=True):
            raw = np.asarray(estimator.predict_proba(matrix[:, part]), dtype=np.float64)
            share = weight * raw / raw.sum(axis=1, keepdims=True)
            total = share if total is None else total + share
        assert total is not None  # an ensemble has members
        return total

    def predict(self, matrix: Matrix) -> NDArray[Any]:
        """Class codes (the most probable of the averaged probabilities) or averaged numbers."""
        if self.classifier:
            return np.asarray(np.argmax(self.predict_proba(matrix), axis=1), dtype=np.intp)
        outputs = [
            weight * np.asarray(estimator.predict(matrix[:, part]), dtype=np.float64)
            for estimator, part, weight in zip(
                self.estimators, self.slices, self.weights, strict=True
            )
        ]
        return np.asarray(np.sum(outputs, axis=0), dtype=np.float64)


class EnsembleModel(TabularModel):
    """Members fitted on the same rows and columns, averaged with weights that sum to 1."""

    def __init__(self, members: list[TabularModel], weights: list[float]) -> None:
        if not members or len(members) != len(weights):
            raise ValueError("an ensemble needs one weight per member, and members")
        total = float(sum(weights))
        if total <= 0 or any(weight < 0 for weight in weights):
            raise ValueError("ensemble weights must be non-negative and not all zero")
        first = members[0]
        self.members = members
        self.weights = [float(weight) / total for weight in weights]
        widths = [len(member.encoded_origins()) for member in members]
        estimator = WeightedEstimator(
            [member.estimator for member in members],
            widths,
            self.weights,
            classifier=first.task_type is TaskType.CLASSIFICATION,
        )
        super().__init__(
            algorithm=ENSEMBLE,
            task_type=first.task_type,
            feature_columns=list(first.feature_columns),
            preprocessor=first.preprocessor,
            estimator=estimator,
            label_encoder=first.label_encoder,
        )

    @property
    def algorithms(self) -> list[str]:
        return [member.algorithm for member in self.members]

    def transform(self, frame: pd.DataFrame) -> Matrix:
        return np.hstack([member.transform(frame) for member in self.members])

    def encoded_origins(self) -> list[str]:
        return [origin for member in self.members for origin in member.encoded_origins()]

    def feature_importance(self) -> dict[str, float]:
        """The members' importances, weighted as their predictions are."""
        totals = pd.Series(0.0, index=self.feature_columns)
        for member, weight in zip(self.members, self.weights, strict=True):
            totals = totals.add(pd.Series(member.feature_importance()) * weight, fill_value=0.0)
        grand_total = float(totals.sum())
        if grand_total > 0:
            totals = totals / grand_total
        ordered = totals.sort_values(ascending=False, kind="stable")
        return {str(column): float(value) for column, value in ordered.items()}

    def save(self, directory: Path) -> list[Path]:
        """`model.joblib` only: the members' native files would not make the ensemble."""
        directory.mkdir(parents=True, exist_ok=True)
        whole = directory / MODEL_FILE
        joblib.dump(self, whole)
        return [whole]
