"""Retraining a run with nothing but the ML libraries: the code an exported notebook runs.

Each `# %%` section below becomes one code cell of the notebook (ml_backend/notebook.py builds
it); nothing here imports mlchat, so the notebook runs wherever pandas, pyarrow, scikit-learn
and the run's boosting library are installed. The sections mirror ml_backend's reading
(datasets/loading.py), split (splitting.py), preprocessing (preprocessing.py), estimators
(algorithms/) and metrics (metrics.py); tests/ml_backend/test_notebook.py holds the result to
the metrics mlchat stored, so a change there that this copy misses fails that test.
"""

# Each section's imports open its own notebook cell, so imports sit below code here.
# ruff: noqa: E402

# %% imports
import json
import math
import os
import sys
import urllib.request
from io import BytesIO
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn import metrics as skm
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, LabelEncoder, OneHotEncoder, StandardScaler

# %% read


def read_dataset(location: str, columns: list[str]) -> pd.DataFrame:
    """The Parquet file's `columns` (a path, or an http(s) URL) as pandas, converted as mlchat
    converts it for training: text as str objects with NaN for gaps, decimals and empty
    columns as float64, booleans with gaps as 0/1/NaN floats, dates as datetime64."""
    if location.startswith(("http://", "https://")):
        request = urllib.request.Request(location)
        key = os.environ.get("MLCHAT_API_KEY")
        if key:
            request.add_header("Authorization", f"Bearer {key}")
        with urllib.request.urlopen(request) as response:
            source: Any = BytesIO(response.read())
    else:
        source = location
    table = pq.read_table(source, columns=columns)
    arrays = []
    for column in table.columns:
        kind = column.type
        gaps_in_booleans = pa.types.is_boolean(kind) and column.null_count > 0
        if pa.types.is_null(kind) or pa.types.is_decimal(kind) or gaps_in_booleans:
            column = column.cast(pa.float64())
        arrays.append(column)
    table = pa.Table.from_arrays(arrays, names=table.column_names)
    frame: pd.DataFrame = table.to_pandas(date_as_object=False)
    for name, field in zip(table.column_names, table.schema, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            frame[name] = frame[name].astype(object)
    return frame


# %% split


def usable_rows(frame: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """The rows with a target (and a time, for a time split), numbered from 0."""
    keep = frame[config["target_column"]].notna()
    if config["split"]["strategy"] == "time" and config["time_column"] is not None:
        keep &= frame[config["time_column"]].notna()
    rows: pd.DataFrame = frame.loc[keep].reset_index(drop=True)
    return rows


def as_datetimes(column: pd.Series) -> pd.Series:
    """Dates stored as text or as Python dates, parsed; unreadable ones become missing."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    return pd.to_datetime(column.astype("string"), errors="coerce", format="ISO8601")


def split_positions(
    rows: pd.DataFrame, config: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row positions of the train, validation and test parts, as the run split them."""
    split = config["split"]
    if split["strategy"] == "time":
        times = rows[config["time_column"]]
        sortable = (
            times.to_numpy()
            if pd.api.types.is_numeric_dtype(times) or pd.api.types.is_datetime64_any_dtype(times)
            else as_datetimes(times).to_numpy()
        )
        order = np.argsort(sortable, kind="stable").astype(np.intp)
        n_test = math.ceil(len(order) * split["test_size"])
        n_validation = math.ceil(len(order) * split["validation_size"])
        n_train = len(order) - n_test - n_validation
        return (
            order[:n_train],
            order[n_train : n_train + n_validation],
            order[n_train + n_validation :],
        )
    labels = rows[config["target_column"]].to_numpy()
    stratified = split["strategy"] == "stratified"
    positions = np.arange(len(rows), dtype=np.intp)
    rest, test = train_test_split(
        positions,
        test_size=split["test_size"],
        random_state=split["random_state"],
        stratify=labels if stratified else None,
    )
    if split["validation_size"] == 0:
        return rest, positions[:0], test
    train, validation = train_test_split(
        rest,
        test_size=split["validation_size"] / (1.0 - split["test_size"]),
        random_state=split["random_state"],
        stratify=labels[rest] if stratified else None,
    )
    return train, validation, test


def encode_target(
    target: np.ndarray, task: str
) -> tuple[np.ndarray, np.ndarray, LabelEncoder | None, list[Any]]:
    """The target as given and as the estimator learns it (classes as 0..k-1), the
    encoder and the sorted class labels; a regression target as float64."""
    if task != "classification":
        numbers = target.astype(np.float64)
        return numbers, numbers, None, []
    encoder = LabelEncoder().fit(target)
    labels = [
        label.item() if isinstance(label, np.generic) else label for label in encoder.classes_
    ]
    return target, np.asarray(encoder.transform(target)), encoder, labels


# %% preprocessing

MAX_CATEGORIES = 30  # rarer categories share one "infrequent" column
DATETIME_PARTS = ("year", "month", "day", "day_of_week")


def as_floats(frame: pd.DataFrame) -> np.ndarray:
    """Numbers as float64 with NaN for gaps; durations in seconds."""
    columns = [
        frame[name].dt.total_seconds()
        if pd.api.types.is_timedelta64_dtype(frame[name])
        else frame[name].astype("Float64")
        for name in frame.columns
    ]
    return np.column_stack([c.to_numpy(dtype=np.float64, na_value=np.nan) for c in columns])


def _text_or_nan(value: Any) -> Any:
    return value if isinstance(value, float) and np.isnan(value) else str(value)


def as_category_strings(frame: pd.DataFrame) -> np.ndarray:
    """Values as strings, gaps as NaN: one comparable type per column."""
    values = frame.astype(object)
    return np.asarray(values.where(frame.notna(), np.nan).map(_text_or_nan), dtype=object)


class DatetimeParts(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Each date/time column as year, month, day and day of week (NaN where missing)."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> "DatetimeParts":
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.n_features_in_ = len(X.columns)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        parts = []
        for name in X.columns:
            stamps = as_datetimes(X[name])
            for part in DATETIME_PARTS:
                parts.append(getattr(stamps.dt, part).astype("float64").to_numpy())
        return np.column_stack(parts) if parts else np.empty((len(X), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(
            [f"{name}_{part}" for name in self.feature_names_in_ for part in DATETIME_PARTS],
            dtype=object,
        )


def build_preprocessor(feature_kinds: dict[str, str], *, scale: bool) -> ColumnTransformer:
    """One step per feature column, by its kind: numbers imputed with the median (and
    standardised when `scale`), categories imputed with the most frequent value and one-hot
    encoded, dates split into parts."""

    def impute_and_scale() -> list[tuple[str, Any]]:
        steps: list[tuple[str, Any]] = [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True))
        ]
        return [*steps, ("scale", StandardScaler())] if scale else steps

    steps = []
    for index, (column, kind) in enumerate(feature_kinds.items()):
        if kind in ("categorical", "boolean"):
            as_text = FunctionTransformer(as_category_strings, feature_names_out="one-to-one")
            step = Pipeline(
                [
                    ("as_text", as_text),
                    ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
                    (
                        "encode",
                        OneHotEncoder(
                            handle_unknown="infrequent_if_exist",
                            max_categories=MAX_CATEGORIES,
                            sparse_output=False,
                        ),
                    ),
                ]
            )
        elif kind == "datetime":
            step = Pipeline([("parts", DatetimeParts()), *impute_and_scale()])
        else:
            as_numbers = FunctionTransformer(as_floats, feature_names_out="one-to-one")
            step = Pipeline([("as_floats", as_numbers), *impute_and_scale()])
        steps.append((f"column{index}", step, [column]))
    return ColumnTransformer(steps, remainder="drop", sparse_threshold=0.0)


# %% threads


def threads(n_jobs: int | None) -> int:
    """The run's thread count, or this machine's cores (at most 8) when it named none."""
    return max(1, n_jobs if n_jobs is not None else min(os.cpu_count() or 1, 8))


# %% xgboost
from xgboost import XGBClassifier, XGBRegressor


def build_xgboost(task: str, params: dict[str, Any], random_state: int) -> Any:
    model_class = XGBClassifier if task == "classification" else XGBRegressor
    return model_class(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        learning_rate=params["learning_rate"],
        subsample=params["subsample"],
        colsample_bytree=params["colsample_bytree"],
        min_child_weight=params["min_child_weight"],
        reg_lambda=params["reg_lambda"],
        reg_alpha=params["reg_alpha"],
        early_stopping_rounds=params["early_stopping_rounds"],
        tree_method="hist",
        n_jobs=threads(params["n_jobs"]),
        random_state=random_state,
    )


def fit_xgboost(
    estimator: Any, params: dict[str, Any], x_train: Any, y_train: Any, validation: Any
) -> Any:
    """Scored each round on the validation part (else train); it stops early only on
    a validation part."""
    eval_set = validation if validation is not None else (x_train, y_train)
    stopping = estimator.early_stopping_rounds if validation is not None else None
    estimator.set_params(early_stopping_rounds=stopping)
    return estimator.fit(x_train, y_train, eval_set=[eval_set], verbose=False)


# %% lightgbm
from lightgbm import LGBMClassifier, LGBMRegressor


def build_lightgbm(task: str, params: dict[str, Any], random_state: int) -> Any:
    model_class = LGBMClassifier if task == "classification" else LGBMRegressor
    stopping = params["early_stopping_rounds"]
    return model_class(
        n_estimators=params["n_estimators"],
        num_leaves=params["num_leaves"],
        max_depth=params["max_depth"],
        learning_rate=params["learning_rate"],
        subsample=params["subsample"],
        subsample_freq=1 if params["subsample"] < 1.0 else 0,  # rows are sampled only then
        colsample_bytree=params["colsample_bytree"],
        min_child_samples=params["min_child_samples"],
        reg_lambda=params["reg_lambda"],
        reg_alpha=params["reg_alpha"],
        importance_type="gain",
        n_jobs=threads(params["n_jobs"]),
        random_state=random_state,
        verbose=-1,
        **({} if stopping is None else {"early_stopping_round": stopping}),
    )


def fit_lightgbm(
    estimator: Any, params: dict[str, Any], x_train: Any, y_train: Any, validation: Any
) -> Any:
    """Scored each round on the validation part (else train); it stops early only on
    a validation part."""
    part, (eval_x, eval_y) = (
        ("validation", validation) if validation is not None else ("train", (x_train, y_train))
    )
    if validation is None:
        estimator.set_params(early_stopping_round=None)
    return estimator.fit(x_train, y_train, eval_X=(eval_x,), eval_y=(eval_y,), eval_names=[part])


# %% random_forest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor


def build_random_forest(task: str, params: dict[str, Any], random_state: int) -> Any:
    model_class = RandomForestClassifier if task == "classification" else RandomForestRegressor
    return model_class(
        n_estimators=0,
        max_depth=params["max_depth"],
        min_samples_split=params["min_samples_split"],
        min_samples_leaf=params["min_samples_leaf"],
        max_features=params["max_features"],
        n_jobs=threads(params["n_jobs"]),
        random_state=random_state,
        warm_start=True,
    )


def fit_random_forest(
    estimator: Any, params: dict[str, Any], x_train: Any, y_train: Any, validation: Any
) -> Any:
    """Grown as mlchat grows it, about 20 equal chunks of trees (the same trees as at once)."""
    wanted = params["n_estimators"]
    size = math.ceil(wanted / 20)
    full, rest = divmod(wanted, size)
    for chunk in [size] * full + ([rest] if rest else []):
        estimator.set_params(n_estimators=estimator.n_estimators + chunk)
        estimator.fit(x_train, y_train)
    return estimator


# %% linear
from sklearn.linear_model import LogisticRegression, Ridge


def build_linear(task: str, params: dict[str, Any], random_state: int) -> Any:
    if task == "regression":
        return Ridge(alpha=params["alpha"])
    strength = np.inf if params["penalty"] == "none" else params["C"]  # inf: no penalty
    return LogisticRegression(C=strength, max_iter=params["max_iter"], random_state=random_state)


def fit_linear(
    estimator: Any, params: dict[str, Any], x_train: Any, y_train: Any, validation: Any
) -> Any:
    return estimator.fit(x_train, y_train)


# %% metrics


def _averaging(labels: list[Any]) -> dict[str, Any]:
    if len(labels) == 2:  # the positive class is the second of the sorted labels
        return {"average": "binary", "pos_label": labels[1], "zero_division": 0.0}
    return {"average": "macro", "zero_division": 0.0}


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _auc_roc(y_true: Any, probabilities: Any, labels: list[Any]) -> float | None:
    if probabilities is None or len(set(y_true.tolist())) < len(labels):
        return None  # a class absent from the part: no ranking to judge
    if len(labels) == 2:
        return _finite(skm.roc_auc_score(y_true == labels[1], probabilities[:, 1]))
    return _finite(
        skm.roc_auc_score(y_true, probabilities, multi_class="ovr", average="macro", labels=labels)
    )


def metric(
    name: str, y_true: Any, y_pred: Any, probabilities: Any, labels: list[Any]
) -> float | None:
    """One of mlchat's metrics, by its conventions; None where it has no value."""
    if name == "accuracy":
        return _finite(skm.accuracy_score(y_true, y_pred))
    if name in ("precision", "recall", "f1"):
        score = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
        return _finite(score[name](y_true, y_pred, **_averaging(labels)))
    if name == "auc_roc":
        return _auc_roc(y_true, probabilities, labels)
    if name == "log_loss":
        if probabilities is None:
            return None
        return _finite(skm.log_loss(y_true, probabilities, labels=labels))
    if name == "rmse":
        return _finite(skm.root_mean_squared_error(y_true, y_pred))
    if name == "mae":
        return _finite(skm.mean_absolute_error(y_true, y_pred))
    if name == "r2":
        return _finite(skm.r2_score(y_true, y_pred)) if len(y_true) >= 2 else None
    if name == "mape":
        if np.any(np.asarray(y_true, dtype=np.float64) == 0.0):
            return None  # a percentage of zero has no meaning
        return _finite(skm.mean_absolute_percentage_error(y_true, y_pred))
    raise ValueError(f"unknown metric {name!r}")


def show_json(value: Any) -> None:
    """`value` printed as indented JSON (None as null)."""
    print(json.dumps(value, indent=2))


# %% compare


def agrees(expected: float | None, reproduced: float | None, tolerance: float) -> bool:
    """Both missing, or both numbers within `tolerance`."""
    if expected is None or reproduced is None:
        return expected is None and reproduced is None
    return abs(expected - reproduced) <= tolerance


def compare(
    expected: dict[str, float | None], reproduced: dict[str, float | None], tolerance: float
) -> pd.DataFrame:
    """Stored and reproduced test metrics side by side, each marked ok or DIFFERS."""
    return pd.DataFrame(
        [
            {
                "metric": name,
                "stored": value,
                "reproduced": reproduced.get(name),
                "result": "ok" if agrees(value, reproduced.get(name), tolerance) else "DIFFERS",
            }
            for name, value in expected.items()
        ]
    ).set_index("metric")


def version_notes(trained_with: dict[str, str]) -> list[str]:
    """The libraries whose version here differs from the run's: they may explain a difference."""
    notes = []
    for module_name, version in trained_with.items():
        here = getattr(sys.modules.get(module_name), "__version__", version)
        if here != version:
            notes.append(f"note: {module_name} {here} here, {version} in the run")
    return notes
