"""Training one model: split, preprocess, fit with progress, evaluate, save."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from ml_backend.configs import TaskType
from ml_backend.explanations import (
    Explanations,
    PermutationImportance,
    PredictedValue,
    ShapImportance,
    explain,
)
from ml_backend.jobs.train.data import TrainingData, prepare, split_usable_rows, usable_mask
from ml_backend.jobs.train.fitting import fit_training, predictions
from ml_backend.jobs.train.resolve import DroppedColumn, ResolvedTraining
from ml_backend.jobs.train.scoring import ValidationScores, score_training
from ml_backend.metrics import ConfusionMatrix, compute_metrics, confusion_matrix
from ml_backend.model import TabularModel
from ml_backend.numbers import format_metric
from ml_backend.reporting import Reporter, ScopedReporter

__all__ = ["TrainingResult", "split_usable_rows", "train", "usable_mask"]

METRICS_FILE = "metrics.json"


class FeatureImportance(BaseModel):
    """One original column's share of the model's importance."""

    feature: str
    importance: float


class DataSummary(BaseModel):
    """How many rows and columns went where."""

    total_samples: int
    train_samples: int
    validation_samples: int
    test_samples: int
    n_features: int
    encoded_features: int
    rows_without_target: int
    dropped_columns: list[DroppedColumn]


class TrainingResult(BaseModel):
    """Everything a finished training run reports; plain JSON values only."""

    task_type: TaskType
    algorithm: str
    metrics: dict[str, dict[str, float | None]]
    """Per split ("train", "validation" when there is one, "test"): metric name -> value."""
    confusion_matrix: ConfusionMatrix | None
    feature_importance: list[FeatureImportance]
    data_summary: DataSummary
    training_duration_seconds: float
    model_files: list[str]
    """File names, relative to the artifact directory."""
    hyperparameters: dict[str, Any]
    classes: list[Any] | None
    permutation_importance: list[PermutationImportance] | None = None
    """Permutation importance per column on the test part; None when skipped."""
    shap_summary: list[ShapImportance] | None = None
    """Mean |SHAP| per column of a tree model; None without the `shap` extra or for other models."""
    test_predictions: list[PredictedValue] | None = None
    """Up to 1000 (actual, predicted) test pairs of a regression; None for other tasks."""
    cross_validation: ValidationScores | None = None
    """Per-fold scores on the training part when the split asked for folds; None otherwise."""


def train(
    resolved: ResolvedTraining,
    frame: pd.DataFrame,
    *,
    reporter: Reporter,
    artifact_dir: Path | None = None,
    explanations: bool = True,
    explain_by: float | None = None,
) -> TrainingResult:
    """Train `resolved` on `frame`, reporting progress; save the model if `artifact_dir`.

    `explanations=False` skips permutation importance, SHAP and prediction pairs (tuning trials);
    `explain_by` (a `time.monotonic()` time) bounds permutation importance to what fits by then.
    """
    data = prepare(resolved, frame, reporter)
    cross_validation = None
    final = reporter
    if resolved.split.folds is not None:
        # k folds, then the model itself: k + 1 fits, each an equal part of the progress.
        k = resolved.split.folds
        cross_validation = score_training(
            resolved, data, ScopedReporter(reporter, 0, k + 1, steps="pooled")
        ).scores
        reporter.log(f"cross-validated: {_said(cross_validation, resolved.metrics)}")
        final = ScopedReporter(reporter, k, k + 1)
    model, seconds = fit_training(
        resolved, data, final, fit=data.parts.train, watch=data.parts.validation
    )
    test = data.parts.test
    explained = (
        explain(
            model,
            data.rows.iloc[test],
            data.target[test],
            metrics=resolved.metrics,
            random_state=resolved.split.random_state,
            reporter=reporter,
            within_s=None if explain_by is None else explain_by - time.monotonic(),
        )
        if explanations
        else Explanations()
    )
    result = TrainingResult(
        task_type=resolved.task_type,
        algorithm=model.algorithm,
        metrics=_evaluate(model, resolved, data),
        confusion_matrix=_test_confusion(model, data),
        feature_importance=[
            FeatureImportance(feature=name, importance=value)
            for name, value in model.feature_importance().items()
        ],
        data_summary=_summary(resolved, frame, data, model),
        training_duration_seconds=seconds,
        model_files=[],
        hyperparameters=resolved.hyperparameters,
        classes=model.classes,
        permutation_importance=explained.permutation_importance,
        shap_summary=explained.shap_summary,
        test_predictions=explained.test_predictions,
        cross_validation=cross_validation,
    )
    if artifact_dir is not None:
        result = _save(model, result, artifact_dir, reporter)
    return result


def _evaluate(
    model: TabularModel, resolved: ResolvedTraining, data: TrainingData
) -> dict[str, dict[str, float | None]]:
    """Each requested metric on each split that has rows."""
    return {
        name: compute_metrics(resolved.metrics, predictions(model, data, part))
        for name, part in data.named_parts().items()
    }


def _test_confusion(model: TabularModel, data: TrainingData) -> ConfusionMatrix | None:
    if model.classes is None:
        return None
    test_rows = data.rows.iloc[data.parts.test]
    return confusion_matrix(data.target[data.parts.test], model.predict(test_rows), model.classes)


def _said(scores: ValidationScores, metrics: list[str]) -> str:
    parts = []
    for name in metrics:
        fold = scores.metrics.get(name)
        if fold is not None and fold.mean is not None:
            spread = f" ± {format_metric(name, fold.std)}" if fold.std is not None else ""
            parts.append(f"{name} {format_metric(name, fold.mean)}{spread}")
    return f"{', '.join(parts) or 'no metric computable'} over {scores.folds} folds"


def _summary(
    resolved: ResolvedTraining, frame: pd.DataFrame, data: TrainingData, model: TabularModel
) -> DataSummary:
    return DataSummary(
        total_samples=len(data.rows),
        train_samples=len(data.parts.train),
        validation_samples=len(data.parts.validation),
        test_samples=len(data.parts.test),
        n_features=len(resolved.feature_columns),
        encoded_features=len(model.encoded_origins()),
        rows_without_target=int(frame[resolved.target_column].isna().sum()),
        dropped_columns=resolved.dropped_columns,
    )


def _save(
    model: TabularModel, result: TrainingResult, directory: Path, reporter: Reporter
) -> TrainingResult:
    """Write the model files and metrics.json; the result with their names."""
    model_files = model.save(directory)
    for path in model_files:
        reporter.artifact("model", path.name)
    result = result.model_copy(
        update={"model_files": [path.name for path in model_files] + [METRICS_FILE]}
    )
    (directory / METRICS_FILE).write_text(json.dumps(result.model_dump(mode="json"), indent=2))
    reporter.artifact("metrics", METRICS_FILE)
    return result
