"""Scatter matrix (Plotly splom) of up to eight numeric columns over a row sample."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pydantic import Field

from ml_backend.errors import ConfigValidationError
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
    require_distinct,
    require_numeric,
)
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import (
    is_numeric_series,
    numeric_frame_columns,
    numeric_values,
    require_frame_columns,
    sample_note,
    sample_positions,
)
from ml_backend.explorers.groups import group_rows
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

MAX_COLUMNS = 8
DEFAULT_COLUMNS = 6
MAX_COLOR_GROUPS = 10


class ScatterMatrixParameters(ExplorerParameters):
    color: Annotated[str, Field(min_length=1)] | None = column_parameter(
        "Column that colours the points: numeric gives a colour scale, others one colour a value."
    )
    max_points: Annotated[
        int, Field(ge=100, le=20_000, description="Most rows drawn; more rows are sampled.")
    ] = 2_000
    random_state: RandomState = 42


class ScatterMatrixExplorer(Explorer[ScatterMatrixParameters]):
    name = "scatter_matrix"
    description = "Every pair of up to eight numeric columns as scatter plots in one grid."
    parameters = ScatterMatrixParameters

    def applicable(self, profile: DatasetProfile) -> bool:
        """Needs two numeric columns."""
        return profile.row_count > 0 and len(numeric_column_names(profile)) >= 2

    def check_columns(
        self, columns: list[str], params: ScatterMatrixParameters, profile: DatasetProfile
    ) -> list[str]:
        """Two to eight numeric columns, by default the first six numeric ones."""
        require_distinct(columns, explorer=self.name)
        for name in columns:
            require_numeric(profile, name, explorer=self.name)
        if params.color is not None:
            column_profile(profile, params.color, explorer=self.name, field="parameters.color")
        chosen = columns or numeric_column_names(profile)[:DEFAULT_COLUMNS]
        _require_size(chosen)
        return chosen

    def explore(
        self,
        columns: list[str],
        params: ScatterMatrixParameters,
        frame: pd.DataFrame,
        reporter: Reporter,
    ) -> ExplorationResult:
        """A splom of a row sample; the summary's correlations use every row."""
        reporter.progress(0, 3, message="scatter_matrix: reading columns")
        require_frame_columns(
            frame, [*columns, *([params.color] if params.color else [])], explorer=self.name
        )
        chosen = columns or numeric_frame_columns(frame)[:DEFAULT_COLUMNS]
        _require_size(chosen)
        values = {name: numeric_values(frame, name, explorer=self.name) for name in chosen}

        reporter.progress(1, 3, message="scatter_matrix: sampling rows")
        shown = sample_positions(len(frame), params.max_points, params.random_state)
        sampled = len(shown) < len(frame)
        notes = [sample_note(len(shown), len(frame), params.random_state)] if sampled else []
        pearson = frame[chosen].corr(method="pearson")

        reporter.progress(2, 3, message="scatter_matrix: drawing")
        figure = go.Figure()
        color = params.color
        if color is not None and not is_numeric_series(frame[color]):
            groups = group_rows(frame[color].iloc[shown], MAX_COLOR_GROUPS)
            if note := groups.note(color):
                notes.append(note)
            codes = groups.codes()
            for code, label in enumerate(groups.order):
                rows = shown[codes == code]
                figure.add_trace(_splom(values, rows, name=label, marker={"size": 4}))
        else:
            marker: dict[str, Any] = {"size": 4}
            if color is not None:
                marker.update(
                    color=numeric_values(frame, color, explorer=self.name)[shown].tolist(),
                    colorscale="Viridis",
                    showscale=True,
                    colorbar={"title": {"text": color}},
                )
            figure.add_trace(_splom(values, shown, name="rows", marker=marker))
        side = 160 * len(chosen) + 120
        figure.update_layout(
            title={"text": "Scatter matrix"},
            width=side,
            height=side,
            dragmode="select",
            showlegend=color is not None,
        )
        summary: dict[str, Any] = {
            "columns": chosen,
            "color": color,
            "rows": len(frame),
            "points_shown": len(shown),
            "pearson": pearson.to_numpy(dtype=np.float64).tolist(),
            "ranges": {
                name: {
                    "min": np.nanmin(v) if np.isfinite(v).any() else None,
                    "max": np.nanmax(v) if np.isfinite(v).any() else None,
                }
                for name, v in values.items()
            },
        }
        reporter.progress(3, 3, message="scatter_matrix: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=sampled,
        )


def _splom(
    values: dict[str, Any], rows: np.ndarray[Any, Any], *, name: str, marker: dict[str, Any]
) -> go.Splom:
    dimensions = [{"label": column, "values": v[rows].tolist()} for column, v in values.items()]
    return go.Splom(dimensions=dimensions, name=name, marker=marker, diagonal={"visible": False})


def _require_size(columns: list[str]) -> None:
    if not 2 <= len(columns) <= MAX_COLUMNS:
        found = ", ".join(f"'{c}'" for c in columns) or "none"
        raise ConfigValidationError(
            f"scatter_matrix needs two to {MAX_COLUMNS} numeric columns; got {len(columns)}"
            f" ({found}).",
            field="columns",
        )
