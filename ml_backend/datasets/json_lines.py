"""Converting JSON lines files (one object per line) to Parquet."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pa_json

from ml_backend.datasets.parquet_writer import ROW_GROUP_ROWS, write_batches
from ml_backend.errors import DatasetFormatError

DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024


class _StreamingGaveUp(Exception):
    """The streaming reader met a type or field that its first block did not predict."""


def convert_json_lines(src: Path, dest: Path, *, block_size: int = DEFAULT_BLOCK_SIZE) -> int:
    """Convert a JSON lines file to Parquet; returns the row count.

    The streaming reader (memory bounded) fixes the schema from the first block; when a later
    block adds a field or changes a type, the file is read again whole with `read_json`, which
    reconciles the blocks (integers next to floats become floats, new fields are added).
    """
    read_options = pa_json.ReadOptions(block_size=block_size)
    parse_options = pa_json.ParseOptions(unexpected_field_behavior="infer")
    try:
        return write_batches(_streamed(src, read_options, parse_options), dest)
    except _StreamingGaveUp:
        pass
    try:
        table = pa_json.read_json(src, read_options=read_options, parse_options=parse_options)
    except pa.ArrowInvalid as error:
        problem = first_bad_line(src) or f"it could not be parsed ({error})"
        raise DatasetFormatError(
            f"the JSON lines file is malformed: {problem}. Each line must hold one complete "
            "JSON object; fix the file and upload it again"
        ) from None
    return write_batches(_valid_utf8(table.to_batches(max_chunksize=ROW_GROUP_ROWS)), dest)


def _streamed(
    src: Path, read_options: pa_json.ReadOptions, parse_options: pa_json.ParseOptions
) -> Iterator[pa.RecordBatch]:
    try:
        reader = pa_json.open_json(src, read_options=read_options, parse_options=parse_options)
        batches: Iterable[pa.RecordBatch] = iter(reader)
        yield from _valid_utf8(batches)
    except pa.ArrowInvalid as error:
        raise _StreamingGaveUp(str(error)) from None


def _valid_utf8(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    # Arrow's JSON reader does not check that strings are UTF-8; Parquet readers later would.
    for batch in batches:
        try:
            batch.validate(full=True)
        except pa.ArrowInvalid:
            raise DatasetFormatError(
                "the JSON lines file holds text that is not valid UTF-8; "
                "save it as UTF-8 and upload it again"
            ) from None
        yield batch


def first_bad_line(src: Path) -> str | None:
    """Describe the first line that is not a JSON object, or whose field changes kind."""
    kinds: dict[str, tuple[str, int]] = {}
    with src.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except UnicodeDecodeError:
                return f"line {number} is not UTF-8 text"
            except json.JSONDecodeError as error:
                return f"line {number} is not valid JSON ({error.msg} at column {error.colno})"
            if not isinstance(record, dict):
                return f"line {number} holds {_kind(record)} rather than a JSON object"
            for key, value in record.items():
                if value is None:
                    continue
                kind = _kind(value)
                first_kind, first_line = kinds.setdefault(key, (kind, number))
                if kind != first_kind:
                    return (
                        f"field {key!r} is {first_kind} at line {first_line} but {kind} at "
                        f"line {number}; give each field one kind of value"
                    )
    return None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"
