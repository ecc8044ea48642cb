"""Streaming CSV/TSV files into Parquet, widening column types that the first block guessed."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from ml_backend.datasets.parquet_writer import check_column_names, write_batches
from ml_backend.errors import DatasetFormatError

NULL_VALUES = ["", "NA", "N/A", "NaN", "null", "None", "nan"]
DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024
# A single row (or a quoted value that never closes) longer than this is refused.
MAX_BLOCK_SIZE = 64 * 1024 * 1024
# Each retry reads the file again from the start, so their number is kept small.
MAX_ATTEMPTS = 24
# Excel on Windows saves "CSV" in this code page; it is the likeliest non-UTF-8 upload.
FALLBACK_ENCODING = "cp1252"

_INTEGER = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_CONVERSION_ERROR = re.compile(
    r"In CSV column #(?P<column>\d+): .*conversion error to (?P<type>[^:]+): "
    r"invalid value '(?P<value>.*)'",
    re.DOTALL,
)


@dataclass(frozen=True)
class CsvReadOptions:
    """How one attempt reads the file; a retry changes one of these and starts again."""

    delimiter: str
    block_size: int = DEFAULT_BLOCK_SIZE
    encoding: str = "utf8"
    column_types: Mapping[str, pa.DataType] = field(default_factory=dict)


class _RetryWith(Exception):
    def __init__(self, options: CsvReadOptions) -> None:
        super().__init__("retry")
        self.options = options


def convert_delimited(
    src: Path, delimiter: str, dest: Path, *, block_size: int = DEFAULT_BLOCK_SIZE
) -> int:
    """Convert a CSV (`delimiter` ',' or ';') or TSV ('\\t') file to Parquet; returns rows.

    Column types are inferred from the first block. When a later block holds a value that
    does not fit (a decimal in an integer column, text in a number column), the conversion
    starts again with that column widened (integer -> float64, otherwise -> string).
    """
    options = CsvReadOptions(delimiter=delimiter, block_size=block_size)
    for _attempt in range(MAX_ATTEMPTS):
        try:
            return write_batches(_batches(src, options), dest)
        except _RetryWith as retry:
            options = retry.options
    widened = ", ".join(repr(name) for name in options.column_types)
    raise DatasetFormatError(
        f"the column types keep changing part-way through the file (widened so far: {widened}); "
        "make each column hold one kind of value (numbers or text) and upload it again"
    )


def sniff_delimiter(src: Path) -> str:
    """',' unless the header line has no comma but has semicolons (a European-style CSV)."""
    with src.open("rb") as stream:
        header = stream.readline(64 * 1024)
    return ";" if b"," not in header and b";" in header else ","


def _batches(src: Path, options: CsvReadOptions) -> Iterator[pa.RecordBatch]:
    try:
        reader = pa_csv.open_csv(
            src,
            read_options=pa_csv.ReadOptions(
                block_size=options.block_size, encoding=options.encoding
            ),
            parse_options=pa_csv.ParseOptions(delimiter=options.delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                null_values=NULL_VALUES,
                strings_can_be_null=True,
                column_types=dict(options.column_types),
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise _failure(error, src, options, schema=None) from None
    schema = reader.schema
    try:
        names = schema.names  # decoded here: a header that is not UTF-8 fails on reading it
    except UnicodeDecodeError as error:
        raise _failure(error, src, options, schema=None) from None
    check_column_names(names)
    if options.encoding == "utf8" and any(pa.types.is_binary(f.type) for f in schema):
        # Arrow reads bytes that are not UTF-8 as binary: the file is in another encoding.
        raise _RetryWith(replace(options, encoding=FALLBACK_ENCODING))
    yielded = False
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            raise _failure(error, src, options, schema=schema) from None
        yielded = True
        yield batch
    if not yielded:
        yield pa.RecordBatch.from_pylist([], schema=schema)


def _failure(
    error: Exception, src: Path, options: CsvReadOptions, schema: pa.Schema | None
) -> Exception:
    """The retry or the DatasetFormatError that `error` calls for."""
    message = str(error)
    if isinstance(error, UnicodeDecodeError) or "invalid UTF8" in message:
        if options.encoding == "utf8":
            return _RetryWith(replace(options, encoding=FALLBACK_ENCODING))
        return DatasetFormatError(
            "the file is not UTF-8 text (nor Windows-1252); save it as UTF-8 "
            "(in Excel: 'CSV UTF-8') and upload it again"
        )
    conversion = _CONVERSION_ERROR.search(message)
    if conversion and schema is not None:
        name = schema.names[int(conversion["column"])]
        current = schema.field(name).type
        widened = _widened(current, conversion["value"])
        if widened != current:
            types = {**options.column_types, name: widened}
            return _RetryWith(replace(options, column_types=types))
    if "straddling" in message or "straddles" in message:
        if options.block_size < MAX_BLOCK_SIZE:
            return _RetryWith(replace(options, block_size=options.block_size * 4))
        return DatasetFormatError(
            f"a row is longer than {MAX_BLOCK_SIZE // (1024 * 1024)} MiB, which usually means a "
            'quoted value never ends (an opening " without its closing "); fix the quoting '
            "and upload the file again"
        )
    if "Empty CSV file" in message:
        return DatasetFormatError(
            "the file has no header row or columns; it needs a header line and rows of data"
        )
    problem = _first_bad_row(src, options)
    if problem is not None:
        return DatasetFormatError(f"{problem}; fix the file and upload it again")
    return DatasetFormatError(
        f"the file could not be read as delimited text: {_shorten(message)}; "
        "fix the file and upload it again"
    )


def _widened(current: pa.DataType, value: str) -> pa.DataType:
    """The next type up for a column whose `current` type cannot hold `value`."""
    value = value.strip()
    if pa.types.is_null(current):
        if _INTEGER.fullmatch(value):
            return pa.int64()
        return pa.float64() if _FLOAT.fullmatch(value) else pa.string()
    if pa.types.is_integer(current) and _FLOAT.fullmatch(value) and not _INTEGER.fullmatch(value):
        return pa.float64()
    # Integers too large for int64 land here too: as text their digits stay exact.
    return pa.string()


def _first_bad_row(src: Path, options: CsvReadOptions) -> str | None:
    """Find the first row whose field count differs from the header's, reading with Python's
    csv module: Arrow's streaming reader does not know row numbers."""
    encoding = "utf-8-sig" if options.encoding == "utf8" else options.encoding
    with src.open(newline="", encoding=encoding, errors="replace") as stream:
        reader = csv.reader(stream, delimiter=options.delimiter)
        expected: int | None = None
        start_line = 1
        try:
            for row in reader:
                if row and expected is None:
                    expected = len(row)
                elif row and len(row) != expected:
                    spans_lines = reader.line_num > start_line
                    hint = (
                        f"; it runs over lines {start_line}-{reader.line_num}, so a quoted value "
                        'probably lacks its closing "'
                        if spans_lines
                        else ""
                    )
                    text = options.delimiter.join(row)
                    return (
                        f"row at line {start_line} has {len(row)} fields but the header has "
                        f"{expected} ({_shorten(text)!r}){hint}"
                    )
                start_line = reader.line_num + 1
        except csv.Error as error:
            return (
                f"the row starting at line {start_line} cannot be parsed ({error}); "
                'a quoted value probably lacks its closing "'
            )
    return None


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
