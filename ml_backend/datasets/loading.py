"""Reading stored datasets back: as Arrow, as pandas for training, as JSON rows for paging."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ml_backend.datasets.values import json_value
from ml_backend.errors import ConfigValidationError


def read_table(path: Path, columns: list[str] | None = None) -> pa.Table:
    """The stored dataset (or just `columns`, in that order) as an Arrow table."""
    with pq.ParquetFile(path) as parquet_file:
        if columns is not None:
            _check_columns(columns, parquet_file.schema_arrow.names)
        return parquet_file.read(columns=columns)


def read_frame(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The stored dataset as a pandas DataFrame shaped for scikit-learn.

    Text columns are `object` dtype holding str, with NaN for missing values (what
    SimpleImputer and OneHotEncoder expect); integers with missing values become float64
    with NaN; booleans with missing values become float64 0/1/NaN; decimals become float64;
    dates become datetime64 columns.
    """
    return frame_from_table(read_table(path, columns))


def frame_from_table(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas, converted as `read_frame` describes."""
    table = pa.Table.from_arrays(
        [_for_pandas(column) for column in table.columns], names=table.column_names
    )
    frame: pd.DataFrame = table.to_pandas(date_as_object=False)
    for name, field in zip(table.column_names, table.schema, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            frame[name] = frame[name].astype(object)
    return frame


def _for_pandas(column: pa.ChunkedArray) -> pa.ChunkedArray:
    arrow_type = column.type
    if pa.types.is_null(arrow_type) or pa.types.is_decimal(arrow_type):
        return column.cast(pa.float64())
    if pa.types.is_boolean(arrow_type) and column.null_count:
        return column.cast(pa.float64())
    return column


def read_rows(path: Path, offset: int, limit: int) -> list[dict[str, Any]]:
    """Rows `offset` to `offset + limit` as JSON-friendly dicts, reading only their row groups.

    Missing values and NaN become None; dates and timestamps become ISO strings.
    """
    if offset < 0 or limit < 0:
        raise ConfigValidationError(
            f"offset ({offset}) and limit ({limit}) must be zero or more", field="offset"
        )
    with pq.ParquetFile(path) as parquet_file:
        metadata = parquet_file.metadata
        wanted: list[int] = []
        first_row = 0
        group_start = 0
        for index in range(metadata.num_row_groups):
            group_end = group_start + metadata.row_group(index).num_rows
            if group_end > offset and group_start < offset + limit:
                if not wanted:
                    first_row = group_start
                wanted.append(index)
            group_start = group_end
        if not wanted:
            return []
        table = parquet_file.read_row_groups(wanted).slice(offset - first_row, limit)
    return [{name: json_value(value) for name, value in row.items()} for row in table.to_pylist()]


def _check_columns(requested: list[str], available: list[str]) -> None:
    for name in requested:
        if name in available:
            continue
        close = difflib.get_close_matches(name, available, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "."
        raise ConfigValidationError(
            f"column {name!r} not found{hint} The dataset's columns are: "
            + ", ".join(repr(c) for c in available),
            field="columns",
        )
