"""A job kind made for a test: how many rows have a value in each chosen column.

It is what adding a kind takes: this module (config, resolve, run, result, words, SPEC) and
one entry in `ml_backend.jobs.registry.JOBS`. Run as `python -m tests.service.throwaway_kind
<mlchat command>`, it makes that entry and then runs mlchat, whose API, workers and agent
then know the kind like any other.
"""

from __future__ import annotations

import json
import sys

import pandas as pd
import plotly.graph_objects as go
from pydantic import BaseModel, ConfigDict

from ml_backend.configs import DatasetRef
from ml_backend.errors import ConfigValidationError
from ml_backend.explorers.figures import figure_json
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome
from ml_backend.jobs.words import dataset_words
from ml_backend.schema import DatasetProfile
from ml_backend.suggestions import did_you_mean


class RowCountConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: DatasetRef
    columns: list[str]


class RowCount(JobResult):
    counts: dict[str, int]
    total: int


def resolve(config: RowCountConfig, profile: DatasetProfile) -> RowCountConfig:
    for name in config.columns:
        if profile.column(name) is None:
            hint = did_you_mean(name, profile.column_names)
            raise ConfigValidationError(f"no column '{name}'{hint}", field="columns")
    return config


def run(frame: pd.DataFrame, resolved: RowCountConfig, env: JobEnv) -> Outcome[RowCount]:
    env.training()
    counts = {name: int(frame[name].notna().sum()) for name in resolved.columns}
    env.reporter.progress(1, 1, message="counted")
    figure = figure_json(go.Figure(go.Bar(x=list(counts), y=list(counts.values()))))
    return Outcome(RowCount(counts=counts, total=len(frame), plots=["rows"]), {"rows": figure})


def summarize(run_id: int, result: RowCount) -> str:
    counted = ", ".join(f"`{name}` {count}" for name, count in result.counts.items())
    return f"**Run {run_id} finished**: of {result.total} rows, {counted} have a value."


SPEC = JobSpec(
    kind="rows",
    route="rows",
    tool="count_rows",
    description="Count the rows that have a value in each of some columns.",
    config=RowCountConfig,
    resolved=RowCountConfig,
    result=RowCount,
    resolve=resolve,
    columns=lambda resolved: list(resolved.columns),
    run=run,
    describe=lambda c: f"Count the rows of {dataset_words(c.dataset)} with a value.",
    summarize=summarize,
    api_tag="rows",
    api_summary="Validate a RowCountConfig and queue it",
)


def main() -> int:
    from ml_backend.jobs.registry import JOBS

    JOBS[SPEC.kind] = SPEC  # the one line a new kind adds to the registry
    if sys.argv[1:] == ["tools"]:
        from agents.tools import TOOLS

        print(json.dumps({name: tool.starts_job for name, tool in TOOLS.items()}))
        return 0
    from service.cli import main as mlchat

    return mlchat(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
