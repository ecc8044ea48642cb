"""Ingesting every accepted format, type widening, and refusing bad files cleanly."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from ml_backend.datasets import (
    DataFormat,
    convert_to_parquet,
    detect_format,
    file_sha256,
    ingest_file,
    read_frame,
    read_rows,
    read_table,
)
from ml_backend.datasets.parquet_writer import ROW_GROUP_ROWS
from ml_backend.errors import ConfigValidationError, DatasetFormatError
from ml_backend.schema import ColumnKind


@pytest.fixture
def frame() -> pd.DataFrame:
    """40 rows with missing values in numbers and text, booleans and datetimes."""
    rng = np.random.default_rng(7)
    rows = 40
    height = rng.normal(170, 10, rows).round(2)
    height[[3, 11, 25]] = np.nan
    count = pd.array(rng.integers(0, 9, rows), dtype="Int64")
    count[np.array([0, 5])] = pd.NA
    colour = pd.Series(rng.choice(["red", "green", "blue"], rows), dtype=object)
    colour[[2, 30]] = None
    return pd.DataFrame(
        {
            "row_id": np.arange(100, 100 + rows),
            "height": height,
            "count": count,
            "colour": colour,
            "active": rng.integers(0, 2, rows).astype(bool),
            "seen_at": pd.date_range("2021-03-01", periods=rows, freq="6h"),
        }
    )


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _write_tsv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, sep="\t")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def _write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    frame.to_json(path, orient="records", lines=True, date_format="iso")


def _write_arrow_file(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=7):
            writer.write_batch(batch)


def _write_arrow_stream(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=7):
            writer.write_batch(batch)


WRITERS: dict[str, tuple[Callable[[pd.DataFrame, Path], None], DataFormat]] = {
    "data.csv": (_write_csv, DataFormat.CSV),
    "data.tsv": (_write_tsv, DataFormat.TSV),
    "data.parquet": (_write_parquet, DataFormat.PARQUET),
    "data.jsonl": (_write_jsonl, DataFormat.JSONL),
    "data.feather": (_write_arrow_file, DataFormat.ARROW),
    "data.arrows": (_write_arrow_stream, DataFormat.ARROW),
}


@pytest.mark.parametrize("filename", list(WRITERS))
def test_every_format_is_ingested_and_profiled_like_pandas_sees_it(
    filename: str, frame: pd.DataFrame, tmp_path: Path
) -> None:
    write, expected_format = WRITERS[filename]
    upload = tmp_path / filename
    write(frame, upload)
    store = tmp_path / "store"

    ingested = ingest_file(upload, filename, store)

    assert ingested.format is expected_format
    assert ingested.content_hash == file_sha256(upload)
    assert ingested.path == store / f"{ingested.content_hash}.parquet"
    assert ingested.row_count == len(frame) == ingested.profile.row_count
    assert ingested.profile.column_names == list(frame.columns)
    for name in frame.columns:
        column = ingested.profile.column(name)
        assert column is not None
        assert column.missing == frame[name].isna().sum(), name
        assert column.distinct == frame[name].nunique(), name
    for name in ["height", "count"]:
        column = ingested.profile.column(name)
        assert column is not None
        assert column.kind is ColumnKind.NUMERIC
        assert column.min == pytest.approx(frame[name].min())
        assert column.max == pytest.approx(frame[name].max())
        assert column.mean == pytest.approx(frame[name].astype(float).mean())
        assert column.std == pytest.approx(frame[name].astype(float).std())
    kinds = {c.name: c.kind for c in ingested.profile.columns}
    assert kinds["row_id"] is ColumnKind.IDENTIFIER
    assert kinds["colour"] is ColumnKind.CATEGORICAL
    assert kinds["active"] is ColumnKind.BOOLEAN
    assert kinds["seen_at"] is ColumnKind.DATETIME
    seen_at = ingested.profile.column("seen_at")
    assert seen_at is not None
    assert pd.Timestamp(seen_at.min).tz_localize(None) == frame["seen_at"].min()
    assert pd.Timestamp(seen_at.max).tz_localize(None) == frame["seen_at"].max()
    colour = ingested.profile.column("colour")
    assert colour is not None and colour.top_values is not None
    assert dict(colour.top_values) == frame["colour"].value_counts().to_dict()

    stored = read_frame(ingested.path)
    pd.testing.assert_series_equal(stored["height"], frame["height"])
    assert stored["count"].tolist() == pytest.approx(
        frame["count"].astype(float).tolist(), nan_ok=True
    )
    assert stored["colour"].isna().tolist() == frame["colour"].isna().tolist()
    assert stored["colour"].dropna().tolist() == frame["colour"].dropna().tolist()
    assert stored["active"].tolist() == frame["active"].tolist()
    assert list(store.iterdir()) == [ingested.path]


def test_the_same_upload_is_stored_once_and_reused(frame: pd.DataFrame, tmp_path: Path) -> None:
    upload = tmp_path / "data.csv"
    _write_csv(frame, upload)
    first = ingest_file(upload, "data.csv", tmp_path / "store")
    written_at = first.path.stat().st_mtime_ns

    again = ingest_file(upload, "renamed.csv", tmp_path / "store")

    assert again.path == first.path
    assert again.path.stat().st_mtime_ns == written_at
    assert again.profile == first.profile


def test_column_names_keep_their_spelling_with_surrounding_spaces_stripped(
    tmp_path: Path,
) -> None:
    upload = tmp_path / "names.csv"
    upload.write_text(" Sepal Length (cm) ,Class\n5.1,a\n4.9,b\n")

    ingested = ingest_file(upload, "names.csv", tmp_path / "store")

    assert ingested.profile.column_names == ["Sepal Length (cm)", "Class"]


def test_semicolon_separated_csv_and_null_markers(tmp_path: Path) -> None:
    upload = tmp_path / "european.csv"
    upload.write_text("a;b\n1;NA\n2;N/A\n3;null\n4;None\n5;x\nnan;NaN\n")

    ingested = ingest_file(upload, "european.csv", tmp_path / "store")

    table = read_table(ingested.path)
    assert table.column("a").to_pylist() == [1, 2, 3, 4, 5, None]
    assert table.column("b").to_pylist() == [None, None, None, None, "x", None]


def test_windows_1252_csv_is_read_as_text(tmp_path: Path) -> None:
    upload = tmp_path / "excel.csv"
    upload.write_bytes("city,n\nMálaga,1\nZürich,2\n".encode("cp1252"))

    ingested = ingest_file(upload, "excel.csv", tmp_path / "store")

    assert read_table(ingested.path).column("city").to_pylist() == ["Málaga", "Zürich"]


def test_a_windows_1252_header_is_read_as_text(tmp_path: Path) -> None:
    # Found by fuzzing: a header that is not UTF-8 failed when its names were read (a 500).
    upload = tmp_path / "excel.csv"
    upload.write_bytes("Größe,Preis €\n1,2\n3,4\n".encode("cp1252"))

    ingested = ingest_file(upload, "excel.csv", tmp_path / "store")

    assert read_table(ingested.path).column_names == ["Größe", "Preis €"]


def test_later_blocks_widen_column_types_and_keep_every_value(tmp_path: Path) -> None:
    ints = [str(i) for i in range(300)]
    lines = ["count,code,late"]
    lines += [f"{i},{i}," for i in ints]
    lines += ["2.5,A7,", "301,302,17", "302,303,18.5"]
    upload = tmp_path / "widen.csv"
    upload.write_text("\n".join(lines) + "\n")
    dest = tmp_path / "widen.parquet"
    first_block = pa_csv.open_csv(upload, read_options=pa_csv.ReadOptions(block_size=256))
    assert first_block.schema.field("count").type == pa.int64()
    assert first_block.schema.field("late").type == pa.null()

    rows = convert_to_parquet(upload, DataFormat.CSV, dest, block_size=256)

    table = pq.read_table(dest)
    assert rows == table.num_rows == 303
    assert table.schema.field("count").type == pa.float64()
    assert table.schema.field("code").type == pa.string()
    assert table.schema.field("late").type == pa.float64()
    expected = pd.read_csv(upload)
    assert table.column("count").to_pylist() == expected["count"].tolist()
    assert table.column("code").to_pylist() == expected["code"].astype(str).tolist()
    assert table.column("late").to_pylist()[-2:] == [17.0, 18.5]
    assert table.column("late").null_count == 301


def test_a_file_of_a_single_block_needs_no_widening(tmp_path: Path) -> None:
    upload = tmp_path / "small.csv"
    upload.write_text("count\n1\n2\n2.5\n")
    dest = tmp_path / "small.parquet"

    convert_to_parquet(upload, DataFormat.CSV, dest)

    assert pq.read_schema(dest).field("count").type == pa.float64()


def test_nested_json_objects_become_dotted_columns(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": i, "where": {"city": f"c{i % 3}", "geo": {"lat": i / 10}}} for i in range(5)
    ]
    upload = tmp_path / "nested.jsonl"
    upload.write_text("\n".join(json.dumps(r) for r in records) + "\n")

    ingested = ingest_file(upload, "nested.jsonl", tmp_path / "store")

    assert ingested.profile.column_names == ["id", "where.city", "where.geo.lat"]
    table = read_table(ingested.path, ["where.geo.lat"])
    assert table.column(0).to_pylist() == [r["where"]["geo"]["lat"] for r in records]


def test_json_lines_whose_types_change_after_the_first_block_are_reconciled(
    tmp_path: Path,
) -> None:
    records: list[dict[str, object]] = [{"x": i, "tag": None} for i in range(200)]
    records += [{"x": 0.5, "tag": "late", "extra": True}]
    upload = tmp_path / "drift.jsonl"
    upload.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    dest = tmp_path / "drift.parquet"

    rows = convert_to_parquet(upload, DataFormat.JSONL, dest, block_size=512)

    table = pq.read_table(dest)
    assert rows == 201
    assert table.schema.field("x").type == pa.float64()
    assert table.column("x").to_pylist() == [r["x"] for r in records]
    assert table.column("tag").to_pylist()[-1] == "late"
    assert table.column("extra").to_pylist() == [None] * 200 + [True]


def _files_in(directory: Path) -> list[Path]:
    return list(directory.iterdir()) if directory.exists() else []


BAD_TEXT_FILES: list[tuple[str, bytes, list[str]]] = [
    ("ragged.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n", ["line 3", "2 fields", "header has 3"]),
    ("extra.csv", b"a,b\n1,2\n3,4\n5,6,7\n", ["line 4", "3 fields"]),
    ("quote.csv", b'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n', ["line 3", "closing"]),
    ("header_only.csv", b"a,b,c\n", ["no rows", "'a', 'b', 'c'"]),
    ("blank.csv", b"\n\n\n", ["no header"]),
    ("dupes.csv", b"a,b, a\n1,2,3\n", ["unique", "'a'"]),
    ("unnamed.csv", b",a,b\n0,1,2\n", ["column 1 has no name", "index=False"]),
    ("bad.jsonl", b'{"a": 1}\n{"a": 2\n', ["line 2", "not valid JSON"]),
    ("kinds.jsonl", b'{"a": 1}\n{"a": "x"}\n', ["'a'", "line 1", "line 2"]),
    ("lists.jsonl", b'{"a": [1, 2]}\n', ["'a'", "list"]),
    ("array.json", b'[{"a": 1}]\n', ["JSON array", "one JSON object per line"]),
    ("header_only.tsv", b"a\tb\n", ["no rows"]),
]


@pytest.mark.parametrize(("filename", "content", "phrases"), BAD_TEXT_FILES)
def test_malformed_files_are_refused_with_a_detail_and_leave_nothing_behind(
    filename: str, content: bytes, phrases: list[str], tmp_path: Path
) -> None:
    upload = tmp_path / filename
    upload.write_bytes(content)
    store = tmp_path / "store"

    with pytest.raises(DatasetFormatError) as refused:
        ingest_file(upload, filename, store)

    for phrase in phrases:
        assert phrase in refused.value.detail
    assert _files_in(store) == []


def test_a_bad_row_after_the_first_row_group_leaves_no_partial_file(tmp_path: Path) -> None:
    upload = tmp_path / "long.csv"
    good_rows = 70_000
    upload.write_text("a,b\n" + "".join(f"{i},{i % 10}\n" for i in range(good_rows)) + "1,2,3\n")
    store = tmp_path / "store"
    store.mkdir()

    with pytest.raises(DatasetFormatError, match=f"line {good_rows + 2} has 3 fields"):
        convert_to_parquet(upload, DataFormat.CSV, store / "long.parquet", block_size=1 << 16)
    assert _files_in(store) == []


def test_a_parquet_file_with_no_rows_is_refused(tmp_path: Path) -> None:
    upload = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.int64())}), upload)

    with pytest.raises(DatasetFormatError, match="no rows"):
        ingest_file(upload, "empty.parquet", tmp_path / "store")
    assert _files_in(tmp_path / "store") == []


def test_a_truncated_parquet_file_is_refused(frame: pd.DataFrame, tmp_path: Path) -> None:
    whole = tmp_path / "whole.parquet"
    _write_parquet(frame, whole)
    upload = tmp_path / "cut.parquet"
    upload.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(DatasetFormatError, match="cannot be read as Parquet"):
        ingest_file(upload, "cut.parquet", tmp_path / "store")
    assert _files_in(tmp_path / "store") == []


def _xlsx_bytes(tmp_path: Path) -> bytes:
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return book.read_bytes()


@pytest.mark.parametrize(
    ("filename", "head", "phrase"),
    [
        ("plot.png", b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        ("data.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        ("report.pdf", b"%PDF-1.7\n", "PDF"),
        ("data.csv.gz", b"\x1f\x8b\x08\x00", "decompress"),
        ("junk.bin", b"\x01\x02\x00\x03\x04", "NUL bytes"),
        ("data.csv", b"a,b\x00\x00\n", "NUL bytes"),
        ("utf16.csv", "a,b\n1,2\n".encode("utf-16"), "UTF-16"),
        ("sheet.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "export the sheet as CSV"),
        ("sheet.ods", b"a,b\n", "export the sheet as CSV"),
        ("fake.parquet", b"a,b\n1,2\n", "PAR1"),
        ("fake.feather", b"a,b\n1,2\n", "Arrow"),
        ("notes.txt", b"just some words\n", "no comma or tab"),
        ("data.jsonl", b"hello\n", "starts with 'h'"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_files_that_are_not_tables_are_refused_naming_the_accepted_formats(
    filename: str, head: bytes, phrase: str
) -> None:
    with pytest.raises(DatasetFormatError) as refused:
        detect_format(filename, head)

    assert phrase in refused.value.detail
    if head:
        assert "CSV, TSV, Parquet, JSON lines and Arrow" in refused.value.detail


def test_an_xlsx_workbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match="xlsx"):
        detect_format("book.xlsx", _xlsx_bytes(tmp_path))


@pytest.mark.parametrize(
    ("filename", "head", "expected"),
    [
        ("a.csv", b"x,y\n1,2\n", DataFormat.CSV),
        ("a.TSV", b"x\ty\n1\t2\n", DataFormat.TSV),
        ("a.tab", b"x\ty\n", DataFormat.TSV),
        ("a.ndjson", b'{"x": 1}\n', DataFormat.JSONL),
        ("a.json", b'\xef\xbb\xbf {"x": 1}\n', DataFormat.JSONL),
        ("upload", b'{"x": 1}\n', DataFormat.JSONL),
        ("upload", b"x\ty,z\n", DataFormat.TSV),
        ("upload.txt", b"x,y\n", DataFormat.CSV),
        ("upload", b"PAR1\x15\x04", DataFormat.PARQUET),
        ("data.csv", b"PAR1\x15\x04", DataFormat.PARQUET),
        ("upload", b"ARROW1\x00\x00", DataFormat.ARROW),
        ("upload", b"\xff\xff\xff\xff\x10\x01\x00\x00", DataFormat.ARROW),
        ("a.pq", b"PAR1", DataFormat.PARQUET),
        ("a.ipc", b"ARROW1", DataFormat.ARROW),
    ],
)
def test_formats_are_detected_by_extension_and_magic_bytes(
    filename: str, head: bytes, expected: DataFormat
) -> None:
    assert detect_format(filename, head) is expected


def test_read_rows_pages_across_row_groups(tmp_path: Path) -> None:
    table = pa.table(
        {
            "n": pa.array(range(50), pa.int64()),
            "x": pa.array([float("nan") if i % 7 == 0 else i / 4 for i in range(50)]),
            "at": pa.array(pd.date_range("2024-01-01", periods=50, freq="D")),
        }
    )
    path = tmp_path / "paged.parquet"
    pq.write_table(table, path, row_group_size=8)

    page = read_rows(path, 13, 10)

    expected = table.slice(13, 10).to_pandas()
    assert [row["n"] for row in page] == expected["n"].tolist()
    assert [row["x"] for row in page] == [None if np.isnan(v) else v for v in expected["x"]]
    assert [row["at"] for row in page] == [t.isoformat() for t in expected["at"]]
    json.dumps(page, allow_nan=False)
    assert [row["n"] for row in read_rows(path, 45, 10)] == [45, 46, 47, 48, 49]
    assert read_rows(path, 50, 10) == []
    assert read_rows(path, 0, 0) == []
    with pytest.raises(ConfigValidationError):
        read_rows(path, -1, 5)


def test_large_uploads_are_stored_in_pageable_row_groups(tmp_path: Path) -> None:
    rows = ROW_GROUP_ROWS + 5_000
    upload = tmp_path / "long.csv"
    upload.write_text("n,half\n" + "".join(f"{i},{i / 2}\n" for i in range(rows)))

    ingested = ingest_file(upload, "long.csv", tmp_path / "store")

    metadata = pq.ParquetFile(ingested.path).metadata
    assert ingested.row_count == metadata.num_rows == rows
    assert metadata.num_row_groups >= 2
    assert all(
        metadata.row_group(i).num_rows <= ROW_GROUP_ROWS for i in range(metadata.num_row_groups)
    )
    start = ROW_GROUP_ROWS - 3
    page = read_rows(ingested.path, start, 6)
    assert page == [{"n": i, "half": i / 2} for i in range(start, start + 6)]


def test_read_table_suggests_a_column_name(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    _write_parquet(frame, path)

    with pytest.raises(ConfigValidationError, match="did you mean 'colour'"):
        read_table(path, ["color"])
