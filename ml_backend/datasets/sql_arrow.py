"""Rows fetched from a database, a batch at a time, as Arrow record batches of one fixed schema.

The schema is decided by the first batch (the Parquet file's schema cannot change later); each
later batch is built to it, so a column's type never drifts. Values a model cannot use as they
come are made plain: exact decimals become floats, JSON documents and arrays become JSON text,
and anything else Arrow has no type for (UUIDs, network addresses, ranges) becomes its text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from ml_backend.errors import SqlSourceError


class _Column:
    """How one column's values become Arrow: decided on the first batch, kept for the rest."""

    def __init__(self, name: str, first_values: Sequence[Any]) -> None:
        self.name = name
        self.convert = _plain
        try:
            array = pa.array(first_values, from_pandas=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            self.convert = _as_text
            array = _as_text(first_values)
        if pa.types.is_nested(array.type):
            self.convert = _as_json
            array = _as_json(first_values)
        elif isinstance(array.type, pa.BaseExtensionType):  # UUIDs: people read their text
            self.convert = _as_text
            array = _as_text(first_values)
        # Exact decimals (NUMERIC) are floats to every model; Parquet's decimals are not.
        self.type = pa.float64() if pa.types.is_decimal(array.type) else array.type

    def array(self, values: Sequence[Any], seen_rows: int) -> pa.Array:
        if pa.types.is_null(self.type):
            if any(value is not None for value in values):
                raise SqlSourceError(
                    f"column {self.name!r} is empty in the first {seen_rows:,} rows and has "
                    "values after them, so its type is not known in time; CAST it in the query "
                    f"(e.g. CAST({self.name} AS TEXT)) or ORDER BY it so values come first",
                    field=self.name,
                )
            return pa.nulls(len(values))
        try:
            array = self.convert(values)
            return array if array.type == self.type else array.cast(self.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            raise SqlSourceError(
                f"column {self.name!r} holds {self.type} values in its first {seen_rows:,} rows "
                "and other kinds of value after them; CAST it to one type in the query "
                f"(e.g. CAST({self.name} AS TEXT))",
                field=self.name,
            ) from None


def record_batches(
    columns: Sequence[str], row_batches: Iterable[Sequence[Sequence[Any]]]
) -> Iterator[pa.RecordBatch]:
    """Each batch of rows as a RecordBatch; every batch has the first one's schema."""
    converters: list[_Column] = []
    schema: pa.Schema | None = None
    seen_rows = 0
    for rows in row_batches:
        if not rows:
            continue
        values = list(zip(*rows, strict=True))
        if schema is None:
            converters = [_Column(n, v) for n, v in zip(columns, values, strict=True)]
            schema = pa.schema([pa.field(c.name, c.type) for c in converters])
        arrays = [c.array(v, seen_rows) for c, v in zip(converters, values, strict=True)]
        seen_rows += len(rows)
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def _plain(values: Sequence[Any]) -> pa.Array:
    return pa.array(values, from_pandas=False)


def _as_text(values: Sequence[Any]) -> pa.Array:
    return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _as_json(values: Sequence[Any]) -> pa.Array:
    return pa.array(
        [None if v is None else json.dumps(v, default=str) for v in values], type=pa.string()
    )
