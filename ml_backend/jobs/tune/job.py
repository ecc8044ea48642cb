"""The tune kind: Optuna searches an algorithm's hyperparameters, then the best are refit."""

from __future__ import annotations

import pandas as pd

from ml_backend.configs import TuningConfig
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome
from ml_backend.jobs.train.job import test_values, training_columns
from ml_backend.jobs.train.plots import training_plots
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.jobs.train.run import DataSummary, FeatureImportance
from ml_backend.jobs.tune.resolve import ResolvedTuning, resolve_tuning
from ml_backend.jobs.tune.run import TuningResult, tune
from ml_backend.jobs.tune.words import describe_tuning, summarize_tuning
from ml_backend.metrics import ConfusionMatrix


class TuneRun(TuningResult, JobResult):
    """A finished search as stored, with the refit model's figures at the top level too, so
    every model run reads alike."""

    metrics: dict[str, dict[str, float | None]]
    feature_importance: list[FeatureImportance]
    confusion_matrix: ConfusionMatrix | None
    data_summary: DataSummary
    model_artifact_id: str | None = None

    def test_metrics(self) -> dict[str, float] | None:
        return test_values(self.metrics)


def columns(resolved: ResolvedTuning) -> list[str]:
    return training_columns(resolved.training)


def run(frame: pd.DataFrame, resolved: ResolvedTuning, env: JobEnv) -> Outcome[TuneRun]:
    env.training()
    outcome = tune(
        resolved, frame, reporter=env.reporter, artifact_dir=env.artifact_dir, helpers=env.helpers
    )
    refit = outcome.result.training
    plots = {**outcome.plots, **training_plots(refit)}
    stored = TuneRun.model_validate(
        {
            **dict(outcome.result),
            "metrics": refit.metrics,
            "feature_importance": refit.feature_importance,
            "confusion_matrix": refit.confusion_matrix,
            "data_summary": refit.data_summary,
            "model_artifact_id": env.model_artifact_id,
            "plots": sorted(plots),
        }
    )
    return Outcome(stored, plots)


def trained_model(resolved: ResolvedTuning, result: TuneRun | None) -> ResolvedTraining:
    """The refit's training: the best trial's settings are the model's."""
    if result is None:
        return resolved.training
    return resolved.training.model_copy(update={"hyperparameters": result.training.hyperparameters})


SPEC = JobSpec(
    kind="tune",
    route="tune",
    tool="tune",
    description="Search an algorithm's hyperparameters with Optuna for the best goal metric.",
    config=TuningConfig,
    resolved=ResolvedTuning,
    result=TuneRun,
    resolve=resolve_tuning,
    columns=columns,
    run=run,
    describe=describe_tuning,
    summarize=summarize_tuning,
    trained_model=trained_model,
    api_tag="tuning",
    api_summary="Validate a TuningConfig and queue the search",
)
