"""Training one model: split, preprocess, fit with progress, evaluate, save."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel
from sklearn.preprocessing import LabelEncoder

from ml_backend.algorithms import get_algorithm
from ml_backend.algorithms.base import AlgorithmSpec, EvalPart
from ml_backend.configs import SplitStrategy, TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.explanations import (
    Explanations,
    PermutationImportance,
    PredictedValue,
    ShapImportance,
    explain,
)
from ml_backend.jobs.train.resolve import DroppedColumn, ResolvedTraining
from ml_backend.metrics import ConfusionMatrix, Predictions, compute_metrics, confusion_matrix
from ml_backend.model import TabularModel
from ml_backend.preprocessing import build_preprocessor
from ml_backend.reporting import Reporter
from ml_backend.splitting import SplitIndices, split_rows

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


@dataclass(frozen=True)
class _Data:
    """The usable rows and their split, with the target as given and as the estimator sees it."""

    rows: pd.DataFrame
    target: NDArray[Any]
    encoded: NDArray[Any]
    parts: SplitIndices

    def named_parts(self) -> dict[str, NDArray[np.intp]]:
        """The parts that have rows, by split name."""
        parts = self.parts
        named = {"train": parts.train, "validation": parts.validation, "test": parts.test}
        return {name: part for name, part in named.items() if len(part)}


def train(
    resolved: ResolvedTraining,
    frame: pd.DataFrame,
    *,
    reporter: Reporter,
    artifact_dir: Path | None = None,
    explanations: bool = True,
) -> TrainingResult:
    """Train `resolved` on `frame`, reporting progress; save the model if `artifact_dir`.

    `explanations=False` skips permutation importance, SHAP and prediction pairs (tuning trials).
    """
    spec = get_algorithm(resolved.algorithm)
    rows = _usable_rows(resolved, frame, reporter)
    encoder = _label_encoder(resolved, rows)
    data = _split(resolved, rows, encoder)
    model, seconds = _fit(spec, resolved, data, encoder, reporter)
    test = data.parts.test
    explained = (
        explain(
            model,
            data.rows.iloc[test],
            data.target[test],
            metrics=resolved.metrics,
            random_state=resolved.split.random_state,
            reporter=reporter,
        )
        if explanations
        else Explanations()
    )
    result = TrainingResult(
        task_type=resolved.task_type,
        algorithm=spec.name,
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
    )
    if artifact_dir is not None:
        result = _save(model, result, artifact_dir, reporter)
    return result


def _usable_rows(
    resolved: ResolvedTraining, frame: pd.DataFrame, reporter: Reporter
) -> pd.DataFrame:
    """The rows with a target (and a time, for a time split), renumbered from 0."""
    needed = [resolved.target_column, *resolved.feature_columns]
    if resolved.time_column is not None:
        needed.append(resolved.time_column)
    missing = [column for column in dict.fromkeys(needed) if column not in frame.columns]
    if missing:
        raise ConfigValidationError(
            f"the dataset has no column(s) {', '.join(missing)}; its profile is out of date",
            field="feature_columns",
        )
    for dropped in resolved.dropped_columns:
        reporter.log(f"column '{dropped.column}' left out: {dropped.reason}")
    with_target = frame[resolved.target_column].notna()
    _log_dropped_rows(
        reporter, int((~with_target).sum()), f"no value in target '{resolved.target_column}'"
    )
    keep = usable_mask(resolved, frame)
    if resolved.time_column is not None:
        _log_dropped_rows(
            reporter, int((with_target & ~keep).sum()), f"no '{resolved.time_column}'"
        )
    return frame.loc[keep].reset_index(drop=True)


def usable_mask(resolved: ResolvedTraining, frame: pd.DataFrame) -> pd.Series[bool]:
    """Which rows training uses: those with a target, and with a time for a time split."""
    keep = frame[resolved.target_column].notna()
    if resolved.split.strategy is SplitStrategy.TIME and resolved.time_column is not None:
        keep &= frame[resolved.time_column].notna()
    return keep


def split_usable_rows(resolved: ResolvedTraining, rows: pd.DataFrame) -> SplitIndices:
    """The parts of the usable `rows` (renumbered from 0), as training splits them."""
    time_values = rows[resolved.time_column] if resolved.time_column is not None else None
    return split_rows(rows[resolved.target_column], resolved.split, time_values=time_values)


def _log_dropped_rows(reporter: Reporter, count: int, reason: str) -> None:
    if count:
        reporter.log(f"{count} row(s) dropped: {reason}")


def _label_encoder(resolved: ResolvedTraining, rows: pd.DataFrame) -> LabelEncoder | None:
    """Class labels as 0..k-1 (what boosters need); None for regression."""
    if resolved.task_type is not TaskType.CLASSIFICATION:
        return None
    encoder = LabelEncoder().fit(rows[resolved.target_column].to_numpy())
    if len(encoder.classes_) < 2:
        raise ConfigValidationError(
            f"target '{resolved.target_column}' has only one class in the rows with a value; "
            "a classifier needs at least two",
            field="target_column",
        )
    return encoder


def _split(resolved: ResolvedTraining, rows: pd.DataFrame, encoder: LabelEncoder | None) -> _Data:
    parts = split_usable_rows(resolved, rows)
    target = rows[resolved.target_column].to_numpy()
    if encoder is None:
        return _Data(rows, target.astype(np.float64), target.astype(np.float64), parts)
    absent = set(encoder.classes_.tolist()) - set(target[parts.train].tolist())
    if absent:
        raise ConfigValidationError(
            f"class(es) {sorted(absent)!r} have no rows in the training part; use the "
            "'stratified' split strategy or leave out rows of such rare classes",
            field="split",
        )
    return _Data(rows, target, np.asarray(encoder.transform(target)), parts)


def _fit(
    spec: AlgorithmSpec[Any],
    resolved: ResolvedTraining,
    data: _Data,
    encoder: LabelEncoder | None,
    reporter: Reporter,
) -> tuple[TabularModel, float]:
    """Fit preprocessing and estimator on the training part; the seconds the estimator took."""
    features = data.rows[resolved.feature_columns]
    train, validation = data.parts.train, data.parts.validation
    preprocessor = build_preprocessor(resolved.feature_kinds, scale=spec.needs_scaling)
    x_train = np.asarray(preprocessor.fit_transform(features.iloc[train]), dtype=np.float64)
    eval_part: EvalPart | None = None
    if data.parts.has_validation:
        x_validation = np.asarray(preprocessor.transform(features.iloc[validation]), np.float64)
        eval_part = (x_validation, data.encoded[validation])
    n_classes = None if encoder is None else len(encoder.classes_)
    params = spec.hyperparameters.model_validate(resolved.hyperparameters)
    estimator = spec.build(
        resolved.task_type, params, n_classes=n_classes, random_state=resolved.split.random_state
    )

    def progress(step: int, total: int, metrics: dict[str, float]) -> None:
        reporter.progress(step, total, metrics=metrics or None, unit=spec.progress_unit)

    reporter.log(
        f"training {spec.name} on {len(train)} rows and {x_train.shape[1]} encoded features"
    )
    started = time.perf_counter()
    spec.fit(estimator, x_train, data.encoded[train], validation=eval_part, progress=progress)
    seconds = time.perf_counter() - started
    model = TabularModel(
        algorithm=spec.name,
        task_type=resolved.task_type,
        feature_columns=list(resolved.feature_columns),
        preprocessor=preprocessor,
        estimator=estimator,
        label_encoder=encoder,
    )
    return model, seconds


def _predictions(model: TabularModel, data: _Data, part: NDArray[np.intp]) -> Predictions:
    rows = data.rows.iloc[part]
    classes = model.classes
    return Predictions(
        y_true=data.target[part],
        y_pred=model.predict(rows),
        probabilities=model.predict_proba(rows) if classes is not None else None,
        labels=classes or [],
    )


def _evaluate(
    model: TabularModel, resolved: ResolvedTraining, data: _Data
) -> dict[str, dict[str, float | None]]:
    """Each requested metric on each split that has rows."""
    return {
        name: compute_metrics(resolved.metrics, _predictions(model, data, part))
        for name, part in data.named_parts().items()
    }


def _test_confusion(model: TabularModel, data: _Data) -> ConfusionMatrix | None:
    if model.classes is None:
        return None
    test_rows = data.rows.iloc[data.parts.test]
    return confusion_matrix(data.target[data.parts.test], model.predict(test_rows), model.classes)


def _summary(
    resolved: ResolvedTraining, frame: pd.DataFrame, data: _Data, model: TabularModel
) -> DataSummary:
    return DataSummary(
        total_samples=len(data.rows),
        train_samples=len(data.parts.train),
        validation_samples=len(data.parts.validation),
        test_samples=len(data.parts.test),
        n_features=len(resolved.feature_columns),
        encoded_features=len(model.preprocessor.get_feature_names_out()),
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
