"""Box plot of a numeric column by an optional group, from quartiles computed over all rows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from pydantic import Field

from ml_backend.explorers.base import ExplorationResult, Explorer, ExplorerParameters, RandomState
from ml_backend.explorers.columns import (
    numeric_column_names,
    require_count,
    require_group,
    require_numeric,
)
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import (
    FloatArray,
    numeric_values,
    require_frame_columns,
    sample_positions,
)
from ml_backend.explorers.groups import group_rows
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

QUANTILE_METHOD: Literal["linear"] = "linear"
WHISKER_IQR = 1.5
_EXPECTED = "one value column and optionally a group column: columns [value] or [value, group]"


class BoxParameters(ExplorerParameters):
    max_groups: Annotated[
        int, Field(ge=1, le=100, description="Most boxes; less frequent groups are pooled.")
    ] = 30
    max_outliers: Annotated[
        int, Field(ge=0, le=20_000, description="Most outlier points drawn per group.")
    ] = 1_000
    random_state: RandomState = 42


class BoxExplorer(Explorer[BoxParameters]):
    name = "box"
    description = "Quartiles, whiskers and outliers of a numeric column, per group if given."
    parameters = BoxParameters

    def applicable(self, profile: DatasetProfile) -> bool:
        """Needs a numeric column."""
        return profile.row_count > 0 and bool(numeric_column_names(profile))

    def check_columns(
        self, columns: list[str], params: BoxParameters, profile: DatasetProfile
    ) -> list[str]:
        """A numeric value column and an optional categorical group column."""
        require_count(columns, explorer=self.name, minimum=1, maximum=2, expected=_EXPECTED)
        require_numeric(profile, columns[0], explorer=self.name, role="the value")
        if len(columns) == 2:
            require_group(profile, columns[1], explorer=self.name, role="the group")
        return columns

    def explore(
        self, columns: list[str], params: BoxParameters, frame: pd.DataFrame, reporter: Reporter
    ) -> ExplorationResult:
        """Quartiles (pandas' linear interpolation) and 1.5 IQR whiskers per group."""
        reporter.progress(0, 3, message="box: reading columns")
        require_count(columns, explorer=self.name, minimum=1, maximum=2, expected=_EXPECTED)
        require_frame_columns(frame, columns, explorer=self.name)
        value_name = columns[0]
        group_name = columns[1] if len(columns) == 2 else None
        values = numeric_values(frame, value_name, explorer=self.name)
        finite = np.isfinite(values)
        notes: list[str] = []
        if group_name is None:
            codes: npt.NDArray[np.integer[Any]] = np.zeros(len(values), dtype=np.int8)
            order = [value_name]
        else:
            groups = group_rows(frame[group_name], params.max_groups)
            codes, order = groups.codes(), groups.order
            if note := groups.note(group_name):
                notes.append(note)
        left_out = int((~finite).sum())
        if left_out:
            notes.append(f"{left_out:,} missing or infinite values of '{value_name}' are left out")

        reporter.progress(1, 3, message="box: quartiles per group")
        stats: list[dict[str, Any]] = []
        outliers: dict[str, FloatArray] = {}
        for code, label in enumerate(order):
            group_values = values[(codes == code) & finite]
            if len(group_values) == 0:
                notes.append(f"group '{label}' has no values of '{value_name}'")
                continue
            row, outliers[label] = _box_stats(group_values)
            stats.append({"group": label, **row})

        reporter.progress(2, 3, message="box: drawing")
        figure = go.Figure()
        if stats:
            figure.add_trace(
                go.Box(
                    x=[s["group"] for s in stats],
                    q1=[s["q1"] for s in stats],
                    median=[s["median"] for s in stats],
                    q3=[s["q3"] for s in stats],
                    lowerfence=[s["lower_fence"] for s in stats],
                    upperfence=[s["upper_fence"] for s in stats],
                    mean=[s["mean"] for s in stats],
                    boxpoints=False,
                    name=value_name,
                )
            )
        points_x: list[str] = []
        points_y: list[float] = []
        capped = False
        for label, group_outliers in outliers.items():
            keep = sample_positions(len(group_outliers), params.max_outliers, params.random_state)
            capped = capped or len(keep) < len(group_outliers)
            points_x.extend([label] * len(keep))
            points_y.extend(group_outliers[keep].tolist())
        if points_y:
            figure.add_trace(go.Scatter(x=points_x, y=points_y, mode="markers", name="outliers"))
        if capped:
            notes.append(
                f"at most {params.max_outliers:,} outliers per group are drawn"
                " (a random sample); the summary counts all of them"
            )
        figure.update_layout(
            title={"text": value_name if group_name is None else f"{value_name} by {group_name}"},
            xaxis={"title": {"text": group_name or ""}, "type": "category"},
            yaxis={"title": {"text": value_name}},
        )
        summary: dict[str, Any] = {
            "value": value_name,
            "group": group_name,
            "quantile_method": f"{QUANTILE_METHOD} interpolation (pandas' default)",
            "whiskers": f"furthest values within {WHISKER_IQR} IQR of the quartiles",
            "groups": stats,
            "left_out": left_out,
        }
        reporter.progress(3, 3, message="box: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=capped,
        )


def _box_stats(values: FloatArray) -> tuple[dict[str, Any], FloatArray]:
    series = pd.Series(values)
    q1, median, q3 = series.quantile([0.25, 0.5, 0.75], interpolation=QUANTILE_METHOD).tolist()
    reach = WHISKER_IQR * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    if inside.size == 0:
        inside = values
    lower, upper = float(inside.min()), float(inside.max())
    outside = values[(values < lower) | (values > upper)]
    row = {
        "count": len(values),
        "q1": q1,
        "median": median,
        "q3": q3,
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(series.mean()),
        "lower_fence": lower,
        "upper_fence": upper,
        "outliers": len(outside),
    }
    return row, outside
