"""Splitting rows into a bounded number of labelled groups for colours and categories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

MISSING_LABEL = "(missing)"
OTHER_LABEL = "(other)"


@dataclass(frozen=True)
class Groups:
    """Each row's group label, and the labels in display order."""

    labels: pd.Series
    order: list[str]
    pooled: int

    def codes(self) -> npt.NDArray[np.int8 | np.int16 | np.int32 | np.int64]:
        """Each row's position in `order`: comparing integers is fast on big frames."""
        codes: npt.NDArray[np.int8 | np.int16 | np.int32 | np.int64] = pd.Categorical(
            self.labels, categories=self.order
        ).codes
        return codes

    def note(self, column: str) -> str | None:
        """A note when some groups were pooled into OTHER_LABEL."""
        if not self.pooled:
            return None
        return f"'{column}': {self.pooled} less frequent values are drawn together as {OTHER_LABEL}"


def label_of(value: Any) -> str:
    """The display label of one group value."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_rows(series: pd.Series, max_groups: int) -> Groups:
    """Rows labelled by their value: the `max_groups` most frequent kept, the rest pooled."""
    counts = series.value_counts(dropna=True)
    kept = _natural_order(list(counts.index[:max_groups]))
    pooled = max(len(counts) - max_groups, 0)
    names = {value: label_of(value) for value in kept}
    labels = series.map(names).astype(object)
    labels = labels.where(series.isna() | labels.notna(), OTHER_LABEL)
    labels = labels.where(series.notna(), MISSING_LABEL)
    order = [names[value] for value in kept]
    if pooled:
        order.append(OTHER_LABEL)
    if bool(series.isna().any()):
        order.append(MISSING_LABEL)
    return Groups(labels=labels, order=order, pooled=pooled)


def _natural_order(values: list[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)
