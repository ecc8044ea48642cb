"""Bar chart of a column's categories: row counts, or an aggregate of a numeric column."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
import plotly.graph_objects as go
from pydantic import Field, model_validator

from ml_backend.explorers.base import (
    ExplorationResult,
    Explorer,
    ExplorerParameters,
    column_parameter,
)
from ml_backend.explorers.columns import (
    column_profile,
    require_count,
    require_group,
    require_numeric,
)
from ml_backend.explorers.figures import figure_json
from ml_backend.explorers.frames import numeric_values, require_frame_columns
from ml_backend.explorers.groups import OTHER_LABEL, group_rows, label_of
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

Aggregation = Literal["count", "mean", "sum", "median", "min", "max"]
MAX_COLOR_GROUPS = 12


class BarParameters(ExplorerParameters):
    value: Annotated[str, Field(min_length=1)] | None = column_parameter(
        "Numeric column aggregated per category; null counts rows."
    )
    agg: Aggregation | None = Field(
        default=None,
        description="Aggregate of `value` per category; defaults to mean with a value, else count.",
    )
    top_n: Annotated[
        int, Field(ge=1, le=200, description="Most frequent categories shown; the rest pooled.")
    ] = 30
    color: Annotated[str, Field(min_length=1)] | None = column_parameter(
        "Categorical column that splits each bar into groups."
    )

    @model_validator(mode="after")
    def _agg_fits_value(self) -> BarParameters:
        if self.agg is None:
            self.agg = "count" if self.value is None else "mean"
        if self.value is None and self.agg != "count":
            raise ValueError(
                f"agg '{self.agg}' needs a numeric column to aggregate: set 'value',"
                " or use agg 'count' to count rows"
            )
        return self


class BarExplorer(Explorer[BarParameters]):
    name = "bar"
    description = "Counts per category (top N, rest pooled), or an aggregate of a numeric column."
    parameters = BarParameters

    def check_columns(
        self, columns: list[str], params: BarParameters, profile: DatasetProfile
    ) -> list[str]:
        """One category column of any kind; value numeric, colour categorical."""
        require_count(
            columns, explorer=self.name, minimum=1, maximum=1, expected="one category column"
        )
        column_profile(profile, columns[0], explorer=self.name)
        if params.value is not None:
            require_numeric(
                profile, params.value, explorer=self.name, role="value", field="parameters.value"
            )
        if params.color is not None:
            require_group(
                profile, params.color, explorer=self.name, role="color", field="parameters.color"
            )
        return columns

    def explore(
        self, columns: list[str], params: BarParameters, frame: pd.DataFrame, reporter: Reporter
    ) -> ExplorationResult:
        """The table of counts or aggregates per category, drawn as bars."""
        reporter.progress(0, 3, message="bar: reading columns")
        require_count(
            columns, explorer=self.name, minimum=1, maximum=1, expected="one category column"
        )
        (name,) = columns
        agg = params.agg or "count"
        extra = [c for c in (params.value, params.color) if c is not None]
        require_frame_columns(frame, [name, *extra], explorer=self.name)
        notes: list[str] = []
        present = frame[name].notna()
        missing = int((~present).sum())
        if missing:
            notes.append(f"{missing:,} rows with no '{name}' are left out")
        categories = frame[name][present]
        frequency = categories.value_counts()
        kept = list(frequency.index[: params.top_n])
        pooled = len(frequency) - len(kept)
        if pooled:
            notes.append(
                f"the {len(kept)} most frequent of {len(frequency)} categories are shown;"
                f" the other {pooled} are pooled as {OTHER_LABEL}"
            )
        labels = categories.map({v: label_of(v) for v in kept}).astype(object)
        labels = labels.where(labels.notna(), OTHER_LABEL)

        reporter.progress(1, 3, message=f"bar: {agg} per category")
        if params.value is None:
            measured = pd.Series(1.0, index=labels.index)
        else:
            measured = pd.Series(
                numeric_values(frame, params.value, explorer=self.name), index=frame.index
            )[present]
        keys: list[pd.Series] = [labels.rename("category")]
        color_order: list[str] = []
        if params.color is not None:
            groups = group_rows(frame[params.color][present], MAX_COLOR_GROUPS)
            color_order = groups.order
            keys.append(groups.labels.rename("color"))
            if note := groups.note(params.color):
                notes.append(note)
        grouped = measured.groupby(keys, sort=False)
        table = (grouped.size() if params.value is None else grouped.agg(agg)).rename("value")
        order = _category_order(measured.groupby(labels, sort=False), params, agg)

        reporter.progress(2, 3, message="bar: drawing")
        figure = go.Figure()
        value_title = "rows" if params.value is None else f"{agg} of {params.value}"
        rows: list[dict[str, Any]] = []
        if params.color is None:
            heights = [table.get(label) for label in order]
            figure.add_trace(go.Bar(x=order, y=heights, name=value_title))
            rows = [{"category": c, "value": v} for c, v in zip(order, heights, strict=True)]
        else:
            for color in color_order:
                heights = [table.get((label, color)) for label in order]
                figure.add_trace(go.Bar(x=order, y=heights, name=color))
                rows.extend(
                    {"category": c, "color": color, "value": v}
                    for c, v in zip(order, heights, strict=True)
                    if v is not None
                )
            figure.update_layout(barmode="stack" if agg in ("count", "sum") else "group")
        figure.update_layout(
            title={"text": f"{value_title} per {name}"},
            xaxis={"title": {"text": name}, "type": "category"},
            yaxis={"title": {"text": value_title}},
        )
        summary: dict[str, Any] = {
            "column": name,
            "value": params.value,
            "agg": agg,
            "color": params.color,
            "table": rows,
            "categories": len(frequency),
            "pooled_categories": pooled,
            "missing": missing,
        }
        reporter.progress(3, 3, message="bar: done")
        return ExplorationResult(
            explorer=self.name,
            figure=figure_json(figure),
            summary=summary,
            notes=notes,
            row_count=len(frame),
            sampled=False,
        )


def _category_order(by_category: Any, params: BarParameters, agg: str) -> list[str]:
    """Categories by descending bar height, the pooled rest last."""
    totals = by_category.size() if params.value is None else by_category.agg(agg)
    ranked = totals.drop(OTHER_LABEL, errors="ignore").sort_values(
        ascending=False, kind="stable", na_position="last"
    )
    order = [str(label) for label in ranked.index]
    if OTHER_LABEL in totals.index:
        order.append(OTHER_LABEL)
    return order
