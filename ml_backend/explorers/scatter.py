"""Scatter plot of two numeric columns, with colour, size and an OLS trendline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pydantic import Field

from ml_backend.explorers.base import (
    ExplorationResult,
    Explorer,
    ExplorerParameters,
    RandomState,
    column_parameter,
)
from ml_backend.explorers.columns import (
    column_profile,
    numeric_column_names,
    require_count,
    require_numeric,
)
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import (
    FloatArray,
    is_numeric_series,
    numeric_values,
    require_frame_columns,
    sample_note,
    sample_positions,
)
from ml_backend.explorers.groups import group_rows
from ml_backend.numbers import format_metric
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

MAX_COLOR_GROUPS = 10
# below this many points SVG draws fine; above it WebGL keeps the browser responsive
_WEBGL_FROM = 2_000
_MIN_MARKER_PX, _MAX_MARKER_PX = 4.0, 20.0


class ScatterParameters(ExplorerParameters):
    color: Annotated[str, Field(min_length=1)] | None = column_parameter(
        "Column that colours the points: numeric gives a colour scale, others one colour a value."
    )
    size: Annotated[str, Field(min_length=1)] | None = column_parameter(
        "Numeric column that sizes the points."
    )
    trendline: bool = Field(default=False, description="Draw an ordinary least squares line.")
    max_points: Annotated[
        int, Field(ge=100, le=200_000, description="Most points drawn; more rows are sampled.")
    ] = 10_000
    random_state: RandomState = 42


class ScatterExplorer(Explorer[ScatterParameters]):
    name = "scatter"
    description = "Scatter plot of two numeric columns, with Pearson r and an optional trendline."
    parameters = ScatterParameters

    def applicable(self, profile: DatasetProfile) -> bool:
        """Needs two numeric columns."""
        return profile.row_count > 0 and len(numeric_column_names(profile)) >= 2

    def check_columns(
        self, columns: list[str], params: ScatterParameters, profile: DatasetProfile
    ) -> list[str]:
        """Two numeric columns, x and y; colour any column, size numeric."""
        require_count(
            columns, explorer=self.name, minimum=2, maximum=2, expected="two columns, x and y"
        )
        require_numeric(profile, columns[0], explorer=self.name, role="x")
        require_numeric(profile, columns[1], explorer=self.name, role="y")
        if params.color is not None:
            column_profile(profile, params.color, explorer=self.name, field="parameters.color")
        if params.size is not None:
            require_numeric(
                profile, params.size, explorer=self.name, role="size", field="parameters.size"
            )
        return columns

    def explore(
        self,
        columns: list[str],
        params: ScatterParameters,
        frame: pd.DataFrame,
        reporter: Reporter,
    ) -> ExplorationResult:
        """Pearson r and trendline on all complete rows; the figure on a sample of them."""
        reporter.progress(0, 3, message="scatter: reading columns")
        require_count(
            columns, explorer=self.name, minimum=2, maximum=2, expected="two columns, x and y"
        )
        x_name, y_name = columns
        extra = [c for c in (params.color, params.size) if c is not None]
        require_frame_columns(frame, [*columns, *extra], explorer=self.name)
        x = numeric_values(frame, x_name, explorer=self.name)
        y = numeric_values(frame, y_name, explorer=self.name)
        complete = np.flatnonzero(np.isfinite(x) & np.isfinite(y))

        reporter.progress(1, 3, message="scatter: correlation and trendline")
        notes: list[str] = []
        dropped = len(frame) - len(complete)
        if dropped:
            notes.append(f"{dropped:,} rows without a finite value in both columns are left out")
        pearson = pd.Series(x).corr(pd.Series(y))
        trend = _trendline(x[complete], y[complete]) if params.trendline else None
        if params.trendline and trend is None:
            notes.append("no trendline: it needs at least two distinct x values")

        reporter.progress(2, 3, message="scatter: drawing")
        shown = complete[sample_positions(len(complete), params.max_points, params.random_state)]
        sampled = len(shown) < len(complete)
        if sampled:
            notes.append(sample_note(len(shown), len(complete), params.random_state))
        figure = go.Figure()
        marker: dict[str, Any] = {}
        if params.size is not None:
            marker["size"] = _marker_sizes(numeric_values(frame, params.size, explorer=self.name))[
                shown
            ].tolist()
        trace = go.Scattergl if len(shown) > _WEBGL_FROM else go.Scatter
        if params.color is not None and not is_numeric_series(frame[params.color]):
            groups = group_rows(frame[params.color].iloc[shown], MAX_COLOR_GROUPS)
            if note := groups.note(params.color):
                notes.append(note)
            codes = groups.codes()
            for code, label in enumerate(groups.order):
                mask = codes == code
                group_marker = {k: np.asarray(v)[mask].tolist() for k, v in marker.items()}
                figure.add_trace(
                    trace(
                        x=x[shown][mask].tolist(),
                        y=y[shown][mask].tolist(),
                        mode="markers",
                        name=label,
                        marker=group_marker,
                    )
                )
        else:
            if params.color is not None:
                colors = numeric_values(frame, params.color, explorer=self.name)[shown]
                marker.update(
                    color=colors.tolist(),
                    colorscale="Viridis",
                    colorbar={"title": {"text": params.color}},
                    showscale=True,
                )
            figure.add_trace(
                trace(
                    x=x[shown].tolist(),
                    y=y[shown].tolist(),
                    mode="markers",
                    name=f"{y_name} vs {x_name}",
                    marker=marker,
                )
            )
        if trend is not None:
            ends = np.array([x[complete].min(), x[complete].max()])
            fit = "" if trend.r2 is None else f" (R² {format_metric('r2', trend.r2)})"
            figure.add_trace(
                go.Scatter(
                    x=ends.tolist(),
                    y=(trend.slope * ends + trend.intercept).tolist(),
                    mode="lines",
                    name=f"OLS fit{fit}",
                )
            )
        figure.update_layout(
            title={"text": f"{y_name} vs {x_name}"},
            xaxis={"title": {"text": x_name}},
            yaxis={"title": {"text": y_name}},
        )
        summary: dict[str, Any] = {
            "x": x_name,
            "y": y_name,
            "rows": len(complete),
            "rows_left_out": dropped,
            "points_shown": len(shown),
            "pearson_r": pearson,
            "trendline": None if trend is None else asdict(trend),
            "color": params.color,
            "size": params.size,
        }
        reporter.progress(3, 3, message="scatter: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=sampled,
        )


@dataclass(frozen=True)
class Trendline:
    """An ordinary least squares line y = slope * x + intercept, and its R²."""

    slope: float
    intercept: float
    r2: float | None


def _trendline(x: FloatArray, y: FloatArray) -> Trendline | None:
    if len(np.unique(x)) < 2:
        return None
    slope, intercept = np.polyfit(x, y, deg=1)
    residual = y - (slope * x + intercept)
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual**2)) / total if total > 0 else None
    return Trendline(slope=float(slope), intercept=float(intercept), r2=r2)


def _marker_sizes(values: FloatArray) -> FloatArray:
    finite = np.isfinite(values)
    sizes = np.full(values.shape, _MIN_MARKER_PX)
    if not finite.any():
        return sizes
    low, high = values[finite].min(), values[finite].max()
    span = high - low
    if span > 0:
        scaled = (values[finite] - low) / span
        sizes[finite] = _MIN_MARKER_PX + scaled * (_MAX_MARKER_PX - _MIN_MARKER_PX)
    return sizes
