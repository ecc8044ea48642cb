"""The agent's tools: their names, what they do, and the config each one takes.

The agent acts only through these. None of them runs code, touches files or reaches the
network: each takes a config that is validated against the data before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ml_backend.configs import (
    DatasetRef,
    ExplorationConfig,
    LeaderboardConfig,
    TrainingConfig,
    TuningConfig,
)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    """No arguments."""


class DatasetArgs(_Args):
    dataset: DatasetRef = Field(description="The dataset, as {'name': ...} or {'id': ...}.")


class RunArgs(_Args):
    run_id: int = Field(ge=1, description="A run's id, as the run's start message gave it.")


class CompareArgs(_Args):
    run_ids: list[int] = Field(min_length=2, max_length=20, description="Runs to compare.")


@dataclass(frozen=True)
class Tool:
    """One tool: `action` is what a plan calls it; `starts_job` tools wait for approval."""

    name: str
    description: str
    args: type[BaseModel]
    action: str | None = None
    starts_job: bool = False

    def schema(self) -> dict[str, Any]:
        """The tool in the OpenAI function-calling format langchain's bind_tools accepts."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.args.model_json_schema(),
            },
        }


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool("list_datasets", "List the datasets available, with their sizes.", NoArgs),
        Tool(
            "describe_dataset",
            "Describe a dataset's columns: types, missing values, ranges, examples.",
            DatasetArgs,
            action="describe",
        ),
        Tool(
            "explore",
            "Draw a chart or table of the data (scatter, histogram, box, bar, line, "
            "correlation, scatter_matrix, describe, missing).",
            ExplorationConfig,
            action="explore",
            starts_job=True,
        ),
        Tool(
            "train",
            "Train one model (classification or regression) on a target column.",
            TrainingConfig,
            action="train",
            starts_job=True,
        ),
        Tool(
            "tune",
            "Search an algorithm's hyperparameters with Optuna for the best goal metric.",
            TuningConfig,
            action="tune",
            starts_job=True,
        ),
        Tool(
            "forecast",
            "Forecast a numeric series over time (task_type 'forecasting', time_column, "
            "horizon; algorithm arima or ets).",
            TrainingConfig,
            action="forecast",
            starts_job=True,
        ),
        Tool(
            "leaderboard",
            "Train every applicable algorithm on one target and rank them by a goal metric.",
            LeaderboardConfig,
            action="leaderboard",
            starts_job=True,
        ),
        Tool("job_status", "The status, progress and result of a run.", RunArgs),
        Tool("cancel_job", "Cancel a queued or running run.", RunArgs),
        Tool("compare_runs", "Compare finished runs by their test metrics.", CompareArgs),
        Tool("explain_run", "Explain a finished run's metrics, features and plots.", RunArgs),
    )
}

ACTION_TOOLS = {tool.action: tool for tool in TOOLS.values() if tool.action is not None}
"""The tool behind each plan action: 'train' -> train, 'describe' -> describe_dataset, ..."""
