"""Recognising uploaded files and storing them once as content-addressed Parquet."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ml_backend.datasets.delimited import convert_delimited, sniff_delimiter
from ml_backend.datasets.json_lines import convert_json_lines
from ml_backend.datasets.parquet_writer import ROW_GROUP_ROWS, write_batches
from ml_backend.datasets.profile import profile_parquet
from ml_backend.errors import DatasetFormatError
from ml_backend.schema import DatasetProfile

ACCEPTED = "CSV, TSV, Parquet, JSON lines and Arrow IPC (Feather v2) files"
HEAD_BYTES = 64 * 1024
_HASH_CHUNK = 1024 * 1024


class DataFormat(StrEnum):
    """The file formats mlchat reads."""

    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    JSONL = "jsonl"
    ARROW = "arrow"


_EXTENSIONS = {
    ".csv": DataFormat.CSV,
    ".tsv": DataFormat.TSV,
    ".tab": DataFormat.TSV,
    ".parquet": DataFormat.PARQUET,
    ".pq": DataFormat.PARQUET,
    ".jsonl": DataFormat.JSONL,
    ".ndjson": DataFormat.JSONL,
    ".json": DataFormat.JSONL,
    ".arrow": DataFormat.ARROW,
    ".feather": DataFormat.ARROW,
    ".ipc": DataFormat.ARROW,
}
_SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".numbers"}
_PARQUET_MAGIC = b"PAR1"
_ARROW_FILE_MAGIC = b"ARROW1"
# An Arrow IPC stream starts with a continuation marker before its first message.
_ARROW_STREAM_MAGIC = b"\xff\xff\xff\xff"
_NOT_TABULAR = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one: export the sheet as CSV)"),
    (b"\xd0\xcf\x11\xe0", "an Excel .xls or other Office file (export the sheet as CSV)"),
    (b"\x1f\x8b", "gzip-compressed (decompress it first)"),
    (b"BZh", "bzip2-compressed (decompress it first)"),
    (b"\xfd7zXZ", "xz-compressed (decompress it first)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed (decompress it first)"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3", "an SQLite database"),
    (b"FEA1", "a Feather version 1 file (save it again as Feather version 2)"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
]


@dataclass(frozen=True)
class IngestedDataset:
    """A dataset stored as Parquet: where, under which hash, from what format, its profile."""

    path: Path
    content_hash: str
    format: DataFormat
    row_count: int
    profile: DatasetProfile


def detect_format(filename: str, head: bytes) -> DataFormat:
    """The format of a file, from its leading bytes and its name's extension.

    Binary formats are recognised by their magic bytes whatever the name says; text formats
    by the extension, or, when it is missing or unknown, by the first character and line.
    """
    if not head:
        raise DatasetFormatError(
            "the file is empty; upload a file with a header row and rows of data"
        )
    if head.startswith(_PARQUET_MAGIC):
        return DataFormat.PARQUET
    if head.startswith((_ARROW_FILE_MAGIC, _ARROW_STREAM_MAGIC)):
        return DataFormat.ARROW
    for magic, what in _NOT_TABULAR:
        if head.startswith(magic):
            raise _not_accepted(f"this file is {what}")
    suffix = Path(filename).suffix.lower()
    if suffix in _SPREADSHEET_EXTENSIONS:
        raise _not_accepted(f"{suffix} spreadsheets are not read directly: export the sheet as CSV")
    claimed = _EXTENSIONS.get(suffix)
    if claimed is DataFormat.PARQUET:
        raise _not_accepted(f"the file is named {suffix} but does not start with Parquet's PAR1")
    if claimed is DataFormat.ARROW:
        raise _not_accepted(
            f"the file is named {suffix} but is neither an Arrow IPC file nor an Arrow stream"
        )
    if b"\x00" in head:
        raise _not_accepted(
            "the file holds binary data (NUL bytes), not text; if it is UTF-16 text, "
            "save it as UTF-8"
        )
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    first = text[:1]
    if claimed is DataFormat.JSONL or (claimed is None and first in ("{", "[")):
        return _json_lines_or_error(first)
    if claimed is not None:
        return claimed
    header = text.splitlines()[0] if text else ""
    if "\t" in header and header.count("\t") >= header.count(","):
        return DataFormat.TSV
    if "," in header or ";" in header:
        return DataFormat.CSV
    raise _not_accepted(
        f"the name {filename!r} has no known extension and the first line has no comma or tab"
    )


def _json_lines_or_error(first: str) -> DataFormat:
    if first == "{":
        return DataFormat.JSONL
    if first == "[":
        raise _not_accepted(
            "this is a JSON array; mlchat reads JSON lines: one JSON object per line "
            "(pandas: df.to_json(path, orient='records', lines=True))"
        )
    raise _not_accepted(
        f"a JSON lines file holds one JSON object per line, starting with '{{', "
        f"but this one starts with {first!r}"
    )


def _not_accepted(reason: str) -> DatasetFormatError:
    return DatasetFormatError(f"{reason}. mlchat reads {ACCEPTED}.")


def convert_to_parquet(
    src: Path, fmt: DataFormat, dest: Path, *, block_size: int | None = None
) -> int:
    """Convert `src` (in format `fmt`) to Parquet at `dest`, batch by batch; returns rows.

    `dest` appears only when the conversion succeeded. `block_size` (bytes read per block
    of CSV/TSV/JSON lines) is for tests; the default suits files of any size.
    """
    sizes = {} if block_size is None else {"block_size": block_size}
    if fmt is DataFormat.CSV:
        return convert_delimited(src, sniff_delimiter(src), dest, **sizes)
    if fmt is DataFormat.TSV:
        return convert_delimited(src, "\t", dest, **sizes)
    if fmt is DataFormat.JSONL:
        return convert_json_lines(src, dest, **sizes)
    if fmt is DataFormat.PARQUET:
        return write_batches(_parquet_batches(src), dest)
    return write_batches(_arrow_batches(src), dest)


def _parquet_batches(src: Path) -> Iterator[pa.RecordBatch]:
    with _read_errors_as("Parquet"):
        parquet_file = pq.ParquetFile(src)
    with parquet_file, _read_errors_as("Parquet"):
        batches = parquet_file.iter_batches(batch_size=ROW_GROUP_ROWS)
        yield from _or_empty(batches, parquet_file.schema_arrow)


def _arrow_batches(src: Path) -> Iterator[pa.RecordBatch]:
    with src.open("rb") as stream:
        is_file_format = stream.read(len(_ARROW_FILE_MAGIC)) == _ARROW_FILE_MAGIC
    with pa.memory_map(str(src)) as source, _read_errors_as("Arrow IPC"):
        if is_file_format:
            reader = pa.ipc.open_file(source)
            batches: Iterable[pa.RecordBatch] = (
                reader.get_batch(i) for i in range(reader.num_record_batches)
            )
        else:
            reader = pa.ipc.open_stream(source)
            batches = reader
        yield from _or_empty(batches, reader.schema)


def _or_empty(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The batches, or one empty batch carrying the schema when there are none."""
    empty = True
    for batch in batches:
        empty = False
        yield batch
    if empty:
        yield pa.RecordBatch.from_pylist([], schema=schema)


@contextmanager
def _read_errors_as(what: str) -> Iterator[None]:
    """Turn Arrow's read errors into a DatasetFormatError naming the format."""
    try:
        yield
    except (pa.ArrowException, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise DatasetFormatError(
            f"the file cannot be read as {what} ({error}); it may be truncated or damaged: "
            "export it again and upload the new file"
        ) from None


class _HashingSink:
    """A write-only file object that hashes what is written to it instead of keeping it."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True


def file_sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file's bytes, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(src: Path, filename: str, dest_dir: Path) -> IngestedDataset:
    """Store an uploaded file as `dest_dir/{sha256 of its bytes}.parquet` and profile it.

    `filename` is the name the person gave the file (its extension helps detect the format).
    A file already stored under the same hash is reused, not written again.
    """
    with src.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    fmt = detect_format(filename, head)
    content_hash = file_sha256(src)
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"{content_hash}.parquet"
    if not path.exists():
        convert_to_parquet(src, fmt, path)
    return _stored(path, content_hash, fmt)


def ingest_table(table: pa.Table, dest_dir: Path) -> IngestedDataset:
    """Store an in-memory Arrow table like an upload; its hash is that of its Arrow IPC stream.

    The table is rechunked first, so the same data and schema always hash the same.
    """
    table = table.replace_schema_metadata(None).combine_chunks()
    batches = table.to_batches(max_chunksize=ROW_GROUP_ROWS)
    sink = _HashingSink()
    with pa.PythonFile(sink, mode="w") as stream, pa.ipc.new_stream(stream, table.schema) as ipc:
        for batch in batches:
            ipc.write_batch(batch)
    content_hash = sink.digest.hexdigest()
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"{content_hash}.parquet"
    if not path.exists():
        write_batches(_or_empty(batches, table.schema), path)
    return _stored(path, content_hash, DataFormat.ARROW)


def _stored(path: Path, content_hash: str, fmt: DataFormat) -> IngestedDataset:
    profile = profile_parquet(path)
    return IngestedDataset(
        path=path,
        content_hash=content_hash,
        format=fmt,
        row_count=profile.row_count,
        profile=profile,
    )
