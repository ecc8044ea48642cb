"""Frames, profiles and checks shared by the explorer tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from palmerpenguins import load_penguins

from ml_backend.configs import DatasetByName, ExplorationConfig, ExplorerName
from ml_backend.datasets.profile import profile_parquet
from ml_backend.explorers import ExplorationResult, run_exploration, validate_exploration
from ml_backend.reporting import RecordingReporter
from ml_backend.schema import DatasetProfile

PENGUIN_NUMBERS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def penguins() -> pd.DataFrame:
    """The Palmer penguins: 344 rows, string categoricals, a few missing values."""
    frame: pd.DataFrame = load_penguins()
    return frame


def profile_of(frame: pd.DataFrame, directory: Path) -> DatasetProfile:
    """The profile the dataset profiler makes of `frame` stored as Parquet."""
    path = directory / "data.parquet"
    frame.to_parquet(path, index=False)
    return profile_parquet(path)


def config(explorer: str, columns: list[str] | None = None, **parameters: Any) -> ExplorationConfig:
    """An exploration config over a dataset named 'data'."""
    return ExplorationConfig(
        explorer=ExplorerName(explorer),
        dataset=DatasetByName(name="data"),
        columns=columns or [],
        parameters=parameters,
    )


def explore(
    frame: pd.DataFrame,
    directory: Path,
    explorer: str,
    columns: list[str] | None = None,
    **parameters: Any,
) -> tuple[ExplorationResult, RecordingReporter]:
    """Validates against the frame's profile, runs, and checks the result is plain JSON."""
    validated = validate_exploration(
        config(explorer, columns, **parameters), profile_of(frame, directory)
    )
    reporter = RecordingReporter()
    result = run_exploration(validated, frame, reporter)
    assert_plain_json(result)
    assert_progress(reporter)
    return result, reporter


def assert_plain_json(result: ExplorationResult) -> None:
    """The result dumps as strict JSON (no NaN) and holds no base64 typed arrays."""
    text = json.dumps(result.model_dump(mode="python"), allow_nan=False)
    assert '"bdata"' not in text
    assert json.loads(text)["figure"]["data"], "the figure has no traces"
    # plotly validates every property name and value while it builds the figure
    go.Figure(result.figure)


def assert_progress(reporter: RecordingReporter) -> None:
    """Progress starts at step 0 and ends at step == total."""
    steps = [e for e in reporter.events if e["type"] == "progress"]
    assert steps[0]["step"] == 0
    assert steps[-1]["step"] == steps[-1]["total"]
    assert [e["step"] for e in steps] == sorted(e["step"] for e in steps)


def nan_to_none(values: Any) -> list[Any]:
    """A list with NaN as None, as the figures hold it."""
    return [None if isinstance(v, float) and np.isnan(v) else v for v in list(values)]


def traces(result: ExplorationResult, kind: str | None = None) -> list[dict[str, Any]]:
    """The figure's traces, optionally only those of one type."""
    data: list[dict[str, Any]] = result.figure["data"]
    return [t for t in data if kind is None or t["type"] == kind]
