"""Profiles: kinds inferred from types, names and values; numbers equal to pandas' own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from ml_backend.datasets import (
    KindEvidence,
    infer_kind,
    looks_like_id,
    profile_parquet,
    read_frame,
)
from ml_backend.schema import ColumnKind

ROWS = 60


@pytest.fixture
def table() -> pa.Table:
    rng = np.random.default_rng(3)
    words = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "again"]
    reviews = [" ".join(rng.choice(words, 9)) + f" (review {i})" for i in range(ROWS)]
    amount = rng.gamma(2.0, 30.0, ROWS)
    amount[[1, 8]] = np.nan
    return pa.table(
        {
            "customer_id": pa.array(rng.permutation(ROWS) + 1000),
            "value": pa.array(rng.permutation(ROWS)),
            "amount": pa.array(amount, from_pandas=False).cast(pa.float64()),
            "amount_with_nulls": pa.array(
                [None if i % 9 == 0 else float(i) for i in range(ROWS)], pa.float64()
            ),
            "signup": pa.array(
                [f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}T08:30:00" for i in range(ROWS)]
            ),
            "review": pa.array(reviews),
            "plan": pa.array(rng.choice(["free", "pro", "team"], ROWS).tolist()),
            "answer": pa.array(rng.choice(["yes", "no"], ROWS).tolist()),
            "paid": pa.array(rng.integers(0, 2, ROWS).astype(bool)),
            "sku": pa.array([f"SKU-{i:05d}" for i in range(ROWS)]),
            "stars": pa.array(rng.integers(1, 6, ROWS)),
            "empty": pa.nulls(ROWS),
        }
    )


@pytest.fixture
def parquet_path(table: pa.Table, tmp_path: Path) -> Path:
    path = tmp_path / "profiled.parquet"
    pq.write_table(table, path)
    return path


def test_kinds_are_inferred_from_types_names_and_values(parquet_path: Path) -> None:
    profile = profile_parquet(parquet_path)

    kinds = {column.name: column.kind for column in profile.columns}
    assert kinds == {
        "customer_id": ColumnKind.IDENTIFIER,
        "value": ColumnKind.NUMERIC,
        "amount": ColumnKind.NUMERIC,
        "amount_with_nulls": ColumnKind.NUMERIC,
        "signup": ColumnKind.DATETIME,
        "review": ColumnKind.TEXT,
        "plan": ColumnKind.CATEGORICAL,
        "answer": ColumnKind.CATEGORICAL,
        "paid": ColumnKind.BOOLEAN,
        "sku": ColumnKind.IDENTIFIER,
        "stars": ColumnKind.NUMERIC,
        "empty": ColumnKind.CATEGORICAL,
    }


def test_numbers_match_pandas(table: pa.Table, parquet_path: Path) -> None:
    frame = table.to_pandas()

    profile = profile_parquet(parquet_path)

    assert profile.row_count == len(frame)
    for name in ["value", "amount", "amount_with_nulls", "stars"]:
        column = profile.column(name)
        assert column is not None
        assert column.dtype == str(table.schema.field(name).type)
        assert column.missing == frame[name].isna().sum(), name
        assert column.distinct == frame[name].nunique(), name
        assert column.min == pytest.approx(frame[name].min())
        assert column.max == pytest.approx(frame[name].max())
        assert column.mean == pytest.approx(frame[name].mean())
        assert column.std == pytest.approx(frame[name].std())
        assert column.top_values is None
    customer_id = profile.column("customer_id")
    assert customer_id is not None
    assert customer_id.distinct == ROWS and customer_id.mean is None
    for name in ["plan", "answer", "paid"]:
        column = profile.column(name)
        assert column is not None and column.top_values is not None
        expected = frame[name].value_counts()
        assert dict(column.top_values) == expected.to_dict()
        assert [count for _, count in column.top_values] == sorted(expected, reverse=True)
    signup = profile.column("signup")
    assert signup is not None
    parsed = pd.to_datetime(frame["signup"])
    assert signup.min == parsed.min().isoformat()
    assert signup.max == parsed.max().isoformat()
    empty = profile.column("empty")
    assert empty is not None
    assert (empty.missing, empty.distinct, empty.samples) == (ROWS, 0, [])


def test_float_nan_counts_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "nan.parquet"
    values = pa.array([1.0, float("nan"), None, 4.0, float("inf")], pa.float64())
    pq.write_table(pa.table({"x": values}), path)

    column = profile_parquet(path).columns[0]

    assert column.missing == pd.Series([1.0, np.nan, np.nan, 4.0, np.inf]).isna().sum() == 2
    assert column.distinct == 3
    assert column.max is None  # infinity has no JSON form
    assert column.mean is None


def test_top_values_are_limited_and_ties_ordered_by_value(tmp_path: Path) -> None:
    path = tmp_path / "ties.parquet"
    letters = ["d", "b", "b", "c", "a", "c", "e", "b"]
    pq.write_table(pa.table({"letter": letters}), path)

    column = profile_parquet(path, top_values=3, sample_values=2).columns[0]

    assert column.top_values == [("b", 3), ("c", 2), ("a", 1)]
    assert column.samples == ["d", "b"]


def test_samples_are_the_first_distinct_values_in_file_order(parquet_path: Path) -> None:
    profile = profile_parquet(parquet_path, sample_values=3)

    plan = profile.column("plan")
    table = pq.read_table(parquet_path)
    first_distinct = list(dict.fromkeys(table.column("plan").to_pylist()))[:3]
    assert plan is not None and plan.samples == first_distinct


def test_profile_is_plain_json(parquet_path: Path) -> None:
    dumped = profile_parquet(parquet_path).model_dump(mode="json")

    text = json.dumps(dumped, allow_nan=False)

    assert json.loads(text)["row_count"] == ROWS


def test_timestamps_profile_as_iso_strings(tmp_path: Path) -> None:
    path = tmp_path / "times.parquet"
    moments = pd.Series(pd.date_range("2020-02-28 23:00", periods=5, freq="h", tz="UTC"))
    pq.write_table(pa.table({"at": pa.array(moments), "day": pa.array(moments.dt.date)}), path)

    profile = profile_parquet(path)

    at, day = profile.columns
    assert (at.kind, day.kind) == (ColumnKind.DATETIME, ColumnKind.DATETIME)
    assert at.min == moments.min().isoformat()
    assert at.max == moments.max().isoformat()
    assert day.min == "2020-02-28"
    assert day.max == "2020-02-29"
    assert at.samples[0] == moments[0].isoformat()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id", True),
        ("ID", True),
        ("user_id", True),
        ("userId", True),
        ("customerid", True),
        ("row index", True),
        ("key", True),
        ("uuid", True),
        ("order_key", True),
        ("price", False),
        ("identity_score", False),
        ("keyboard", False),
        ("year", False),
    ],
)
def test_id_like_names(name: str, expected: bool) -> None:
    assert looks_like_id(name) is expected


def _text(distinct: int, longest: int, mean: float = 0.0, spaced: float = 0.0) -> KindEvidence:
    """Evidence for 100 text values."""
    return KindEvidence(
        name="c",
        arrow_type=pa.string(),
        non_null=100,
        distinct=distinct,
        max_length=longest,
        mean_length=mean,
        share_with_spaces=spaced,
    )


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (KindEvidence("flag", pa.bool_(), 10, 2), ColumnKind.BOOLEAN),
        (KindEvidence("d", pa.date32(), 10, 10), ColumnKind.DATETIME),
        (KindEvidence("id", pa.int64(), 10, 10), ColumnKind.IDENTIFIER),
        (KindEvidence("id", pa.int64(), 10, 9), ColumnKind.NUMERIC),
        (KindEvidence("count", pa.int64(), 10, 10), ColumnKind.NUMERIC),
        (KindEvidence("grade", pa.int8(), 1000, 3), ColumnKind.NUMERIC),
        (KindEvidence("x", pa.float32(), 10, 10), ColumnKind.NUMERIC),
        (KindEvidence("s", pa.string(), 10, 10, parses_as_datetime=True), ColumnKind.DATETIME),
        (_text(100, longest=12, mean=8), ColumnKind.IDENTIFIER),
        (_text(97, longest=12, mean=8), ColumnKind.IDENTIFIER),
        (_text(100, longest=41, mean=8), ColumnKind.CATEGORICAL),
        (_text(100, longest=80, mean=60, spaced=1.0), ColumnKind.TEXT),
        (_text(100, longest=30, mean=20, spaced=0.8), ColumnKind.TEXT),
        (_text(60, longest=300, mean=90, spaced=0.9), ColumnKind.TEXT),
        (_text(40, longest=300, mean=90, spaced=0.9), ColumnKind.CATEGORICAL),
        (_text(100, longest=25, mean=15, spaced=0.3), ColumnKind.CATEGORICAL),
        (_text(5, longest=8, mean=5), ColumnKind.CATEGORICAL),
        (KindEvidence("s", pa.string(), 20, 20, max_length=5), ColumnKind.CATEGORICAL),
        (KindEvidence("n", pa.null(), 0, 0), ColumnKind.CATEGORICAL),
    ],
)  # fmt: skip
def test_infer_kind_rules(evidence: KindEvidence, expected: ColumnKind) -> None:
    assert infer_kind(evidence) is expected


def test_read_frame_feeds_scikit_learn_imputers_and_encoders(
    table: pa.Table, parquet_path: Path
) -> None:
    frame = read_frame(parquet_path, ["plan", "amount_with_nulls", "paid", "empty"])
    plan_with_gaps = frame["plan"].where(frame.index % 5 != 0)

    assert frame["plan"].dtype == object
    assert frame["amount_with_nulls"].isna().sum() == table.column("amount_with_nulls").null_count
    assert frame["empty"].dtype == np.float64
    features = pd.DataFrame({"plan": plan_with_gaps, "amount": frame["amount_with_nulls"]})
    encoder = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["plan"]),
        (SimpleImputer(), ["amount"]),
    )
    encoded = encoder.fit_transform(features)
    assert encoded.shape == (ROWS, 3 + 1)
    assert not np.isnan(np.asarray(encoded, dtype=float)).any()
    assert encoded[:, :3].sum(axis=1).tolist() == [1.0] * ROWS


def test_read_frame_turns_booleans_with_gaps_into_floats(tmp_path: Path) -> None:
    path = tmp_path / "flags.parquet"
    pq.write_table(pa.table({"flag": [True, None, False], "whole": [True, False, True]}), path)

    frame = read_frame(path)

    assert frame["flag"].dtype == np.float64
    assert frame["flag"].tolist()[::2] == [1.0, 0.0] and np.isnan(frame["flag"][1])
    assert frame["whole"].dtype == bool
