"""Explorers: data exploration that returns a Plotly figure and the numbers it shows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ml_backend.configs import ExplorationConfig, ExplorerName
from ml_backend.errors import ConfigValidationError
from ml_backend.explorers.bar import BarExplorer
from ml_backend.explorers.base import ExplorationResult, Explorer
from ml_backend.explorers.box import BoxExplorer
from ml_backend.explorers.columns import suggest
from ml_backend.explorers.correlation import CorrelationExplorer
from ml_backend.explorers.describe import DescribeExplorer
from ml_backend.explorers.histogram import HistogramExplorer
from ml_backend.explorers.line import LineExplorer
from ml_backend.explorers.missing import MissingExplorer
from ml_backend.explorers.scatter import ScatterExplorer
from ml_backend.explorers.scatter_matrix import ScatterMatrixExplorer
from ml_backend.reporting import NullReporter, Reporter
from ml_backend.schema import DatasetProfile

__all__ = [
    "EXPLORERS",
    "ExplorationResult",
    "Explorer",
    "get_explorer",
    "run_exploration",
    "validate_exploration",
]

EXPLORERS: dict[str, Explorer[Any]] = {
    explorer.name: explorer
    for explorer in (
        ScatterExplorer(),
        HistogramExplorer(),
        BoxExplorer(),
        BarExplorer(),
        LineExplorer(),
        CorrelationExplorer(),
        ScatterMatrixExplorer(),
        DescribeExplorer(),
        MissingExplorer(),
    )
}


def get_explorer(name: str | ExplorerName) -> Explorer[Any]:
    """The registered explorer called `name`."""
    key = name.value if isinstance(name, ExplorerName) else name
    explorer = EXPLORERS.get(key)
    if explorer is None:
        close = suggest(key, list(EXPLORERS))
        guess = f" did you mean '{close[0]}'?" if close else ""
        raise ConfigValidationError(
            f"no explorer '{key}';{guess} Explorers: {', '.join(EXPLORERS)}.", field="explorer"
        )
    return explorer


def validate_exploration(config: ExplorationConfig, profile: DatasetProfile) -> ExplorationConfig:
    """`config` checked against the dataset's profile, with defaults filled in."""
    return get_explorer(config.explorer).validate(config, profile)


def run_exploration(
    config: ExplorationConfig, frame: pd.DataFrame, reporter: Reporter | None = None
) -> ExplorationResult:
    """Runs a validated exploration over `frame`."""
    return get_explorer(config.explorer).run(config, frame, reporter or NullReporter())
