"""One fit of preprocessing and estimator on some rows, and its predictions on others."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ml_backend.algorithms import get_algorithm
from ml_backend.algorithms.base import AlgorithmSpec, EvalPart
from ml_backend.ensemble import EnsembleModel
from ml_backend.jobs.train.data import TrainingData
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.metrics import Predictions
from ml_backend.model import TabularModel
from ml_backend.preprocessing import build_preprocessor, category_outputs
from ml_backend.reporting import Reporter, ScopedReporter

SINGLE_THREAD_BELOW_ROWS = 10_000
"""Fits on fewer rows than this use one thread unless n_jobs says otherwise: on small data the
threads spend their time waiting for each other, and on a busy machine it is far worse (100
LightGBM rounds on 220 rows took 0.07 s on one thread and 0.7 s on two with the cores busy)."""


def fit_training(
    resolved: ResolvedTraining,
    data: TrainingData,
    reporter: Reporter,
    *,
    fit: NDArray[np.intp],
    watch: NDArray[np.intp] | None,
) -> tuple[TabularModel, float]:
    """The training's model fitted on the rows at `fit`: one algorithm's, or each member of
    its ensemble in turn, averaged; the seconds the estimators took."""
    if not resolved.ensemble:
        spec = get_algorithm(resolved.algorithm)
        return fit_model(spec, resolved, data, reporter, fit=fit, watch=watch)
    members: list[TabularModel] = []
    seconds = 0.0
    count = len(resolved.ensemble)
    for index, member in enumerate(resolved.ensemble):
        scoped = ScopedReporter(reporter, index, count)
        single = resolved.member(member)
        model, took = fit_model(
            get_algorithm(member.algorithm), single, data, scoped, fit=fit, watch=watch
        )
        members.append(model)
        seconds += took
    return EnsembleModel(members, [member.weight for member in resolved.ensemble]), seconds


def fit_model(
    spec: AlgorithmSpec[Any],
    resolved: ResolvedTraining,
    data: TrainingData,
    reporter: Reporter,
    *,
    fit: NDArray[np.intp],
    watch: NDArray[np.intp] | None,
) -> tuple[TabularModel, float]:
    """Preprocessing and estimator fitted on the rows at `fit`, the rows at `watch` (if any)
    scored each round for progress and early stopping; the seconds the estimator took."""
    features = data.rows[resolved.feature_columns]
    params = spec.hyperparameters.model_validate(resolved.hyperparameters)
    native = spec.native_categories(params)
    preprocessor = build_preprocessor(
        resolved.feature_kinds, scale=spec.needs_scaling, native_categories=native
    )
    x_fit = np.asarray(preprocessor.fit_transform(features.iloc[fit]), dtype=np.float64)
    eval_part: EvalPart | None = None
    if watch is not None and len(watch):
        x_watch = np.asarray(preprocessor.transform(features.iloc[watch]), np.float64)
        eval_part = (x_watch, data.encoded[watch])
    seed = resolved.split.random_state
    estimator = spec.build(resolved.task_type, params, n_classes=data.n_classes, random_state=seed)
    if native:
        spec.use_categories(estimator, category_outputs(preprocessor, resolved.feature_kinds))
    if getattr(params, "n_jobs", 0) is None and len(fit) < SINGLE_THREAD_BELOW_ROWS:
        estimator.set_params(n_jobs=1)

    def progress(step: int, total: int, metrics: dict[str, float]) -> None:
        reporter.progress(step, total, metrics=metrics or None, unit=spec.progress_unit)

    reporter.log(f"training {spec.name} on {len(fit)} rows and {x_fit.shape[1]} encoded features")
    started = time.perf_counter()
    spec.fit(estimator, x_fit, data.encoded[fit], validation=eval_part, progress=progress)
    seconds = time.perf_counter() - started
    model = TabularModel(
        algorithm=spec.name,
        task_type=resolved.task_type,
        feature_columns=list(resolved.feature_columns),
        preprocessor=preprocessor,
        estimator=estimator,
        label_encoder=data.encoder,
    )
    return model, seconds


def predictions(model: TabularModel, data: TrainingData, part: NDArray[np.intp]) -> Predictions:
    """The model's predictions of the rows at `part`, beside their true values."""
    rows = data.rows.iloc[part]
    classes = model.classes
    return Predictions(
        y_true=data.target[part],
        y_pred=model.predict(rows),
        probabilities=model.predict_proba(rows) if classes is not None else None,
        labels=classes or [],
    )
