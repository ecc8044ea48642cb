"""Correlation matrix of numeric columns as an annotated heatmap."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pydantic import Field

from ml_backend.errors import ConfigValidationError
from ml_backend.explorers.base import ExplorationResult, Explorer, ExplorerParameters
from ml_backend.explorers.columns import numeric_column_names, require_distinct, require_numeric
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import (
    numeric_frame_columns,
    numeric_values,
    require_frame_columns,
)
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

MAX_COLUMNS = 100


class CorrelationParameters(ExplorerParameters):
    method: Literal["pearson", "spearman", "kendall"] = Field(
        default="pearson",
        description="pearson: linear; spearman: monotonic (ranks); kendall: rank agreement.",
    )
    top_pairs: Annotated[
        int, Field(ge=1, le=100, description="How many strongest pairs the summary lists.")
    ] = 10


class CorrelationExplorer(Explorer[CorrelationParameters]):
    name = "correlation"
    description = "Correlation matrix (pearson, spearman or kendall) of numeric columns, heatmap."
    parameters = CorrelationParameters

    def applicable(self, profile: DatasetProfile) -> bool:
        """Needs two numeric columns."""
        return profile.row_count > 0 and len(numeric_column_names(profile)) >= 2

    def check_columns(
        self, columns: list[str], params: CorrelationParameters, profile: DatasetProfile
    ) -> list[str]:
        """The given numeric columns, or every numeric column; at least two."""
        require_distinct(columns, explorer=self.name)
        for name in columns:
            require_numeric(profile, name, explorer=self.name)
        chosen = columns or numeric_column_names(profile)
        _require_size(chosen, explicit=bool(columns))
        return chosen

    def explore(
        self,
        columns: list[str],
        params: CorrelationParameters,
        frame: pd.DataFrame,
        reporter: Reporter,
    ) -> ExplorationResult:
        """pandas' DataFrame.corr over all rows (pairwise complete), drawn as a heatmap."""
        reporter.progress(0, 3, message="correlation: reading columns")
        require_frame_columns(frame, columns, explorer=self.name)
        for name in columns:
            numeric_values(frame, name, explorer=self.name)
        chosen = columns or numeric_frame_columns(frame)
        _require_size(chosen, explicit=bool(columns))

        reporter.progress(1, 3, message=f"correlation: {params.method} matrix")
        matrix = frame[chosen].corr(method=params.method)
        values = matrix.to_numpy(dtype=np.float64)
        notes: list[str] = []
        undefined = [c for c, row in zip(chosen, values, strict=True) if np.isnan(row).all()]
        if undefined:
            notes.append(
                "no correlation for "
                + ", ".join(f"'{c}'" for c in undefined)
                + ": constant or too few values"
            )
        pairs: list[dict[str, Any]] = [
            {"a": chosen[i], "b": chosen[j], "r": float(values[i, j])}
            for i in range(len(chosen))
            for j in range(i + 1, len(chosen))
            if np.isfinite(values[i, j])
        ]
        pairs.sort(key=lambda pair: abs(pair["r"]), reverse=True)

        reporter.progress(2, 3, message="correlation: drawing")
        z = values.tolist()
        text = [["" if np.isnan(v) else f"{v:.2f}" for v in row] for row in values]
        figure = go.Figure(
            go.Heatmap(
                z=z,
                x=chosen,
                y=chosen,
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                text=text,
                texttemplate="%{text}",
                colorbar={"title": {"text": "r"}},
            )
        )
        figure.update_layout(
            title={"text": f"{params.method.capitalize()} correlation"},
            yaxis={"autorange": "reversed"},
        )
        summary: dict[str, Any] = {
            "method": params.method,
            "columns": chosen,
            "matrix": z,
            "top_pairs": pairs[: params.top_pairs],
            "rows": len(frame),
        }
        reporter.progress(3, 3, message="correlation: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=False,
        )


def _require_size(columns: list[str], *, explicit: bool) -> None:
    if len(columns) < 2:
        found = ", ".join(f"'{c}'" for c in columns) or "none"
        where = "were given" if explicit else "the dataset has"
        raise ConfigValidationError(
            f"correlation needs at least two numeric columns; {where} {len(columns)} ({found})."
            " Name two or more numeric columns.",
            field="columns",
        )
    if len(columns) > MAX_COLUMNS:
        raise ConfigValidationError(
            f"correlation draws at most {MAX_COLUMNS} columns; got {len(columns)}."
            " Name the columns you want in 'columns'.",
            field="columns",
        )
