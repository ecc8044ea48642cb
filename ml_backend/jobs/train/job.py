"""The train kind: one tabular model (classification or regression) on a target column."""

from __future__ import annotations

import pandas as pd

from ml_backend.configs import TrainingConfig
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome
from ml_backend.jobs.train.plots import training_plots
from ml_backend.jobs.train.resolve import ResolvedTraining, resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.jobs.train.words import describe_training, summarize_training


class TrainRun(TrainingResult, JobResult):
    """A finished training run as stored: the result, its figures and its model's id."""

    model_artifact_id: str | None = None

    def test_metrics(self) -> dict[str, float] | None:
        return test_values(self.metrics)


def test_values(metrics: dict[str, dict[str, float | None]]) -> dict[str, float]:
    """The test split's metrics that have a value."""
    return {k: v for k, v in (metrics.get("test") or {}).items() if isinstance(v, float)}


def training_columns(resolved: ResolvedTraining) -> list[str]:
    """The columns a training reads: features, target and the time column of a time split."""
    columns = [*resolved.feature_columns, resolved.target_column]
    if resolved.time_column and resolved.time_column not in columns:
        columns.append(resolved.time_column)
    return columns


def run(frame: pd.DataFrame, resolved: ResolvedTraining, env: JobEnv) -> Outcome[TrainRun]:
    env.training()
    result = train(resolved, frame, reporter=env.reporter, artifact_dir=env.artifact_dir)
    plots = training_plots(result)
    stored = TrainRun.model_validate(
        {**dict(result), "plots": sorted(plots), "model_artifact_id": env.model_artifact_id}
    )
    return Outcome(stored, plots)


def summarize(run_id: int, result: TrainRun) -> str:
    return summarize_training(run_id, result, result.plots)


def trained_model(resolved: ResolvedTraining, _result: TrainRun | None) -> ResolvedTraining:
    return resolved


SPEC = JobSpec(
    kind="train",
    route="train",
    tool="train",
    description="Train one model (classification or regression) on a target column.",
    config=TrainingConfig,
    resolved=ResolvedTraining,
    result=TrainRun,
    resolve=resolve_training,
    columns=training_columns,
    run=run,
    describe=describe_training,
    summarize=summarize,
    trained_model=trained_model,
    api_tag="training",
    api_summary="Validate a TrainingConfig and queue it",
)
