"""Checking a TrainingConfig against a dataset's profile, before any job is queued.

Task inference, when the config gives no task_type:
- a target the profile calls boolean, categorical or text, or of a non-numeric type, is a
  classification target;
- an integer target with at most 20 distinct values, and either at most 10 of them or fewer
  distinct values than 5% of the rows, is a classification target (labels coded as numbers);
- a float target with exactly two distinct values (a 0/1 flag stored as float) likewise;
- any other numeric target is a regression target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ml_backend.algorithms import get_algorithm
from ml_backend.configs import DatasetRef, SplitConfig, SplitStrategy, TaskType, TrainingConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.hyperparameters import validate_hyperparameters
from ml_backend.metrics import resolve_metrics
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile
from ml_backend.splitting import check_folds, check_stratifiable
from ml_backend.suggestions import did_you_mean, name_list

MAX_CODED_CLASSES = 20
MAX_CLASSES = 100
MIN_TRAINING_ROWS = 10

_INTEGER_PREFIXES = ("int", "uint")
_NUMERIC_PREFIXES = (*_INTEGER_PREFIXES, "float", "double", "halffloat", "decimal")


class DroppedColumn(BaseModel):
    """A column left out of the features, and why."""

    column: str
    reason: str


class EnsembleMember(BaseModel):
    """One model of an ensemble: an algorithm with its settings, and its share of the average."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: str
    hyperparameters: dict[str, Any]
    weight: float = Field(gt=0.0, le=1.0)


class ResolvedTraining(BaseModel):
    """A TrainingConfig checked against its dataset, with every default made explicit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None
    algorithm: str
    task_type: TaskType
    dataset: DatasetRef
    target_column: str
    feature_columns: list[str]
    feature_kinds: dict[str, ColumnKind]
    """How each feature is encoded: identifiers become numeric or categorical."""
    split: SplitConfig
    hyperparameters: dict[str, Any]
    metrics: list[str]
    time_column: str | None
    dropped_columns: list[DroppedColumn]
    ensemble: list[EnsembleMember] | None = None
    """Models whose predictions are averaged, with their weights (an AutoML's choice); then
    `algorithm` and `hyperparameters` are its heaviest member's. None: one model."""

    def member(self, member: EnsembleMember) -> ResolvedTraining:
        """The training of one member of the ensemble alone."""
        return self.model_copy(
            update={
                "algorithm": member.algorithm,
                "hyperparameters": member.hyperparameters,
                "ensemble": None,
            }
        )


def resolve_training(config: TrainingConfig, profile: DatasetProfile) -> ResolvedTraining:
    """`config` checked against `profile`; ConfigValidationError says what to fix."""
    spec = get_algorithm(config.algorithm)
    if config.series is not None:
        raise ConfigValidationError(
            f"series picks the series of a forecast; {spec.name} learns from rows, so leave "
            "series out (or filter the rows into a dataset of their own)",
            field="series",
        )
    target = _column(profile, config.target_column, "target_column")
    task = _resolve_task(config.task_type, target, profile.row_count)
    reason = spec.applicable(profile, task)
    if reason is not None:
        raise ConfigValidationError(
            f"algorithm '{spec.name}' cannot be used here: {reason}", field="algorithm"
        )
    features, dropped = _resolve_features(config, profile)
    time_column = _resolve_time_column(config, profile)
    _check_split(config.split, task, target, profile.row_count)
    return ResolvedTraining(
        name=config.name,
        algorithm=spec.name,
        task_type=task,
        dataset=config.dataset,
        target_column=target.name,
        feature_columns=[column.name for column in features],
        feature_kinds={column.name: encoding_kind(column) for column in features},
        split=config.split,
        hyperparameters=validate_hyperparameters(spec, config.hyperparameters),
        metrics=resolve_metrics(config.metrics, task),
        time_column=time_column,
        dropped_columns=dropped,
    )


def is_numeric_dtype(dtype: str) -> bool:
    """Whether an Arrow (or numpy) type name is a number type."""
    return dtype.lower().startswith(_NUMERIC_PREFIXES)


def infer_task(target: ColumnProfile, row_count: int) -> TaskType:
    """Classification or regression for `target`, by the rule in this module's docstring."""
    if target.kind in {ColumnKind.BOOLEAN, ColumnKind.CATEGORICAL, ColumnKind.TEXT}:
        return TaskType.CLASSIFICATION
    if not is_numeric_dtype(target.dtype):
        return TaskType.CLASSIFICATION
    if target.dtype.lower().startswith(_INTEGER_PREFIXES):
        few = target.distinct <= 10 or target.distinct < 0.05 * row_count
        if target.distinct <= MAX_CODED_CLASSES and few:
            return TaskType.CLASSIFICATION
    elif target.distinct == 2:
        return TaskType.CLASSIFICATION
    return TaskType.REGRESSION


def encoding_kind(column: ColumnProfile) -> ColumnKind:
    """How a feature column is encoded: identifiers named as features count as numbers or
    categories, by their type."""
    if column.kind is not ColumnKind.IDENTIFIER:
        return column.kind
    return ColumnKind.NUMERIC if is_numeric_dtype(column.dtype) else ColumnKind.CATEGORICAL


def _column(profile: DatasetProfile, name: str, field: str) -> ColumnProfile:
    column = profile.column(name)
    if column is None:
        names = profile.column_names
        raise ConfigValidationError(
            f"column '{name}' not found{did_you_mean(name, names)} Columns: {name_list(names)}",
            field=field,
        )
    return column


def _resolve_task(requested: TaskType | None, target: ColumnProfile, rows: int) -> TaskType:
    if target.missing >= rows or target.distinct == 0:
        raise ConfigValidationError(
            f"target '{target.name}' has no values; choose a column with values to predict",
            field="target_column",
        )
    task = requested or infer_task(target, rows)
    if task is TaskType.CLASSIFICATION:
        _check_classification_target(target)
    elif task is TaskType.REGRESSION:
        _check_regression_target(target)
    return task


def _check_classification_target(target: ColumnProfile) -> None:
    if target.distinct < 2:
        only = f" ({target.top_values[0][0]!r})" if target.top_values else ""
        raise ConfigValidationError(
            f"target '{target.name}' has only one class{only}; a classifier needs at least two. "
            "Choose another target column.",
            field="target_column",
        )
    continuous = is_numeric_dtype(target.dtype) and not target.dtype.lower().startswith(
        _INTEGER_PREFIXES
    )
    if continuous and target.distinct > MAX_CODED_CLASSES:
        raise ConfigValidationError(
            f"target '{target.name}' is a continuous number with {target.distinct} distinct "
            "values, not a set of classes; use task_type 'regression'.",
            field="task_type",
        )
    if target.distinct > MAX_CLASSES:
        numeric = is_numeric_dtype(target.dtype)
        hint = "use task_type 'regression'" if numeric else "choose a coarser target"

        raise ConfigValidationError(
            f"target '{target.name}' has {target.distinct} distinct values: too many classes "
            f"(at most {MAX_CLASSES}); {hint}.",
            field="target_column",
        )


def _check_regression_target(target: ColumnProfile) -> None:
    if target.kind is ColumnKind.BOOLEAN or not is_numeric_dtype(target.dtype):
        raise ConfigValidationError(
            f"regression needs a numeric target, but '{target.name}' holds "
            f"{target.kind.value} values ({target.dtype}); use task_type 'classification'.",
            field="task_type",
        )
    if target.distinct < 2:
        raise ConfigValidationError(
            f"target '{target.name}' has only one value; there is nothing to predict. "
            "Choose another target column.",
            field="target_column",
        )


def _resolve_features(
    config: TrainingConfig, profile: DatasetProfile
) -> tuple[list[ColumnProfile], list[DroppedColumn]]:
    named = config.feature_columns is not None
    if named:
        candidates = _named_features(config.feature_columns or [], config.target_column, profile)
    else:
        candidates = [c for c in profile.columns if c.name != config.target_column]
    kept: list[ColumnProfile] = []
    dropped: list[DroppedColumn] = []
    for column in candidates:
        reason = _reason_to_drop(column, profile.row_count, named=named)
        if reason is None:
            kept.append(column)
        else:
            dropped.append(DroppedColumn(column=column.name, reason=reason))
    if not kept:
        why = "; ".join(f"{d.column}: {d.reason}" for d in dropped) or "no other columns"
        raise ConfigValidationError(
            f"no feature columns left to learn from ({why}). Name usable columns in "
            "feature_columns.",
            field="feature_columns",
        )
    return kept, dropped


def _named_features(
    names: Sequence[str], target: str, profile: DatasetProfile
) -> list[ColumnProfile]:
    if target in names:
        raise ConfigValidationError(
            f"target '{target}' is also among feature_columns; a model cannot learn a column "
            "from itself. Remove it from feature_columns.",
            field="feature_columns",
        )
    unique = list(dict.fromkeys(names))
    return [_column(profile, name, "feature_columns") for name in unique]


def _reason_to_drop(column: ColumnProfile, row_count: int, *, named: bool) -> str | None:
    if column.missing >= row_count:
        return "all values missing"
    if column.distinct <= 1:
        return "only one value: it carries no information"
    if column.kind is ColumnKind.TEXT:
        return "free text, which these algorithms cannot use"
    if column.kind is ColumnKind.IDENTIFIER and not named:
        return (
            "an identifier (a different value on almost every row); name it in "
            "feature_columns to use it anyway"
        )
    return None


def _resolve_time_column(config: TrainingConfig, profile: DatasetProfile) -> str | None:
    needs_time = config.split.strategy is SplitStrategy.TIME
    if config.time_column is None:
        if needs_time:
            candidates = [c.name for c in profile.columns if c.kind is ColumnKind.DATETIME]
            hint = f" (date/time columns: {name_list(candidates)})" if candidates else ""
            raise ConfigValidationError(
                "a time split needs time_column: the date/time or ordered numeric column to "
                f"order rows by{hint}.",
                field="time_column",
            )
        return None
    column = _column(profile, config.time_column, "time_column")
    if column.name == config.target_column:
        raise ConfigValidationError("time_column cannot be the target column", field="time_column")
    orderable = column.kind is ColumnKind.DATETIME or is_numeric_dtype(column.dtype)
    if needs_time and not orderable:
        raise ConfigValidationError(
            f"time_column '{column.name}' holds {column.kind.value} values ({column.dtype}); "
            "a time split needs a date/time or numeric column to order rows by.",
            field="time_column",
        )
    return column.name


def _check_split(split: SplitConfig, task: TaskType, target: ColumnProfile, row_count: int) -> None:
    usable = row_count - target.missing
    if usable < MIN_TRAINING_ROWS:
        raise ConfigValidationError(
            f"only {usable} rows have a value in '{target.name}'; training needs at least "
            f"{MIN_TRAINING_ROWS}.",
            field="target_column",
        )
    classes = None
    if task is TaskType.CLASSIFICATION and target.top_values:
        classes = {value: count for value, count in target.top_values}
    check_folds(usable, classes, split)
    if split.strategy is not SplitStrategy.STRATIFIED:
        return
    if task is not TaskType.CLASSIFICATION:
        raise ConfigValidationError(
            "a stratified split keeps class shares equal in each part, so it needs a "
            "classification target; use the 'random' strategy for regression.",
            field="split",
        )
    # The profile knows only the most frequent values: rarer classes are checked in training.
    if target.top_values:
        check_stratifiable({value: count for value, count in target.top_values}, split)
