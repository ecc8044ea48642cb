"""The automl kind: screen every algorithm, tune the promising ones and ensemble the best,
within a wall-clock budget; its chosen model predicts like a training run's."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ml_backend.configs import AutoMLConfig
from ml_backend.jobs.automl.result import AutoMLResult, ResolvedAutoML
from ml_backend.jobs.automl.run import resolve_automl, run_automl
from ml_backend.jobs.automl.words import describe_automl, summarize_automl
from ml_backend.jobs.leaderboard.job import columns as leaderboard_columns
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome
from ml_backend.jobs.train.job import test_values
from ml_backend.jobs.train.plots import training_plots
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.jobs.train.run import DataSummary, FeatureImportance
from ml_backend.metrics import ConfusionMatrix
from ml_backend.splitting import final_split


class AutoMLRun(AutoMLResult, JobResult):
    """A finished AutoML as stored, with the chosen model's figures at the top level too, so
    every model run reads alike."""

    metrics: dict[str, dict[str, float | None]]
    feature_importance: list[FeatureImportance]
    confusion_matrix: ConfusionMatrix | None
    data_summary: DataSummary
    model_artifact_id: str | None = None

    def test_metrics(self) -> dict[str, float] | None:
        return test_values(self.metrics)


def columns(resolved: ResolvedAutoML) -> list[str]:
    return leaderboard_columns(resolved.leaderboard)


def run(frame: pd.DataFrame, resolved: ResolvedAutoML, env: JobEnv) -> Outcome[AutoMLRun]:
    def on_phase(phase: str, details: dict[str, Any]) -> None:
        env.reporter.log(f"automl {phase}: {json.dumps(details, default=str)}")

    env.training()
    outcome = run_automl(
        resolved, frame, reporter=env.reporter, artifact_dir=env.artifact_dir, on_phase=on_phase
    )
    chosen = outcome.result.training
    plots = {**outcome.plots, **training_plots(chosen)}
    stored = AutoMLRun.model_validate(
        {
            **dict(outcome.result),
            "metrics": chosen.metrics,
            "feature_importance": chosen.feature_importance,
            "confusion_matrix": chosen.confusion_matrix,
            "data_summary": chosen.data_summary,
            "model_artifact_id": env.model_artifact_id,
            "plots": sorted(plots),
        }
    )
    return Outcome(stored, plots)


def trained_model(resolved: ResolvedAutoML, result: AutoMLRun | None) -> ResolvedTraining:
    """The chosen model's training (an ensemble's members and weights included), fitted on
    every training row; before it is chosen, any candidate's, which read the same columns."""
    if result is not None:
        return result.final.model_copy(update={"split": final_split(result.final.split)})
    first = next(c.training for c in resolved.leaderboard.applicable if c.training is not None)
    return first.model_copy(update={"split": final_split(first.split)})


SPEC = JobSpec(
    kind="automl",
    route="automl",
    tool="automl",
    description="Find the best model for a target within a time budget: every algorithm, the "
    "promising ones tuned, and a weighted ensemble of the best.",
    config=AutoMLConfig,
    resolved=ResolvedAutoML,
    result=AutoMLRun,
    resolve=resolve_automl,
    columns=columns,
    run=run,
    describe=describe_automl,
    summarize=summarize_automl,
    trained_model=trained_model,
    model_from_result=True,
    api_tag="training",
    api_summary="Find the best model within a time budget (AutoML)",
)
