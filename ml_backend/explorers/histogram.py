"""Histogram of one numeric column, binned with numpy over all rows."""

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
    column_parameter,
)
from ml_backend.explorers.columns import (
    numeric_column_names,
    require_count,
    require_group,
    require_numeric,
)
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import numeric_values, require_frame_columns
from ml_backend.explorers.groups import group_rows
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

MAX_COLOR_GROUPS = 12


class HistogramParameters(ExplorerParameters):
    bins: Annotated[int, Field(ge=1, le=500, description="Number of equal-width bins.")] = 30
    color: Annotated[str, Field(min_length=1)] | None = column_parameter(
        "Categorical column: one histogram per value, on the same bins."
    )


class HistogramExplorer(Explorer[HistogramParameters]):
    name = "histogram"
    description = "Distribution of one numeric column, optionally one histogram per group."
    parameters = HistogramParameters

    def applicable(self, profile: DatasetProfile) -> bool:
        """Needs a numeric column."""
        return profile.row_count > 0 and bool(numeric_column_names(profile))

    def check_columns(
        self, columns: list[str], params: HistogramParameters, profile: DatasetProfile
    ) -> list[str]:
        """One numeric column; colour a categorical one."""
        require_count(columns, explorer=self.name, minimum=1, maximum=1, expected="one column")
        require_numeric(profile, columns[0], explorer=self.name)
        if params.color is not None:
            require_group(
                profile, params.color, explorer=self.name, role="color", field="parameters.color"
            )
        return columns

    def explore(
        self,
        columns: list[str],
        params: HistogramParameters,
        frame: pd.DataFrame,
        reporter: Reporter,
    ) -> ExplorationResult:
        """Bin edges and counts over every finite value; bars drawn from them."""
        reporter.progress(0, 3, message="histogram: reading the column")
        require_count(columns, explorer=self.name, minimum=1, maximum=1, expected="one column")
        (name,) = columns
        require_frame_columns(
            frame, [name, *([params.color] if params.color else [])], explorer=self.name
        )
        values = numeric_values(frame, name, explorer=self.name)
        finite = np.isfinite(values)
        missing = int(np.isnan(values).sum())
        infinite = int(np.isinf(values).sum())
        if not finite.any():
            raise ConfigValidationError(
                f"histogram: '{name}' has no finite values to draw; pick another column.",
                field="columns",
            )

        reporter.progress(1, 3, message="histogram: binning")
        edges = np.histogram_bin_edges(values[finite], bins=params.bins)
        counts, _ = np.histogram(values[finite], bins=edges)
        centers = (edges[:-1] + edges[1:]) / 2
        widths = np.diff(edges)
        notes: list[str] = []
        if missing:
            notes.append(f"{missing:,} missing values are left out")
        if infinite:
            notes.append(f"{infinite:,} infinite values are left out")
        summary: dict[str, Any] = {
            "column": name,
            "bins": params.bins,
            "edges": edges.tolist(),
            "counts": counts.tolist(),
            "missing": missing,
            "infinite": infinite,
            "color": params.color,
        }

        reporter.progress(2, 3, message="histogram: drawing")
        figure = go.Figure()
        customdata = np.column_stack([edges[:-1], edges[1:]]).tolist()
        hover = (
            "%{customdata[0]:.4g} to %{customdata[1]:.4g}<br>count %{y}"
            "<extra>%{fullData.name}</extra>"
        )
        if params.color is None:
            figure.add_trace(
                go.Bar(
                    x=centers.tolist(),
                    y=counts.tolist(),
                    width=widths.tolist(),
                    name=name,
                    customdata=customdata,
                    hovertemplate=hover,
                )
            )
        else:
            groups = group_rows(frame[params.color], MAX_COLOR_GROUPS)
            if note := groups.note(params.color):
                notes.append(note)
            codes = groups.codes()
            per_group: dict[str, list[int]] = {}
            for code, label in enumerate(groups.order):
                group_values = values[(codes == code) & finite]
                group_counts, _ = np.histogram(group_values, bins=edges)
                per_group[label] = group_counts.tolist()
                figure.add_trace(
                    go.Bar(
                        x=centers.tolist(),
                        y=group_counts.tolist(),
                        width=widths.tolist(),
                        name=label,
                        opacity=0.6,
                        customdata=customdata,
                        hovertemplate=hover,
                    )
                )
            summary["group_counts"] = per_group
            figure.update_layout(barmode="overlay")
        figure.update_layout(
            title={"text": f"Distribution of {name}"},
            xaxis={"title": {"text": name}},
            yaxis={"title": {"text": "count"}},
            bargap=0,
        )
        reporter.progress(3, 3, message="histogram: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=False,
        )
