"""mlchat's model search against FLAML and a default XGBoost, AMLB-style, at equal budget.

Ten datasets (scikit-learn's bundled ones, mlchat's penguins sample, and seeded generators:
25,000 imbalanced rows, Friedman #1, two tables of many categorical columns, some of high
cardinality and with missing values) are each split once with mlchat's own splitter
(`split_rows`: stratified for classification, random for regression, 20% test, the seed).
Every contender trains on the other 80% and predicts the same test rows:

- **xgboost**: `XGBClassifier()` / `XGBRegressor()` with the library's defaults; string
  columns as pandas categories with `enable_categorical=True` (XGBoost's own categorical
  splits, no one-hot), missing values left to XGBoost.
- **flaml**: `flaml.AutoML().fit(..., time_budget=budget_s, metric=<the AMLB loss>)` on the
  same frame (categories as for XGBoost).
- **mlchat**: `fit_predict_mlchat`, see there: its AutoML job with the same budget
  (`--mlchat leaderboard` for its leaderboard, which has no budget).

Every library gets the same thread count (`--n-jobs`; mlchat's through `limit_threads`, as a
worker sets it for a job).

Measures (Gijsbers et al., "AMLB: an AutoML Benchmark", JMLR 2024): the loss is 1 - AUC for a
binary target, log loss for a multiclass one, RMSE for regression; a contender's relative loss
reduction (RLR) against the default XGBoost is `(loss_xgb - loss) / loss_xgb` (above 0: better
than XGBoost); mlchat against FLAML is a win, a tie or a loss per dataset, a tie when the two
losses differ by at most `TIE_RELATIVE` of the larger (or `TIE_ABSOLUTE`, for losses near 0).

    python -m bench.automl                       # 10 datasets, 60 s each for FLAML
    python -m bench.automl --budget 30 --only cat_churn,friedman1 --json /tmp/automl.json
    python -m bench.automl --quick               # small tables and budgets: a smoke test
    python -m bench.automl --readme bench/README.md   # also writes the table there

A full run takes the datasets x (twice the budget + a few seconds): 11 minutes at 30 s, so it
is not part of `bench.run_all`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import importlib.util
import json
import math
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray
from sklearn import datasets as sk_datasets
from sklearn.metrics import log_loss, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml_backend.algorithms.base import limit_threads
from ml_backend.configs import (
    DatasetByName,
    LeaderboardConfig,
    SplitConfig,
    SplitStrategy,
    TaskType,
)
from ml_backend.datasets import SAMPLE_DATASETS, frame_from_table, ingest_table, read_frame
from ml_backend.jobs.leaderboard.run import resolve_leaderboard, run_leaderboard
from ml_backend.model import TabularModel
from ml_backend.reporting import NullReporter
from ml_backend.splitting import split_rows

Task = Literal["binary", "multiclass", "regression"]
Positions = NDArray[np.intp]

START = "<!-- automl:table:start -->"
END = "<!-- automl:table:end -->"
TIE_RELATIVE = 0.005
"""Losses within 0.5% of the larger one are a tie: closer than a reseeded split moves them."""
TIE_ABSOLUTE = 1e-4
"""...or within this, so that two near-perfect models (1 - AUC of 0.0004 and 0.00048) tie."""
LOSS_NAMES: dict[Task, str] = {"binary": "1-auc", "multiclass": "logloss", "regression": "rmse"}
FLAML_METRICS: dict[Task, str] = {
    "binary": "roc_auc",
    "multiclass": "log_loss",
    "regression": "rmse",
}
MLCHAT_GOALS: dict[Task, str] = {
    "binary": "auc_roc",
    "multiclass": "log_loss",
    "regression": "rmse",
}


# --- datasets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """A table, its target column and the kind of task; class labels are strings."""

    name: str
    frame: pd.DataFrame
    target: str
    task: Task
    source: str

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def features(self) -> int:
        return self.frame.shape[1] - 1

    @property
    def classification(self) -> bool:
        return self.task != "regression"


def _sample(name: str, target: str, task: Task, drop: Sequence[str] = ()) -> Dataset:
    """One of mlchat's samples, as mlchat reads it; rows without a target left out, so every
    contender sees the same rows."""
    frame = frame_from_table(SAMPLE_DATASETS[name].load()).drop(columns=list(drop))
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if task != "regression":
        frame[target] = frame[target].astype(str).astype(object)
    return Dataset(name, frame, target, task, f"mlchat sample `{name}`")


def _labelled(
    features: NDArray[Any], labels: NDArray[Any], prefix: str, target: str
) -> pd.DataFrame:
    frame = pd.DataFrame(features, columns=[f"{prefix}{i}" for i in range(features.shape[1])])
    frame[target] = labels
    return frame


def digits(quick: bool, seed: int) -> Dataset:
    images, labels = sk_datasets.load_digits(return_X_y=True)
    # The first columns are blank in every image: constants, as real data has.
    frame = _labelled(
        images, np.char.add("d", labels.astype(str)).astype(object), "pixel_", "digit"
    )
    return Dataset("digits", frame, "digit", "multiclass", "scikit-learn `load_digits`")


def imbalanced(quick: bool, seed: int) -> Dataset:
    n_rows = 3_000 if quick else 25_000
    x, y = sk_datasets.make_classification(
        n_samples=n_rows,
        n_features=20,
        n_informative=8,
        n_redundant=4,
        n_clusters_per_class=3,
        weights=[0.92],
        flip_y=0.02,
        class_sep=0.8,
        random_state=seed,
    )
    frame = _labelled(x, np.where(y == 1, "rare", "common").astype(object), "x_", "label")
    return Dataset("imbalanced", frame, "label", "binary", "`make_classification`, 8% positive")


def friedman1(quick: bool, seed: int) -> Dataset:
    n_rows = 2_000 if quick else 10_000
    x, y = sk_datasets.make_friedman1(n_samples=n_rows, n_features=10, noise=1.0, random_state=seed)
    return Dataset(
        "friedman1", _labelled(x, y, "x_", "y"), "y", "regression", "`make_friedman1`, noise 1"
    )


def _levels(
    rng: np.random.Generator,
    prefix: str,
    n_levels: int,
    n_rows: int,
    zipf: float = 0.0,
    missing: float = 0.0,
) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Level indices (-1 where missing) and their labels; `zipf` > 0 makes a long tail, as
    real high-cardinality columns (cities, products) have."""
    weights = 1.0 / np.arange(1, n_levels + 1) ** zipf
    codes = rng.choice(n_levels, size=n_rows, p=weights / weights.sum())
    codes = np.where(rng.random(n_rows) < missing, -1, codes)
    names = np.array([f"{prefix}{i:04d}" for i in range(n_levels)] + [None], dtype=object)
    return codes, names[codes]


def _effect(
    rng: np.random.Generator, codes: NDArray[np.intp], n_levels: int, scale: float
) -> NDArray[np.float64]:
    """Each level's own effect (a missing value, code -1, has one too: it is informative)."""
    return np.asarray(rng.normal(0.0, scale, n_levels + 1)[codes], np.float64)


def cat_churn(quick: bool, seed: int) -> Dataset:
    """Binary, 21,000 rows, 9 categorical columns (three of 150-1,500 levels) and 3 numeric;
    the signal is mostly in the categoricals and one interaction of two of them."""
    rng = np.random.default_rng(seed)
    n = 2_500 if quick else 21_000
    columns: dict[str, Any] = {}
    logit = np.zeros(n)
    spec = [  # name, levels, zipf, missing share, effect scale
        ("region", 8, 0.0, 0.0, 0.4), ("plan", 5, 0.5, 0.0, 0.6), ("channel", 4, 0.0, 0.08, 0.3),
        ("device", 6, 0.8, 0.05, 0.2), ("city", 300, 1.0, 0.10, 0.7),
        ("product", 1_500, 0.8, 0.0, 0.9), ("agent", 150, 0.3, 0.02, 0.5),
        ("weekday", 7, 0.0, 0.0, 0.0), ("referrer", 40, 1.2, 0.3, 0.0),
    ]  # fmt: skip
    codes = {}
    for name, levels, zipf, missing, scale in spec:
        codes[name], columns[name] = _levels(rng, f"{name[:3]}_", levels, n, zipf, missing)
        logit += _effect(rng, codes[name], levels, scale)
    # plan x channel: a deal only some channels offer
    logit += rng.normal(0.0, 0.8, (6, 5))[codes["plan"], codes["channel"]]
    tenure = rng.exponential(24.0, n)
    spend = rng.lognormal(3.0, 0.8, n)
    calls = rng.poisson(1.5, n)
    logit += -0.03 * tenure + 0.25 * calls
    columns["tenure_months"] = tenure
    columns["monthly_spend"] = np.where(rng.random(n) < 0.05, np.nan, spend)
    columns["support_calls"] = calls
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-(logit - 1.0)))
    columns["churned"] = np.where(churned, "yes", "no").astype(object)
    return Dataset(
        "cat_churn",
        pd.DataFrame(columns),
        "churned",
        "binary",
        "generated: 9 categorical columns (up to 1,500 levels, missing values)",
    )


def cat_claims(quick: bool, seed: int) -> Dataset:
    """Regression, 12,000 rows, 8 categorical columns (a 400-level model nested in a 40-level
    make, an 800-level postcode) and 3 numeric; a categorical-by-numeric interaction."""
    rng = np.random.default_rng(seed + 1)
    n = 2_500 if quick else 12_000
    columns: dict[str, Any] = {}
    make, columns["make"] = _levels(rng, "make_", 40, n, zipf=0.7)
    # each model belongs to one make: the model refines the make's effect
    model = make * 10 + rng.integers(0, 10, n)
    columns["model"] = np.array([f"mdl_{m:04d}" for m in model], dtype=object)
    claim = 800.0 + _effect(rng, make, 40, 150.0) + _effect(rng, model, 400, 120.0)
    spec = [  # name, levels, zipf, missing share, effect scale
        ("postcode", 800, 0.9, 0.06, 160.0), ("occupation", 25, 0.5, 0.04, 90.0),
        ("vehicle_use", 4, 0.0, 0.0, 0.0), ("coverage", 3, 0.0, 0.0, 250.0),
        ("color", 12, 0.4, 0.02, 0.0), ("region", 6, 0.0, 0.0, 60.0),
    ]  # fmt: skip
    codes = {}
    for name, levels, zipf, missing, scale in spec:
        codes[name], columns[name] = _levels(rng, f"{name[:3]}_", levels, n, zipf, missing)
        claim += _effect(rng, codes[name], levels, scale)
    age = rng.uniform(18, 85, n)
    vehicle_age = rng.integers(0, 25, n).astype(np.float64)
    mileage = rng.lognormal(9.3, 0.5, n)
    # business use costs more the older the vehicle
    claim += np.where(codes["vehicle_use"] == 3, 12.0 * vehicle_age, 0.0)
    claim += 4.0 * (age - 45.0) ** 2 / 45.0 + 0.004 * mileage
    columns["driver_age"] = age
    columns["vehicle_age"] = np.where(rng.random(n) < 0.03, np.nan, vehicle_age)
    columns["annual_km"] = mileage
    columns["claim_cost"] = claim + rng.normal(0.0, 120.0, n)
    return Dataset(
        "cat_claims",
        pd.DataFrame(columns),
        "claim_cost",
        "regression",
        "generated: 8 categorical columns (up to 800 levels, missing values)",
    )


DATASETS: dict[str, Callable[[bool, int], Dataset]] = {
    "breast_cancer": lambda quick, seed: _sample("breast_cancer", "diagnosis", "binary"),
    "imbalanced": imbalanced,
    "cat_churn": cat_churn,
    "iris": lambda quick, seed: _sample("iris", "species", "multiclass"),
    "wine": lambda quick, seed: _sample("wine", "cultivar", "multiclass"),
    "digits": digits,
    "diabetes": lambda quick, seed: _sample("diabetes", "disease_progression", "regression"),
    # body mass from species, island, sex (with missing values) and measurements
    "penguins": lambda quick, seed: _sample("penguins", "body_mass_g", "regression"),
    "friedman1": friedman1,
    "cat_claims": cat_claims,
}


# --- the split and the measures -----------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """mlchat's split of a dataset: the config it came from and its train and test rows."""

    config: SplitConfig
    train: Positions
    test: Positions


def split_of(dataset: Dataset, seed: int) -> Split:
    """The test rows mlchat itself holds out for this config; everyone trains on the rest."""
    strategy = SplitStrategy.STRATIFIED if dataset.classification else SplitStrategy.RANDOM
    config = SplitConfig(strategy=strategy, test_size=0.2, random_state=seed)
    parts = split_rows(dataset.frame[dataset.target], config)
    train = np.sort(np.concatenate([parts.train, parts.validation])).astype(np.intp)
    return Split(config, train, np.sort(parts.test).astype(np.intp))


@dataclass(frozen=True)
class Predicted:
    """A contender's test predictions: numbers, or probabilities with their class labels."""

    values: NDArray[np.float64]
    classes: list[str] | None = None
    note: str = ""
    """Whatever it chose, for the record (FLAML's estimator, mlchat's winner)."""
    details: dict[str, Any] = field(default_factory=dict)
    """More of how it chose, for `--json` (the leaderboard's entries)."""


def loss(task: Task, truth: NDArray[Any], predicted: Predicted) -> float:
    """The AMLB loss: 1 - AUC (binary), log loss (multiclass), RMSE (regression)."""
    if task == "regression":
        errors = np.asarray(truth, np.float64) - predicted.values.reshape(-1)
        return float(np.sqrt(np.mean(errors**2)))
    labels = sorted({str(label) for label in truth})
    probabilities = aligned(predicted, labels)
    truth_text = np.asarray([str(label) for label in truth], dtype=object)
    if task == "binary":
        return float(1.0 - roc_auc_score(truth_text == labels[1], probabilities[:, 1]))
    return float(log_loss(truth_text, probabilities, labels=labels))


def aligned(predicted: Predicted, labels: Sequence[str]) -> NDArray[np.float64]:
    """The probabilities in the order of `labels` (sorted), rows summing to 1; a class the
    contender never saw gets 0."""
    if predicted.classes is None:
        raise ValueError("a classification contender returned no class labels")
    columns = {str(name): i for i, name in enumerate(predicted.classes)}
    unknown = set(columns) - set(labels)
    if unknown:
        raise ValueError(f"predicted classes not in the data: {sorted(unknown)}")
    values = np.zeros((predicted.values.shape[0], len(labels)))
    for j, label in enumerate(labels):
        if label in columns:
            values[:, j] = predicted.values[:, columns[label]]
    return np.asarray(values / values.sum(axis=1, keepdims=True), np.float64)


def relative_loss_reduction(baseline: float, loss_value: float) -> float | None:
    """`(baseline - loss) / baseline`: above 0 is better than the baseline; None when the
    baseline's loss is 0 (a perfect default XGBoost leaves nothing to reduce)."""
    if baseline == 0:
        return None
    return (baseline - loss_value) / baseline


def verdict(
    mlchat: float, flaml: float, relative: float = TIE_RELATIVE, absolute: float = TIE_ABSOLUTE
) -> Literal["win", "tie", "loss"]:
    """mlchat's result against FLAML's on one dataset (lower loss is better)."""
    if abs(mlchat - flaml) <= max(relative * max(abs(mlchat), abs(flaml)), absolute):
        return "tie"
    return "win" if mlchat < flaml else "loss"


# --- the contenders -----------------------------------------------------------------------

N_JOBS = 2
"""Threads for every contender; `--n-jobs` changes it."""


class Contender(Protocol):
    def __call__(
        self,
        frame: pd.DataFrame,
        target: str,
        task: Task,
        split: Split,
        budget_s: float,
        workdir: Path,
    ) -> Predicted: ...


def _categorical(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series[Any]]:
    """Features with text columns as pandas categories (fixed over the whole column, so train
    and test share their codes), and the target."""
    features = frame.drop(columns=[target])
    for column in features.columns:
        if not pd.api.types.is_numeric_dtype(features[column]):
            features[column] = features[column].astype("category")
    return features, frame[target]


def fit_predict_xgboost(
    frame: pd.DataFrame, target: str, task: Task, split: Split, budget_s: float, workdir: Path
) -> Predicted:
    """The AMLB reference: XGBoost with its defaults (the budget is not used)."""
    import xgboost

    features, y = _categorical(frame, target)
    x_train, x_test = features.iloc[split.train], features.iloc[split.test]
    seed = split.config.random_state
    if task == "regression":
        regressor = xgboost.XGBRegressor(enable_categorical=True, n_jobs=N_JOBS, random_state=seed)
        regressor.fit(x_train, y.iloc[split.train].to_numpy(np.float64))
        return Predicted(np.asarray(regressor.predict(x_test), np.float64))
    labels = sorted(set(y.iloc[split.train].astype(str)))
    codes = y.iloc[split.train].astype(str).map({label: i for i, label in enumerate(labels)})
    classifier = xgboost.XGBClassifier(enable_categorical=True, n_jobs=N_JOBS, random_state=seed)
    classifier.fit(x_train, codes.to_numpy(np.int64))
    return Predicted(np.asarray(classifier.predict_proba(x_test), np.float64), labels)


def fit_predict_flaml(
    frame: pd.DataFrame, target: str, task: Task, split: Split, budget_s: float, workdir: Path
) -> Predicted:
    """FLAML's AutoML searching `budget_s` seconds for the AMLB metric (its defaults
    otherwise: every estimator it has, holdout or cross-validation as it picks, the best
    retrained on all training rows)."""
    flaml: Any = importlib.import_module("flaml")
    features, y = _categorical(frame, target)
    automl = flaml.AutoML()
    automl.fit(
        X_train=features.iloc[split.train],
        y_train=y.iloc[split.train],
        task="regression" if task == "regression" else "classification",
        time_budget=budget_s,
        metric=FLAML_METRICS[task],
        seed=split.config.random_state,
        n_jobs=N_JOBS,
        verbose=0,
        log_file_name=str(workdir / "flaml.log"),
    )
    note = str(automl.best_estimator)
    x_test = features.iloc[split.test]
    if task == "regression":
        return Predicted(np.asarray(automl.predict(x_test), np.float64), note=note)
    classes = [str(label) for label in automl.classes_]
    return Predicted(np.asarray(automl.predict_proba(x_test), np.float64), classes, note)


def _stored(frame: pd.DataFrame, folder: Path) -> tuple[pd.DataFrame, Any]:
    """`frame` stored and read back as an upload is (Parquet, profiled): the frame mlchat's
    jobs see and its profile."""
    stored = ingest_table(pa.Table.from_pandas(frame, preserve_index=False), folder)
    return read_frame(stored.path), stored.profile


class _Clock(NullReporter):
    """Notes when each algorithm of a leaderboard starts training and when its line is done
    (after its permutation importance, metrics and saved model)."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}

    def log(self, message: str) -> None:
        algorithm, _, said = message.partition(": ")
        if said.startswith("training "):
            self.started.setdefault(algorithm, time.perf_counter())
        elif said.startswith(("test ", "failed")):
            self.ended[algorithm] = time.perf_counter()


@dataclass(frozen=True)
class Board:
    """What a leaderboard chose, what it left out, and each entry's figures."""

    best: str
    dropped: list[str]
    entries: dict[str, dict[str, Any]]


def _leaderboard(
    frame: pd.DataFrame,
    target: str,
    task: Task,
    split: SplitConfig,
    folder: Path,
    algorithms: list[str] | None,
) -> Board:
    """A leaderboard on `frame` ranked by the AMLB metric on the test part of `split`."""
    rows, profile = _stored(frame, folder / "data")
    config = LeaderboardConfig(
        dataset=DatasetByName(name="bench"),
        target_column=target,
        algorithms=algorithms,
        task_type=TaskType.REGRESSION if task == "regression" else TaskType.CLASSIFICATION,
        split=split,
        goal_metric=MLCHAT_GOALS[task],
    )
    resolved = resolve_leaderboard(config, profile)
    dropped = {
        f"{d.column} ({d.reason})"
        for c in resolved.applicable
        if c.training is not None
        for d in c.training.dropped_columns
    }
    clock = _Clock()
    outcome = run_leaderboard(resolved, rows, reporter=clock, artifact_dir=folder)
    result = outcome.result
    if result.best is None:
        reasons = "; ".join(f"{e.algorithm}: {e.reason}" for e in result.entries)
        raise RuntimeError(f"no algorithm of the leaderboard trained ({reasons})")
    entries = {
        e.algorithm: {
            "status": e.status.value,
            result.goal_metric: (e.metrics or {}).get("test", {}).get(result.goal_metric),
            "fit_s": e.training_duration_seconds,
            "total_s": clock.ended[e.algorithm] - clock.started[e.algorithm]
            if e.algorithm in clock.started and e.algorithm in clock.ended
            else None,
            "reason": e.reason,
        }
        for e in result.entries
    }
    return Board(result.best, sorted(dropped), entries)


def fit_predict_leaderboard(
    frame: pd.DataFrame,
    target: str,
    task: Task,
    split: Split,
    budget_s: float,
    workdir: Path,
    algorithms: list[str] | None = None,
) -> Predicted:
    """mlchat's leaderboard, without looking at the test rows.

    A leaderboard ranks its algorithms by their loss on its own test part, so run on the
    whole frame with the benchmark's split it would pick the winner by the very rows it is
    scored on. So it runs twice: on the training rows alone, split as the benchmark splits
    (its test part is a holdout of them), to pick the algorithm; then that algorithm alone on
    the whole frame with the benchmark's split, so it trains on all the training rows (as
    FLAML retrains its best) and its saved model predicts the test rows. The leaderboard takes
    no time budget: every algorithm trains with its defaults, however long that takes.
    `algorithms`: None is every tabular one, as mlchat's own default.
    """
    training_rows = frame.iloc[split.train].reset_index(drop=True)
    pick = _leaderboard(training_rows, target, task, split.config, workdir / "pick", algorithms)
    best = pick.best
    final = _leaderboard(frame, target, task, split.config, workdir / "final", [best])
    model = TabularModel.load(workdir / "final" / best)
    rows, _ = _stored(frame, workdir / "final" / "data")
    if not np.array_equal(np.sort(split_rows(rows[target], split.config).test), split.test):
        raise RuntimeError("the stored frame splits otherwise than the benchmark's frame")
    test = rows.iloc[split.test]
    note = best + (f"; left out {', '.join(final.dropped)}" if final.dropped else "")
    details = {"pick": pick.entries, "refit": final.entries[best], "dropped": final.dropped}
    if task == "regression":
        return Predicted(np.asarray(model.predict(test), np.float64), note=note, details=details)
    classes = [str(label) for label in model.classes or []]
    return Predicted(model.predict_proba(test), classes, note, details)


AUTOML_MODULE = "ml_backend.jobs.automl.run"


def automl_available() -> bool:
    """Whether this checkout has mlchat's AutoML job (`run_automl` in AUTOML_MODULE)."""
    try:
        module = importlib.import_module(AUTOML_MODULE)
    except ModuleNotFoundError as error:
        if error.name is not None and AUTOML_MODULE.startswith(error.name):
            return False
        raise
    return hasattr(module, "run_automl")


def fit_predict_automl(
    frame: pd.DataFrame, target: str, task: Task, split: Split, budget_s: float, workdir: Path
) -> Predicted:
    """mlchat's AutoML job with `budget_s` seconds (at least its minimum), called as the
    service calls it: `resolve_automl(AutoMLConfig, profile)`, then `run_automl(resolved,
    frame, reporter=, artifact_dir=)`, which saves the chosen model in `artifact_dir`. Its
    config gets the benchmark's split; the job chooses on its training rows only (its test part
    is the benchmark's test rows)."""
    module: Any = importlib.import_module(AUTOML_MODULE)
    configs: Any = importlib.import_module("ml_backend.configs")
    rows, profile = _stored(frame, workdir / "data")
    config = configs.AutoMLConfig(
        dataset={"name": "bench"},
        target_column=target,
        task_type=TaskType.REGRESSION if task == "regression" else TaskType.CLASSIFICATION,
        split=split.config,
        goal_metric=MLCHAT_GOALS[task],
        time_budget_s=max(budget_s, configs.MIN_AUTOML_S),
    )
    resolved = module.resolve_automl(config, profile)
    model_dir = workdir / "model"
    outcome = module.run_automl(resolved, rows, reporter=NullReporter(), artifact_dir=model_dir)
    result = outcome.result
    model = TabularModel.load(model_dir)
    weights = {m.name: round(m.weight, 3) for m in result.models if m.weight > 0}
    details = {"weights": weights, "models": len(result.models), "elapsed_s": result.elapsed_s}
    test = rows.iloc[split.test]
    if task == "regression":
        return Predicted(np.asarray(model.predict(test), np.float64), note=result.best,
                         details=details)  # fmt: skip
    classes = [str(label) for label in model.classes or []]
    return Predicted(model.predict_proba(test), classes, result.best, details)


MLCHAT_KINDS: dict[str, Contender] = {
    "leaderboard": fit_predict_leaderboard,
    "automl": fit_predict_automl,
}


def mlchat_kind(requested: str) -> str:
    """`auto`: the AutoML job where this checkout has it, else the leaderboard."""
    if requested == "auto":
        return "automl" if automl_available() else "leaderboard"
    if requested == "automl" and not automl_available():
        raise SystemExit(f"--mlchat automl: {AUTOML_MODULE} has no run_automl in this checkout")
    return requested


def fit_predict_mlchat(
    frame: pd.DataFrame,
    target: str,
    task: Task,
    split: Split,
    budget_s: float,
    workdir: Path,
    kind: str = "auto",
) -> Predicted:
    """mlchat's contender: its AutoML job when there is one, else its leaderboard."""
    return MLCHAT_KINDS[mlchat_kind(kind)](frame, target, task, split, budget_s, workdir)


# --- one run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One contender on one dataset: its loss and wall seconds, or why it failed."""

    loss: float | None = None
    seconds: float = 0.0
    note: str = ""
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DatasetResult:
    name: str
    rows: int
    features: int
    task: Task
    source: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def loss(self, contender: str) -> float | None:
        outcome = self.outcomes.get(contender)
        return outcome.loss if outcome else None

    def rlr(self, contender: str) -> float | None:
        baseline, value = self.loss("xgboost"), self.loss(contender)
        if baseline is None or value is None:
            return None
        return relative_loss_reduction(baseline, value)

    @property
    def verdict(self) -> str | None:
        mlchat, flaml = self.loss("mlchat"), self.loss("flaml")
        if mlchat is None or flaml is None:
            return None
        return verdict(mlchat, flaml)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """FLAML and the libraries warn freely (convergence, deprecations): not the figures."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run_dataset(
    dataset: Dataset, contenders: dict[str, Contender], budget_s: float, seed: int, folder: Path
) -> DatasetResult:
    """Every contender on `dataset`'s split, each timed; a failure is recorded, not raised."""
    split = split_of(dataset, seed)
    truth = dataset.frame[dataset.target].to_numpy()[split.test]
    result = DatasetResult(
        dataset.name, dataset.rows, dataset.features, dataset.task, dataset.source
    )
    for name, contender in contenders.items():
        workdir = folder / dataset.name / name
        workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        try:
            with _quiet():
                predicted = contender(
                    dataset.frame.copy(), dataset.target, dataset.task, split, budget_s, workdir
                )
            outcome = Outcome(
                loss(dataset.task, truth, predicted), note=predicted.note, details=predicted.details
            )
        except Exception as error:
            outcome = Outcome(error=f"{type(error).__name__}: {error}"[:300])
        outcome.seconds = time.perf_counter() - started
        result.outcomes[name] = outcome
    return result


def run_automl_bench(
    budget_s: float = 60.0,
    only: Sequence[str] | None = None,
    quick: bool = False,
    seed: int = 0,
    mlchat: str = "auto",
    n_jobs: int = 2,
    progress: Callable[[DatasetResult], None] | None = None,
    with_flaml: bool | None = None,
) -> dict[str, Any]:
    """Run the benchmark; its figures as plain JSON values (what `--json` writes).

    `with_flaml`: None runs FLAML where it is installed (the `automl-bench` extra) and leaves
    it out, with no verdicts, where it is not."""
    global N_JOBS
    names = list(only) if only else list(DATASETS)
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        raise ValueError(f"unknown datasets {unknown}; there are {', '.join(DATASETS)}")
    N_JOBS = n_jobs
    limit_threads(n_jobs)
    kind = mlchat_kind(mlchat)
    contenders: dict[str, Contender] = {"xgboost": fit_predict_xgboost}
    if with_flaml is None:
        with_flaml = importlib.util.find_spec("flaml") is not None
        if not with_flaml:
            print(
                "[automl] FLAML is not installed (pip install -e '.[automl-bench]'): left out",
                file=sys.stderr,
            )
    if with_flaml:
        contenders["flaml"] = fit_predict_flaml
    contenders["mlchat"] = MLCHAT_KINDS[kind]
    if quick and kind == "leaderboard":
        # A smoke test: two quick algorithms stand in for all of mlchat's.
        contenders["mlchat"] = functools.partial(
            fit_predict_leaderboard, algorithms=["linear", "lightgbm"]
        )
    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="automl-bench-") as folder:
        for name in names:
            result = run_dataset(
                DATASETS[name](quick, seed), contenders, budget_s, seed, Path(folder)
            )
            results.append(result)
            if progress is not None:
                progress(result)
    return {
        "budget_s": budget_s,
        "seed": seed,
        "quick": quick,
        "mlchat": kind,
        "n_jobs": n_jobs,
        "tie_relative": TIE_RELATIVE,
        "tie_absolute": TIE_ABSOLUTE,
        "minutes": (time.perf_counter() - started) / 60,
        "datasets": [_plain(result) for result in results],
        "summary": summary(results),
    }


def _plain(result: DatasetResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "rows": result.rows,
        "features": result.features,
        "task": result.task,
        "loss": LOSS_NAMES[result.task],
        "source": result.source,
        "outcomes": {name: vars(outcome) for name, outcome in result.outcomes.items()},
        "rlr": {name: result.rlr(name) for name in result.outcomes if name != "xgboost"},
        "verdict": result.verdict,
    }


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None and math.isfinite(v)]
    return sum(present) / len(present) if present else None


def summary(results: Sequence[DatasetResult]) -> dict[str, Any]:
    """Wins, ties and losses against FLAML, each contender's mean RLR against XGBoost, and
    whether the issue's bar is met (W + T on at least 80% of the datasets, and a mean RLR
    above FLAML's)."""
    verdicts = [r.verdict for r in results]
    counts = {v: verdicts.count(v) for v in ("win", "tie", "loss")}
    mean_mlchat = _mean([r.rlr("mlchat") for r in results])
    mean_flaml = _mean([r.rlr("flaml") for r in results])
    compared = sum(counts.values())
    met = (
        compared == len(results) > 0
        and counts["win"] + counts["tie"] >= 0.8 * compared
        and mean_mlchat is not None
        and mean_flaml is not None
        and mean_mlchat > mean_flaml
    )
    return {
        **counts,
        "compared": compared,
        "mean_rlr_mlchat": mean_mlchat,
        "mean_rlr_flaml": mean_flaml,
        "bar_met": met,
    }


# --- the table --------------------------------------------------------------------------


def _figure(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1%}"


def _loss_cell(result: dict[str, Any], name: str) -> str:
    outcome = result["outcomes"].get(name)
    if outcome is None:
        return "not run"
    if outcome["error"]:
        return "failed"
    return f"{_figure(outcome['loss'])} ({outcome['seconds']:.0f} s)"


def markdown(figures: dict[str, Any]) -> str:
    """The table of every dataset, with the summary line under it."""
    header = (
        "dataset",
        "rows",
        "cols",
        "task (loss)",
        "xgboost",
        "flaml",
        "mlchat",
        "mlchat RLR",
        "flaml RLR",
        "mlchat vs flaml",
        "mlchat's pick",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for r in figures["datasets"]:
        mlchat = r["outcomes"].get("mlchat", {})
        pick = mlchat.get("note") or (mlchat.get("error") or "")
        cells = (
            r["name"],
            f"{r['rows']:,}",
            str(r["features"]),
            f"{r['task']} ({r['loss']})",
            _loss_cell(r, "xgboost"),
            _loss_cell(r, "flaml"),
            _loss_cell(r, "mlchat"),
            _percent(r["rlr"].get("mlchat")),
            _percent(r["rlr"].get("flaml")),
            r["verdict"] or "—",
            pick,
        )
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n\n" + summary_line(figures)


def summary_line(figures: dict[str, Any]) -> str:
    s = figures["summary"]
    bar = "met" if s["bar_met"] else "**not met**"
    return (
        f"mlchat ({figures['mlchat']}) against FLAML at {figures['budget_s']:g} s: "
        f"{s['win']} wins, {s['tie']} ties, {s['loss']} losses of {s['compared']}; mean "
        f"relative loss reduction against default XGBoost: mlchat "
        f"{_percent(s['mean_rlr_mlchat'])}, FLAML {_percent(s['mean_rlr_flaml'])}. The issue's "
        f"bar (wins + ties on 8 of 10, mean RLR above FLAML's): {bar}."
        + (" Quick mode: a smoke test, not a result." if figures["quick"] else "")
    )


def readme_block(figures: dict[str, Any], facts: dict[str, Any]) -> str:
    quick = "**Quick mode** (small tables and budgets: a smoke test). " if figures["quick"] else ""
    return (
        f"{quick}Run of {facts['date']} at commit `{facts['commit']}`, {facts['cores']} cores "
        f"({facts['cpu']}), load average {facts['load_start'][0]:.1f} at the start; budget "
        f"{figures['budget_s']:g} s, {figures['n_jobs']} threads each, seed {figures['seed']}; "
        f"{figures['minutes']:.1f} min. Losses with each contender's wall seconds.\n\n"
        + markdown(figures)
    )


def splice(readme: str, block: str) -> str:
    """`readme` with the text between the automl markers replaced by `block` (the markers are
    added at the end when missing)."""
    fenced = f"{START}\n{block.strip()}\n{END}"
    if START in readme and END in readme and readme.index(START) < readme.index(END):
        before, rest = readme.split(START, 1)
        return before + fenced + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + fenced + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds for FLAML (and mlchat's AutoML job); 60, or 2 with --quick",
    )
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(DATASETS)}")
    parser.add_argument("--quick", action="store_true", help="small tables and budgets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2, help="threads for every contender")
    parser.add_argument("--mlchat", choices=["auto", "automl", "leaderboard"], default="auto")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--readme", type=Path, help="write the table into this README")
    args = parser.parse_args(argv)
    from bench.run_all import machine_facts

    facts = machine_facts()
    budget = args.budget if args.budget is not None else (2.0 if args.quick else 60.0)
    only = [name.strip() for name in args.only.split(",")] if args.only else None

    def said(result: DatasetResult) -> None:
        losses = ", ".join(
            f"{name} {_figure(o.loss) if not o.error else 'failed: ' + o.error} ({o.seconds:.0f} s)"
            for name, o in result.outcomes.items()
        )
        print(f"[automl] {result.name}: {losses}", file=sys.stderr, flush=True)

    figures = run_automl_bench(
        budget, only, args.quick, args.seed, args.mlchat, args.n_jobs, progress=said
    )
    figures["facts"] = {**facts, "load_end": os.getloadavg()}
    print(markdown(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if args.readme:
        text = args.readme.read_text() if args.readme.exists() else ""
        args.readme.write_text(splice(text, readme_block(figures, facts)))
        print(f"[automl] table written to {args.readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
