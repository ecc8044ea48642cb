"""The agent's tools: their names, what they do, and the config each one takes.

The agent acts only through these. None of them runs code, touches files or reaches the
network: each takes a config that is validated against the data before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents.run_answers import RunAspect
from ml_backend.configs import MAX_ID, DatasetRef
from ml_backend.jobs.registry import JOBS


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    """No arguments."""


class DatasetArgs(_Args):
    dataset: DatasetRef = Field(description="The dataset, as {'name': ...} or {'id': ...}.")


class RunArgs(_Args):
    run_id: int = Field(ge=1, description="A run's id, as the run's start message gave it.")


class RunQuestionArgs(RunArgs):
    about: RunAspect | None = Field(
        default=None,
        description=(
            "What the question asks of the run, answered first: how it did overall, what "
            "mattered most (features), its settings (the best a search found), why it failed, "
            "or its progress and the time left."
        ),
    )


class LoadSqlArgs(_Args):
    connection: str = Field(min_length=1, max_length=64, description="A connection's name.")
    query: str = Field(
        min_length=1, max_length=20_000,
        description="One SELECT over the connection's tables; nothing that writes.",
    )  # fmt: skip
    name: str | None = Field(
        default=None, max_length=200, description="The new dataset's name (default: the table's)."
    )


class CompareArgs(_Args):
    run_ids: list[int] = Field(min_length=2, max_length=20, description="Runs to compare.")


class LineageArgs(_Args):
    run_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The run (or its model) to trace."
    )
    dataset: DatasetRef | None = Field(default=None, description="The dataset to trace.")
    version: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The dataset's version (default: its latest)."
    )
    direction: Literal["upstream", "downstream", "both"] = Field(
        default="both",
        description="upstream: where its data came from; downstream: what was trained on it or "
        "made from it; both.",
    )

    @model_validator(mode="after")
    def _one_node(self) -> Self:
        if (self.run_id is None) == (self.dataset is None):
            raise ValueError("trace either a run (run_id) or a dataset (dataset), not both")
        if self.version is not None and self.dataset is None:
            raise ValueError("a version belongs to a dataset: give the dataset too")
        return self


class RetrainArgs(RunArgs):
    data: Literal["latest", "same"] | Annotated[int, Field(ge=1, le=MAX_ID)] = Field(
        default="latest",
        description="Which version of the run's dataset: 'latest', 'same' (the one it read), or "
        "a version number.",
    )


class RestoreArgs(_Args):
    dataset: DatasetRef = Field(description="The dataset whose version to restore.")
    version: int = Field(ge=1, le=MAX_ID, description="The version to make the latest again.")


@dataclass(frozen=True)
class Tool:
    """One tool: `action` is what a plan calls it; `starts_job` tools wait for approval."""

    name: str
    description: str
    args: type[BaseModel]
    action: str | None = None
    starts_job: bool = False
    asks_first: bool = False
    """Waits for a yes though no job of the registry runs it: it loads from a database,
    retrains a run or restores a version."""

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


_JOB_TOOLS = [
    Tool(spec.tool, spec.description, spec.config, action=spec.tool, starts_job=True)
    for spec in JOBS.values()
]

_STATUS = "The status, progress, time left and result of a run."
_EXPLAIN = "Explain a run: its metrics, what mattered most, its settings, or why it failed."
_LINEAGE = (
    "Where a run's or a dataset's data came from (upstream: the versions, files and SQL sources "
    "it read), or what was made from it (downstream: runs trained on it, models, predictions)."
)
_RETRAIN = "Train a run's config again, on its dataset's latest version, the same one, or another."
_RESTORE = "Make an older version of a dataset the latest again, as a new version of it."

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
            "load_sql",
            "Load the rows of one SELECT on a registered SQL connection as a new dataset.",
            LoadSqlArgs,
            action="load_sql",
            asks_first=True,
        ),
        *_JOB_TOOLS,
        Tool("job_status", _STATUS, RunQuestionArgs),
        Tool("cancel_job", "Cancel a queued or running run.", RunArgs),
        Tool("compare_runs", "Compare finished runs by their test metrics.", CompareArgs),
        Tool("explain_run", _EXPLAIN, RunQuestionArgs),
        Tool("trace_lineage", _LINEAGE, LineageArgs),
        Tool("retrain_run", _RETRAIN, RetrainArgs, action="retrain", asks_first=True),
        Tool("restore_version", _RESTORE, RestoreArgs, action="restore", asks_first=True),
    )
}

ACTION_TOOLS = {tool.action: tool for tool in TOOLS.values() if tool.action is not None}
"""The tool behind each plan action: 'train' -> train, 'describe' -> describe_dataset, ..."""
