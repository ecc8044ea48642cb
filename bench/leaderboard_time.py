"""A leaderboard's wall time against the sum of the same fits made with the libraries directly.

mlchat's side: `POST /api/v1/ml/leaderboard` for xgboost, lightgbm, random_forest and linear on
the breast_cancer sample (569 rows, 30 numeric columns), timed until the run's final event is
on its stream; also its time inside the worker (`started` to `finished`, by the events' stamps).

The baseline: each algorithm's estimator class from its own library (XGBClassifier,
LGBMClassifier, RandomForestClassifier, LogisticRegression behind a StandardScaler, as mlchat
scales for linear models) made with the parameters mlchat builds it with, `.fit` on the same
training rows (mlchat's own split of the sample), one after another in this process; the sum.

The two take turns `rounds` times, after one untimed round each; medians. The leaderboard's
entries' own training times (`training_duration_seconds`, summed) say how much of its time the
fits themselves take; the rest is what a leaderboard does besides (metrics on every split,
permutation importance, saving each model, the events).

Run: `.venv/bin/python bench/leaderboard_time.py [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import redis
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.streams import started_to_final_s, until_final
from ml_backend.algorithms import get_algorithm
from ml_backend.configs import TrainingConfig
from ml_backend.datasets import read_frame, write_sample
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.splitting import split_rows
from tests.service.stack import running_stack

DATASET, TARGET = "breast_cancer", "diagnosis"
ALGORITHMS = ("xgboost", "lightgbm", "random_forest", "linear")


def _library_estimator(built: Any) -> Any:
    """An estimator of the library class behind mlchat's `built` one, with its parameters
    (mlchat's random forest is a subclass that grows the forest in chunks to report progress)."""
    params = {k: v for k, v in built.get_params().items() if k != "callbacks"}
    library_class = getattr(built, "_forest_class", None)
    if library_class is None:
        return type(built)(**params)
    accepted = library_class().get_params()
    return library_class(**{k: v for k, v in params.items() if k in accepted})


def raw_fits(algorithms: Sequence[str], folder: Path) -> list[tuple[str, Any, Any, Any]]:
    """For each algorithm: its name, the library estimator to fit, and the training rows."""
    stored = write_sample(DATASET, folder)
    frame = read_frame(stored.path)
    fits = []
    for name in algorithms:
        config = {"algorithm": name, "dataset": {"name": DATASET}, "target_column": TARGET}
        resolved = resolve_training(TrainingConfig.model_validate(config), stored.profile)
        spec = get_algorithm(name)
        target = frame[resolved.target_column]
        train = split_rows(target, resolved.split).train
        labels = LabelEncoder().fit(target.to_numpy())
        x_train = frame[resolved.feature_columns].iloc[train].to_numpy(np.float64)
        y_train = labels.transform(target.iloc[train].to_numpy())
        params = spec.hyperparameters.model_validate(resolved.hyperparameters)
        built = spec.build(resolved.task_type, params, n_classes=len(labels.classes_),
                           random_state=resolved.split.random_state)  # fmt: skip
        estimator = _library_estimator(built)
        if spec.needs_scaling:
            estimator = make_pipeline(StandardScaler(), estimator)
        fits.append((name, estimator, x_train, y_train))
    return fits


def _fit_all(fits: list[tuple[str, Any, Any, Any]]) -> dict[str, float]:
    seconds = {}
    for name, estimator, x_train, y_train in fits:
        started = time.perf_counter()
        estimator.fit(x_train, y_train)
        seconds[name] = time.perf_counter() - started
    return seconds


def _leaderboard(
    http: httpx.Client, client: redis.Redis, algorithms: Sequence[str]
) -> tuple[float, float, float]:
    """Seconds from the POST to the final event, from `started` to it, and the sum of the
    entries' own training times (`training_duration_seconds`)."""
    body = {"dataset": {"name": DATASET}, "target_column": TARGET, "algorithms": list(algorithms)}
    started = time.perf_counter()
    job = http.post("/api/v1/ml/leaderboard", json=body).raise_for_status().json()
    events = until_final(client, [job["run_id"]])[job["run_id"]]
    seconds = time.perf_counter() - started
    if events[-1]["type"] != "finished":
        raise RuntimeError(f"the leaderboard ended {events[-1]['type']}: {events[-1]}")
    result = http.get(f"/api/v1/ml/leaderboard/{job['job_id']}").raise_for_status().json()
    fits = sum(e["training_duration_seconds"] or 0.0 for e in result["result"]["entries"])
    return seconds, started_to_final_s(events), fits


def run_leaderboard_time(algorithms: Sequence[str] = ALGORITHMS, rounds: int = 3) -> dict[str, Any]:
    """Median seconds of the leaderboard (end to end, in the worker) and of the raw fits' sum."""
    end_to_end: list[float] = []
    in_worker: list[float] = []
    entry_fits: list[float] = []
    raw: list[dict[str, float]] = []
    with (
        tempfile.TemporaryDirectory() as home,
        running_stack(Path(home), n_workers=1) as stack,
        httpx.Client(base_url=stack.base_url, timeout=120) as http,
    ):
        client = redis.Redis.from_url(stack.redis.url)
        fits = raw_fits(algorithms, Path(home) / "raw")
        for i in range(rounds + 1):
            fitted = _fit_all(fits)
            total_s, worker_s, fits_s = _leaderboard(http, client, algorithms)
            if i > 0:  # the first round warms both
                raw.append(fitted)
                end_to_end.append(total_s)
                in_worker.append(worker_s)
                entry_fits.append(fits_s)
    raw_s = statistics.median(sum(r.values()) for r in raw)
    return {
        "dataset": DATASET,
        "algorithms": list(algorithms),
        "rounds": rounds,
        "leaderboard_s": statistics.median(end_to_end),
        "in_worker_s": statistics.median(in_worker),
        "entry_fits_s": statistics.median(entry_fits),
        "raw_fits_s": raw_s,
        "raw_fit_s": {name: statistics.median(r[name] for r in raw) for name in algorithms},
        "ratio": statistics.median(end_to_end) / raw_s,
        "in_worker_ratio": statistics.median(in_worker) / raw_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures = run_leaderboard_time(rounds=args.rounds)
    fits = ", ".join(f"{name} {s:.2f} s" for name, s in figures["raw_fit_s"].items())
    print(
        f"leaderboard of {len(figures['algorithms'])} on {DATASET}: "
        f"{figures['leaderboard_s']:.2f} s end to end, {figures['in_worker_s']:.2f} s in the "
        f"worker, of which the entries' own training {figures['entry_fits_s']:.2f} s; "
        f"raw fits {figures['raw_fits_s']:.2f} s ({fits}); ratio "
        f"{figures['ratio']:.1f} (in the worker {figures['in_worker_ratio']:.1f})"
    )


if __name__ == "__main__":
    main()
