"""Profiling a stored Parquet dataset, one column at a time: the agent's schema context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ml_backend.datasets.values import json_value
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile

# Names (or last words of names) that mark a column of unique integers as an identifier.
ID_WORDS = frozenset({"id", "idx", "index", "key", "uuid"})
# Datetime detection on text looks at this many values first, and at the rest only if they pass.
_DATETIME_PROBE = 1_000
# Samples are the first distinct values among this many leading ones.
_SAMPLE_PROBE = 10_000
# Samples and top values are for reading: long texts are cut to this many characters.
_DISPLAY_CHARS = 120
# Distinct values are counted by hashing this many rows at a time, while a slice holds at most
# this share of distinct values; columns with more are sorted instead.
_HASH_SLICE_ROWS = 262_144
_HASH_MAX_DISTINCT_SHARE = 0.25
_DATETIME_TYPES = (
    pa.timestamp("us"),
    pa.timestamp("us", tz="UTC"),
    pa.timestamp("ns"),
    pa.timestamp("ns", tz="UTC"),
)


@dataclass(frozen=True)
class KindEvidence:
    """What `infer_kind` looks at for one column; lengths and spaces matter for text only."""

    name: str
    arrow_type: pa.DataType
    non_null: int
    distinct: int
    parses_as_datetime: bool = False
    max_length: int = 0
    mean_length: float = 0.0
    share_with_spaces: float = 0.0


def infer_kind(evidence: KindEvidence) -> ColumnKind:
    """What a column means, from its Arrow type, name, cardinality and (for text) its values.

    - bool type -> boolean (text such as yes/no stays categorical: it may mean more values);
    - timestamp and date types, or text whose values all parse as ISO dates -> datetime;
    - integers whose values are all distinct and whose name looks like an id
      (`id`, `*_id`, `*id`, `index`, `key`, `uuid`) -> identifier; other numbers -> numeric,
      however few their distinct values (training decides classification or regression);
    - text with more than 20 values, over 95% of them distinct -> identifier when the values
      are short tokens (no spaces, at most 40 characters), text when they are free prose
      (mean length over 30 or mostly with spaces);
    - long prose (mean length over 50, mostly with spaces) with over half distinct -> text;
    - anything else -> categorical.
    """
    arrow_type = evidence.arrow_type
    if pa.types.is_boolean(arrow_type):
        return ColumnKind.BOOLEAN
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return ColumnKind.DATETIME
    if pa.types.is_integer(arrow_type):
        all_distinct = evidence.non_null > 1 and evidence.distinct == evidence.non_null
        if all_distinct and looks_like_id(evidence.name):
            return ColumnKind.IDENTIFIER
        return ColumnKind.NUMERIC
    if _is_numeric(arrow_type):
        return ColumnKind.NUMERIC
    if not pa.types.is_string(arrow_type) or evidence.non_null == 0:
        return ColumnKind.CATEGORICAL
    if evidence.parses_as_datetime:
        return ColumnKind.DATETIME
    prose = evidence.mean_length > 30 or evidence.share_with_spaces > 0.5
    if evidence.non_null > 20 and evidence.distinct > 0.95 * evidence.non_null:
        if evidence.max_length <= 40 and evidence.share_with_spaces == 0:
            return ColumnKind.IDENTIFIER
        if prose:
            return ColumnKind.TEXT
    long_prose = evidence.mean_length > 50 and evidence.share_with_spaces > 0.5
    if long_prose and evidence.distinct > 0.5 * evidence.non_null:
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


def looks_like_id(name: str) -> bool:
    """Whether a column name reads like an identifier's: id, user_id, userId, uuid, row_index."""
    lowered = name.strip().lower()
    words = re.split(r"[^0-9a-z]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip()).lower())
    last_word = next((w for w in reversed(words) if w), "")
    return lowered.endswith("id") or last_word in ID_WORDS


def profile_parquet(path: Path, *, sample_values: int = 5, top_values: int = 10) -> DatasetProfile:
    """Profile a Parquet file, reading one column at a time."""
    with pq.ParquetFile(path) as parquet_file:
        row_count = parquet_file.metadata.num_rows
        columns = [
            _profile_column(
                name,
                parquet_file.read(columns=[name]).column(0),
                sample_values=sample_values,
                top_values=top_values,
            )
            for name in parquet_file.schema_arrow.names
        ]
    return DatasetProfile(row_count=row_count, columns=columns)


def _profile_column(
    name: str, column: pa.ChunkedArray, *, sample_values: int, top_values: int
) -> ColumnProfile:
    arrow_type = column.type
    values = pc.drop_null(column)
    if pa.types.is_floating(arrow_type):
        values = values.filter(pc.invert(pc.is_nan(values)))
    non_null = len(values)
    distinct_values, counts = _distinct_counts(values)
    distinct = len(distinct_values)
    datetimes = _as_datetimes(values) if pa.types.is_string(arrow_type) and non_null else None
    evidence = KindEvidence(
        name=name,
        arrow_type=arrow_type,
        non_null=non_null,
        distinct=distinct,
        parses_as_datetime=datetimes is not None,
        **(_text_shape(values) if pa.types.is_string(arrow_type) and non_null else {}),
    )
    kind = infer_kind(evidence)
    profile = ColumnProfile(
        name=name,
        dtype=str(arrow_type),
        kind=kind,
        missing=len(column) - non_null,
        distinct=distinct,
        samples=_samples(values, sample_values),
    )
    if non_null == 0:
        return profile
    if kind is ColumnKind.NUMERIC:
        _add_numeric_stats(profile, values)
    elif kind is ColumnKind.DATETIME:
        extremes = pc.min_max(datetimes if datetimes is not None else values)
        profile.min = json_value(extremes["min"].as_py())
        profile.max = json_value(extremes["max"].as_py())
    else:
        profile.top_values = _top_values(distinct_values, counts, top_values)
    return profile


def _is_numeric(arrow_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(arrow_type)
        or pa.types.is_floating(arrow_type)
        or pa.types.is_decimal(arrow_type)
        or pa.types.is_duration(arrow_type)
    )


def _as_datetimes(values: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The values parsed as timestamps when every one is an ISO date or datetime, else None."""
    for arrow_type in _DATETIME_TYPES:
        try:
            values.slice(0, _DATETIME_PROBE).cast(arrow_type)
            return values.cast(arrow_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return None


def _text_shape(values: pa.ChunkedArray) -> dict[str, Any]:
    lengths = pc.utf8_length(values)
    with_spaces = pc.sum(pc.match_substring(values, " ")).as_py() or 0
    return {
        "max_length": pc.max(lengths).as_py(),
        "mean_length": pc.mean(lengths).as_py(),
        "share_with_spaces": with_spaces / len(values),
    }


def _add_numeric_stats(profile: ColumnProfile, values: pa.ChunkedArray) -> None:
    extremes = pc.min_max(values)
    profile.min = json_value(extremes["min"].as_py())
    profile.max = json_value(extremes["max"].as_py())
    if pa.types.is_duration(values.type):
        return
    # Float64 sums cannot overflow the way int64 sums can, and decimals need a float anyway.
    as_float = values.cast(pa.float64())
    mean = json_value(pc.mean(as_float).as_py())
    std = json_value(pc.stddev(as_float, ddof=1).as_py())
    profile.mean = float(mean) if isinstance(mean, int | float) else None
    profile.std = float(std) if isinstance(std, int | float) else None


def _distinct_counts(values: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """The distinct values (ascending) and how often each occurs.

    Columns whose values repeat are counted by hashing, a slice at a time: ten to twenty
    times faster than sorting, in memory for the distinct values only. Mostly unique columns
    are sorted and run-length encoded, in about twice the column's memory, where Arrow's hash
    kernels (count_distinct, value_counts) would need ten to twenty times it.
    """
    if len(values) == 0:
        return pa.array([], values.type), pa.array([], pa.int64())
    column = values.combine_chunks()
    try:
        hashed = _hashed_counts(column)
    except pa.ArrowNotImplementedError:
        hashed = None
    if hashed is not None:
        return hashed
    try:
        ordered = column.take(pc.sort_indices(column))
        runs = pc.run_end_encode(ordered, run_end_type=pa.int64())
    except pa.ArrowNotImplementedError:
        # Types without sorting or run-end kernels (rare here): fall back to hashing.
        counted = pc.value_counts(column)
        return counted.field("values"), counted.field("counts")
    ends = runs.run_ends
    starts = pa.concat_arrays([pa.array([0], pa.int64()), ends.slice(0, len(ends) - 1)])
    return runs.values, pc.subtract(ends, starts)


def _hashed_counts(column: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """`_distinct_counts` by hashing each slice of the column and adding up the slices'
    counts; None as soon as a slice is mostly distinct values (then sorting costs less)."""
    values: list[pa.Array] = []
    counts: list[pa.Array] = []
    for start in range(0, len(column), _HASH_SLICE_ROWS):
        part = column.slice(start, _HASH_SLICE_ROWS)
        counted = pc.value_counts(part)
        if len(counted) > _HASH_MAX_DISTINCT_SHARE * len(part) and len(counted) > 1_000:
            return None
        values.append(counted.field("values"))
        counts.append(counted.field("counts"))
    slices = pa.table({"value": pa.concat_arrays(values), "count": pa.concat_arrays(counts)})
    totals = slices.group_by("value").aggregate([("count", "sum")]).sort_by("value")
    return totals.column("value").combine_chunks(), totals.column("count_sum").combine_chunks()


def _top_values(values: pa.Array, counts: pa.Array, limit: int) -> list[tuple[Any, int]]:
    table = pa.table({"value": values, "count": counts})
    top = pc.take(
        table,
        pc.select_k_unstable(
            table,
            k=min(limit, len(table)),
            sort_keys=[("count", "descending"), ("value", "ascending")],
        ),
    )
    return [
        (_displayed(value), int(count))
        for value, count in zip(
            top.column("value").to_pylist(), top.column("count").to_pylist(), strict=True
        )
    ]


def _samples(values: pa.ChunkedArray, limit: int) -> list[Any]:
    """The first `limit` distinct values, in file order."""
    head = pc.unique(values.slice(0, _SAMPLE_PROBE))
    return [_displayed(value) for value in head.slice(0, limit).to_pylist()]


def _displayed(value: Any) -> Any:
    shown = json_value(value)
    if isinstance(shown, str) and len(shown) > _DISPLAY_CHARS:
        return shown[: _DISPLAY_CHARS - 1] + "…"
    return shown
