"""Line chart of numeric columns over a datetime or numeric x, bucketed when long."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pydantic import Field

from ml_backend.errors import ConfigValidationError
from ml_backend.explorers.base import ExplorationResult, Explorer, ExplorerParameters
from ml_backend.explorers.columns import (
    column_profile,
    is_numeric,
    numeric_column_names,
    require_count,
    require_numeric,
)
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import (
    FloatArray,
    is_datetime_series,
    is_numeric_series,
    numeric_values,
    require_frame_columns,
)
from ml_backend.reporting import Reporter
from ml_backend.schema import ColumnKind, DatasetProfile

MAX_SERIES = 10
_EXPECTED = f"an x column and one to {MAX_SERIES} y columns: columns [x, y, ...]"


class LineParameters(ExplorerParameters):
    max_points: Annotated[
        int,
        Field(ge=10, le=100_000, description="Most points per line; longer data is bucketed."),
    ] = 5_000
    agg: Literal["mean", "sum", "median", "min", "max", "first", "last"] = Field(
        default="mean", description="How y values in one x bucket are combined."
    )


class LineExplorer(Explorer[LineParameters]):
    name = "line"
    description = "Numeric columns along a datetime or numeric x, sorted, bucketed when long."
    parameters = LineParameters

    def applicable(self, profile: DatasetProfile) -> bool:
        """Needs a numeric y and a datetime or second numeric column as x."""
        numeric = len(numeric_column_names(profile))
        has_time = any(c.kind is ColumnKind.DATETIME for c in profile.columns)
        return profile.row_count > 0 and numeric >= (1 if has_time else 2)

    def check_columns(
        self, columns: list[str], params: LineParameters, profile: DatasetProfile
    ) -> list[str]:
        """x datetime or numeric, then numeric y columns."""
        require_count(
            columns, explorer=self.name, minimum=2, maximum=MAX_SERIES + 1, expected=_EXPECTED
        )
        x = column_profile(profile, columns[0], explorer=self.name)
        if x.kind is not ColumnKind.DATETIME and not is_numeric(x):
            raise ConfigValidationError(
                f"line needs a datetime or numeric x column; '{x.name}' is {x.kind.value}"
                " — try a bar chart with it as the category.",
                field="columns",
            )
        for name in columns[1:]:
            require_numeric(profile, name, explorer=self.name, role="y")
        return columns

    def explore(
        self, columns: list[str], params: LineParameters, frame: pd.DataFrame, reporter: Reporter
    ) -> ExplorationResult:
        """Rows sorted by x; past max_points, equal-width x buckets combined with `agg`."""
        reporter.progress(0, 3, message="line: sorting by x")
        require_count(
            columns, explorer=self.name, minimum=2, maximum=MAX_SERIES + 1, expected=_EXPECTED
        )
        require_frame_columns(frame, columns, explorer=self.name)
        x_name, y_names = columns[0], columns[1:]
        x_series = frame[x_name]
        is_time = is_datetime_series(x_series)
        if not is_time and not is_numeric_series(x_series):
            raise ConfigValidationError(
                f"line needs a datetime or numeric x column; '{x_name}' holds {x_series.dtype}.",
                field="columns",
            )
        x = _x_numbers(x_series) if is_time else numeric_values(frame, x_name, explorer=self.name)
        ys = pd.DataFrame({y: numeric_values(frame, y, explorer=self.name) for y in y_names})
        usable = np.isfinite(x)
        order = np.flatnonzero(usable)[np.argsort(x[usable], kind="stable")]
        x, ys = x[order], ys.iloc[order].reset_index(drop=True)
        notes: list[str] = []
        if not usable.all():
            notes.append(f"{int((~usable).sum()):,} rows without an x value are left out")
        if len(x) == 0:
            raise ConfigValidationError(
                f"line: '{x_name}' has no values to draw along; pick another x column.",
                field="columns",
            )

        reporter.progress(1, 3, message="line: preparing points")
        resampled = len(x) > params.max_points
        shown_x: FloatArray
        shown_y: pd.DataFrame
        if resampled:
            buckets = _buckets(x, params.max_points)
            shown_x = np.asarray(pd.Series(x).groupby(buckets).mean(), dtype=np.float64)
            shown_y = ys.groupby(buckets).agg(params.agg)
            notes.append(
                f"{len(x):,} rows are drawn as {len(shown_x):,} points: the {params.agg} of y"
                f" in each of {params.max_points:,} equal-width '{x_name}' buckets"
            )
        elif len(np.unique(x)) < len(x):
            # several rows at one x (stores per week): one point each, combined, not a zigzag
            keys = pd.Series(x)
            shown_x = np.asarray(keys.drop_duplicates().sort_values(), dtype=np.float64)
            shown_y = ys.groupby(keys.to_numpy()).agg(params.agg).reset_index(drop=True)
            resampled = True
            notes.append(
                f"{len(x):,} rows share {len(shown_x):,} '{x_name}' values: each point is the "
                f"{params.agg} of y at its x"
            )
        else:
            shown_x, shown_y = x, ys

        reporter.progress(2, 3, message="line: drawing")
        x_values = _x_labels(shown_x) if is_time else shown_x.tolist()
        figure = go.Figure()
        for y in y_names:
            figure.add_trace(go.Scatter(x=x_values, y=shown_y[y].tolist(), mode="lines", name=y))
        figure.update_layout(
            title={"text": f"{', '.join(y_names)} by {x_name}"},
            xaxis={"title": {"text": x_name}},
            yaxis={"title": {"text": y_names[0] if len(y_names) == 1 else "value"}},
        )
        first_last = _x_labels(x[[0, -1]]) if is_time else [x[0], x[-1]]
        summary: dict[str, Any] = {
            "x": x_name,
            "x_kind": "datetime" if is_time else "numeric",
            "rows": len(x),
            "points": len(shown_x),
            "resampled": resampled,
            "agg": params.agg if resampled else None,
            "x_first": first_last[0],
            "x_last": first_last[1],
            "series": {y: _series_summary(ys[y]) for y in y_names},
        }
        reporter.progress(3, 3, message="line: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=resampled,
        )


def _x_numbers(series: pd.Series) -> FloatArray:
    """Timestamps as float nanoseconds since the epoch (UTC for zoned ones), NaN for missing."""
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = series.to_numpy(dtype="datetime64[ns]")
    numbers: FloatArray = stamps.astype(np.int64).astype(np.float64)
    numbers[np.isnat(stamps)] = np.nan
    return numbers


def _x_labels(numbers: FloatArray) -> list[str]:
    stamps = pd.to_datetime(np.round(numbers).astype(np.int64), unit="ns")
    return [stamp.isoformat() for stamp in stamps]


def _buckets(x: FloatArray, count: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    span = x[-1] - x[0]
    if span == 0:
        return np.zeros(len(x), dtype=np.int64)
    position = np.floor((x - x[0]) / span * count).astype(np.int64)
    clipped: np.ndarray[Any, np.dtype[np.int64]] = np.minimum(position, count - 1)
    return clipped


def _series_summary(values: pd.Series) -> dict[str, Any]:
    present = values.dropna()
    return {
        "first": present.iloc[0] if len(present) else None,
        "last": present.iloc[-1] if len(present) else None,
        "min": present.min() if len(present) else None,
        "max": present.max() if len(present) else None,
        "mean": present.mean() if len(present) else None,
        "missing": int(values.isna().sum()),
    }
