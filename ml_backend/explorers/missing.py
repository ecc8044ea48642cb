"""Missing values per column, and where they fall over a spread of rows."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from pydantic import Field

from ml_backend.explorers.base import ExplorationResult, Explorer, ExplorerParameters
from ml_backend.explorers.columns import column_profile, require_distinct
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import require_frame_columns
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile


class MissingParameters(ExplorerParameters):
    max_rows: Annotated[
        int,
        Field(ge=10, le=5_000, description="Rows in the missingness map, evenly spread."),
    ] = 500


class MissingExplorer(Explorer[MissingParameters]):
    name = "missing"
    description = "Missing values per column (count and share) and a map of where they fall."
    parameters = MissingParameters

    def check_columns(
        self, columns: list[str], params: MissingParameters, profile: DatasetProfile
    ) -> list[str]:
        """The given columns, or all of them."""
        require_distinct(columns, explorer=self.name)
        for name in columns:
            column_profile(profile, name, explorer=self.name)
        return columns or profile.column_names

    def explore(
        self, columns: list[str], params: MissingParameters, frame: pd.DataFrame, reporter: Reporter
    ) -> ExplorationResult:
        """Counts over every row; the map over at most max_rows evenly spaced rows."""
        reporter.progress(0, 3, message="missing: counting")
        chosen = columns or [str(c) for c in frame.columns]
        require_frame_columns(frame, chosen, explorer=self.name)
        absent = frame[chosen].isna()
        counts = absent.sum()
        rows = len(frame)
        shares = [int(counts[c]) / rows if rows else 0.0 for c in chosen]

        reporter.progress(1, 3, message="missing: choosing rows for the map")
        if rows > params.max_rows:
            positions = np.unique(np.linspace(0, rows - 1, params.max_rows).round().astype(int))
        else:
            positions = np.arange(rows)
        sampled = len(positions) < rows
        notes: list[str] = []
        if sampled:
            notes.append(
                f"the map shows {len(positions):,} evenly spaced of {rows:,} rows;"
                " the counts use all rows"
            )

        reporter.progress(2, 3, message="missing: drawing")
        figure = make_subplots(
            rows=2,
            cols=1,
            row_heights=[0.35, 0.65],
            vertical_spacing=0.12,
            subplot_titles=("Share of missing values", "Missing values by row (1 = missing)"),
        )
        figure.add_trace(
            go.Bar(
                x=chosen,
                y=shares,
                name="missing share",
                customdata=[int(counts[c]) for c in chosen],
                hovertemplate="%{x}: %{customdata} missing (%{y:.1%})<extra></extra>",
            ),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Heatmap(
                z=absent.iloc[positions].to_numpy(dtype=np.int64).tolist(),
                x=chosen,
                y=positions.tolist(),
                zmin=0,
                zmax=1,
                showscale=False,
                colorscale=[[0.0, "#e8eef7"], [1.0, "#c0392b"]],
                name="missing",
            ),
            row=2,
            col=1,
        )
        figure.update_yaxes(tickformat=".0%", range=[0, 1], row=1, col=1)
        figure.update_yaxes(title={"text": "row"}, autorange="reversed", row=2, col=1)
        figure.update_xaxes(type="category")
        figure.update_layout(title={"text": "Missing values"}, showlegend=False)
        summary: dict[str, Any] = {
            "rows": rows,
            "columns": [
                {"column": c, "missing": int(counts[c]), "share": share}
                for c, share in zip(chosen, shares, strict=True)
            ],
            "total_missing": int(counts.sum()),
            "complete_rows": int((~absent.any(axis=1)).sum()),
            "map_rows": positions.tolist(),
        }
        reporter.progress(3, 3, message="missing: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=rows,
            sampled=sampled,
        )
