"""Writing a stream of record batches to one Parquet file, atomically and in tidy row groups."""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ml_backend.errors import DatasetFormatError

# Row groups of this size keep paging (`read_rows`) cheap and Parquet's overhead small.
ROW_GROUP_ROWS = 65_536
# ...unless the rows are wide: a row group is buffered in memory before it is written.
ROW_GROUP_BYTES = 64 * 1024 * 1024


def write_batches(batches: Iterable[pa.RecordBatch], dest: Path) -> int:
    """Write `batches` to `dest` as Parquet; returns the row count.

    The batches are normalised (column names stripped and checked, struct columns flattened,
    dictionary/large/view types made plain). The file appears at `dest` only when complete:
    it is written under a temporary name beside it and renamed, and removed on any error.
    """
    temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    try:
        rows = _write(batches, temp)
        os.replace(temp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return rows


def _write(batches: Iterable[pa.RecordBatch], path: Path) -> int:
    groups = _row_groups(batches)
    first = next(groups)
    schema = _target_schema(first.schema)
    if len(schema) == 0:
        raise DatasetFormatError("the file has no columns: it needs a header row and data rows")
    rows = 0
    with pq.ParquetWriter(path, schema) as writer:
        for group in itertools.chain([first], groups):
            normalised = [_normalised(batch, schema) for batch in group.to_batches()]
            table = pa.Table.from_batches(normalised, schema=schema)
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            rows += table.num_rows
    if rows == 0:
        raise DatasetFormatError(
            f"the file has columns ({_names_preview(schema.names)}) but no rows of data; "
            "add rows and upload it again"
        )
    return rows


def _row_groups(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.Table]:
    """Regroup batches of any size into tables of about ROW_GROUP_ROWS rows; at least one."""
    pending: list[pa.RecordBatch] = []
    pending_rows = pending_bytes = 0
    seen_any = False
    for batch in batches:
        seen_any = True
        flat = _flatten_structs(batch)
        pending.append(flat)
        pending_rows += flat.num_rows
        pending_bytes += flat.nbytes
        if pending_rows >= ROW_GROUP_ROWS or pending_bytes >= ROW_GROUP_BYTES:
            yield pa.Table.from_batches(pending)
            pending, pending_rows, pending_bytes = [], 0, 0
    if pending:
        yield pa.Table.from_batches(pending)
    elif not seen_any:
        yield pa.table({})


def _flatten_structs(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Turn struct columns into one column per field, named 'parent.child'."""
    if not any(pa.types.is_struct(field.type) for field in batch.schema):
        return batch
    names: list[str] = []
    arrays: list[pa.Array] = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_struct(field.type):
            children = pa.RecordBatch.from_arrays(
                column.flatten(), names=[f"{field.name}.{c.name}" for c in field.type]
            )
            nested = _flatten_structs(children)
            names.extend(nested.schema.names)
            arrays.extend(nested.columns)
        else:
            names.append(field.name)
            arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def check_column_names(raw_names: list[str]) -> list[str]:
    """The names as stored (surrounding spaces stripped); refuses empty or duplicate names."""
    names = [name.strip() for name in raw_names]
    for position, name in enumerate(names, start=1):
        if not name:
            raise DatasetFormatError(
                f"column {position} has no name; give every column a name in the header row "
                "(a file saved from pandas with its index has an unnamed first column: "
                "save it with index=False)"
            )
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise DatasetFormatError(
            f"column names must be unique, and {_names_preview(duplicates)} appear more than "
            "once (after stripping surrounding spaces); rename them and upload the file again"
        )
    return names


def _target_schema(source: pa.Schema) -> pa.Schema:
    """The stored schema: stripped, unique, non-empty names and plain column types."""
    names = check_column_names(source.names)
    return pa.schema(
        [
            pa.field(name, _stored_type(name, field.type))
            for name, field in zip(names, source, strict=True)
        ]
    )


def _stored_type(name: str, arrow_type: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(arrow_type):
        return _stored_type(name, arrow_type.value_type)
    if pa.types.is_large_string(arrow_type) or pa.types.is_string_view(arrow_type):
        return pa.string()
    if pa.types.is_float16(arrow_type):
        return pa.float32()
    if isinstance(arrow_type, pa.ExtensionType):
        return _stored_type(name, arrow_type.storage_type)
    if _is_plain(arrow_type):
        return arrow_type
    if (
        pa.types.is_binary(arrow_type)
        or pa.types.is_large_binary(arrow_type)
        or pa.types.is_fixed_size_binary(arrow_type)
        or pa.types.is_binary_view(arrow_type)
    ):
        # Kept only when it is text (checked on cast); raw bytes are no use to a model.
        return pa.string()
    raise DatasetFormatError(
        f"column {name!r} holds {arrow_type} values; mlchat needs one plain value per cell "
        "(numbers, text, booleans, dates). Flatten or drop that column and upload again",
        field=name,
    )


def _is_plain(arrow_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_null(arrow_type)
        or pa.types.is_boolean(arrow_type)
        or pa.types.is_integer(arrow_type)
        or pa.types.is_floating(arrow_type)
        or pa.types.is_decimal(arrow_type)
        or pa.types.is_string(arrow_type)
        or pa.types.is_timestamp(arrow_type)
        or pa.types.is_date(arrow_type)
        or pa.types.is_time(arrow_type)
        or pa.types.is_duration(arrow_type)
    )


def _normalised(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    if len(batch.schema) != len(schema):
        raise DatasetFormatError(
            "the columns change part-way through the file "
            f"({_names_preview(batch.schema.names)} instead of {_names_preview(schema.names)}); "
            "give every record the same fields"
        )
    arrays = []
    for column, field in zip(batch.columns, schema, strict=True):
        if column.type == field.type:
            arrays.append(column)
            continue
        try:
            arrays.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise DatasetFormatError(
                f"column {field.name!r} cannot be stored as {field.type}: {error}; "
                "make its values plain text or numbers and upload again",
                field=field.name,
            ) from None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _names_preview(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
