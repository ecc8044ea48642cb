"""Reading an exploration's columns out of a DataFrame: presence, numbers, samples."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from ml_backend.errors import ConfigValidationError
from ml_backend.explorers.columns import unknown_column

FloatArray = npt.NDArray[np.float64]


def require_frame_columns(frame: pd.DataFrame, names: Iterable[str], *, explorer: str) -> None:
    """Checks that every name is a column of `frame`."""
    available = [str(c) for c in frame.columns]
    for name in names:
        if name not in frame.columns:
            raise unknown_column(name, available, explorer=explorer)


def is_numeric_series(series: pd.Series) -> bool:
    """Whether a column holds numbers (booleans are not numbers here)."""
    return bool(is_numeric_dtype(series.dtype)) and not is_bool_dtype(series.dtype)


def is_datetime_series(series: pd.Series) -> bool:
    """Whether a column holds timestamps."""
    return bool(is_datetime64_any_dtype(series.dtype))


def numeric_frame_columns(frame: pd.DataFrame) -> list[str]:
    """The names of the numeric columns of `frame`, in order."""
    return [str(name) for name in frame.columns if is_numeric_series(frame[name])]


def numeric_values(frame: pd.DataFrame, name: str, *, explorer: str) -> FloatArray:
    """Column `name` as float64 with NaN for missing values."""
    series = frame[name]
    if not is_numeric_series(series):
        raise ConfigValidationError(
            f"{explorer} needs a numeric column; '{name}' holds {series.dtype} values.",
            field="columns",
        )
    values: FloatArray = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def sample_positions(row_count: int, max_rows: int, random_state: int) -> npt.NDArray[np.intp]:
    """Row positions of a random sample of at most `max_rows`, in their original order."""
    if row_count <= max_rows:
        return np.arange(row_count)
    generator = np.random.default_rng(random_state)
    return np.sort(generator.choice(row_count, size=max_rows, replace=False))


def sample_note(shown: int, total: int, random_state: int) -> str:
    """The note that says a plot shows a random sample."""
    return (
        f"showing a random sample of {shown:,} of {total:,} rows"
        f" (random_state={random_state}); the summary numbers use all rows"
    )
