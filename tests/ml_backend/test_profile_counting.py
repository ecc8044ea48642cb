"""Distinct and top-value counts of large columns: exact whichever way they are counted."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ml_backend.datasets import profile_parquet

ROWS = 700_000  # more than two of the slices that repeating values are counted in


def test_counts_are_exact_over_many_slices(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    stores = np.asarray([f"store_{i:02d}" for i in range(40)])[rng.integers(0, 40, ROWS)]
    prices = rng.integers(0, 30_000, ROWS) / 100
    # Few values for the first rows, then all distinct: counted one way, then the other.
    drifting = np.concatenate([rng.integers(0, 5, 300_000), np.arange(10, ROWS - 300_000 + 10)])
    path = tmp_path / "wide.parquet"
    pq.write_table(
        pa.table({"store": stores, "price": prices, "drifting": drifting, "row": np.arange(ROWS)}),
        path,
    )
    columns = {c.name: c for c in profile_parquet(path).columns}

    expected_stores = Counter(stores.tolist())
    assert columns["store"].distinct == len(expected_stores)
    assert columns["store"].top_values == [
        (value, count)
        for value, count in sorted(expected_stores.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
    assert columns["price"].distinct == len(set(prices.tolist()))
    assert columns["drifting"].distinct == len(set(drifting.tolist()))
    assert columns["row"].distinct == ROWS
