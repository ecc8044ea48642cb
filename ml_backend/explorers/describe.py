"""Summary statistics of columns as a table, numbers as pandas' describe() gives them."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ml_backend.explorers.base import ExplorationResult, Explorer, ExplorerParameters
from ml_backend.explorers.columns import column_profile, require_distinct
from ml_backend.explorers.figures import figure_json, plain
from ml_backend.explorers.frames import (
    is_datetime_series,
    is_numeric_series,
    require_frame_columns,
)
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

NUMERIC_STATISTICS = ("count", "mean", "std", "min", "25%", "50%", "75%", "max")
OTHER_STATISTICS = ("count", "unique", "top", "freq")
TABLE_HEADER = ("column", "dtype", "missing", *NUMERIC_STATISTICS, *OTHER_STATISTICS[1:])


class DescribeParameters(ExplorerParameters):
    pass


class DescribeExplorer(Explorer[DescribeParameters]):
    name = "describe"
    description = "Count, mean, spread and quartiles of numeric columns; top values of others."
    parameters = DescribeParameters

    def check_columns(
        self, columns: list[str], params: DescribeParameters, profile: DatasetProfile
    ) -> list[str]:
        """The given columns, or all of them."""
        require_distinct(columns, explorer=self.name)
        for name in columns:
            column_profile(profile, name, explorer=self.name)
        return columns or profile.column_names

    def explore(
        self,
        columns: list[str],
        params: DescribeParameters,
        frame: pd.DataFrame,
        reporter: Reporter,
    ) -> ExplorationResult:
        """One row of statistics per column."""
        chosen = columns or [str(c) for c in frame.columns]
        require_frame_columns(frame, chosen, explorer=self.name)
        statistics: dict[str, dict[str, Any]] = {}
        for step, name in enumerate(chosen):
            reporter.progress(step, len(chosen) + 1, message=f"describe: '{name}'")
            statistics[name] = _describe(frame[name])
        reporter.progress(len(chosen), len(chosen) + 1, message="describe: drawing")
        cells = [[_cell(statistics[name].get(key)) for name in chosen] for key in TABLE_HEADER]
        cells[0] = list(chosen)
        figure = go.Figure(go.Table(header={"values": list(TABLE_HEADER)}, cells={"values": cells}))
        figure.update_layout(title={"text": "Summary statistics"})
        summary: dict[str, Any] = {"rows": len(frame), "columns": statistics}
        reporter.progress(len(chosen) + 1, len(chosen) + 1, message="describe: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=[],
            row_count=len(frame),
            sampled=False,
        )


def _describe(series: pd.Series) -> dict[str, Any]:
    row: dict[str, Any] = {"dtype": str(series.dtype), "missing": int(series.isna().sum())}
    if is_numeric_series(series):
        described = series.describe()
        row.update({key: plain(described[key]) for key in NUMERIC_STATISTICS})
        row["kind"] = "numeric"
        return row
    present = series.dropna()
    counts = present.value_counts()
    row.update(
        {
            "kind": "datetime" if is_datetime_series(series) else "other",
            "count": len(present),
            "unique": len(counts),
            "top": plain(counts.index[0]) if len(counts) else None,
            "freq": int(counts.iloc[0]) if len(counts) else None,
        }
    )
    if is_datetime_series(series) and len(present):
        row.update(min=plain(present.min()), max=plain(present.max()))
    return row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
