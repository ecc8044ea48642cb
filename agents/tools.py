"""The agent's tools: their names, what they do, and the config each one takes.

The agent acts only through these. None of them runs code, touches files or reaches the
network: each takes a config that is validated against the data before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.run_answers import RunAspect
from ml_backend.configs import DatasetRef
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


@dataclass(frozen=True)
class Tool:
    """One tool: `action` is what a plan calls it; `starts_job` tools wait for approval."""

    name: str
    description: str
    args: type[BaseModel]
    action: str | None = None
    starts_job: bool = False
    asks_first: bool = False
    """Waits for a yes though it starts no job (it reaches outside mlchat, to a database)."""

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
    )
}

ACTION_TOOLS = {tool.action: tool for tool in TOOLS.values() if tool.action is not None}
"""The tool behind each plan action: 'train' -> train, 'describe' -> describe_dataset, ..."""
