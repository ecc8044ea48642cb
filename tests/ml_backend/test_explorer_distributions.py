"""histogram, box, bar, describe and missing: numbers against pandas/numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.ml_backend.explorer_data import explore, penguins, traces


def test_histogram_matches_numpy(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "histogram", ["body_mass_g"], bins=12)
    counts, edges = np.histogram(frame["body_mass_g"].dropna(), bins=12)
    assert result.summary["counts"] == counts.tolist()
    np.testing.assert_allclose(result.summary["edges"], edges, rtol=0, atol=0)
    assert result.summary["missing"] == int(frame["body_mass_g"].isna().sum())
    (bars,) = traces(result, "bar")
    assert bars["y"] == counts.tolist()
    np.testing.assert_allclose(bars["x"], (edges[:-1] + edges[1:]) / 2)
    np.testing.assert_allclose(bars["width"], np.diff(edges))
    assert result.sampled is False


def test_histogram_per_group_uses_shared_edges(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "histogram", ["flipper_length_mm"], color="species")
    edges = np.array(result.summary["edges"])
    assert len(edges) == 31
    per_group = result.summary["group_counts"]
    assert sorted(per_group) == ["Adelie", "Chinstrap", "Gentoo"]
    for species, counts in per_group.items():
        values = frame.loc[frame["species"] == species, "flipper_length_mm"].dropna()
        assert counts == np.histogram(values, bins=edges)[0].tolist()
    assert np.sum(list(per_group.values()), axis=0).tolist() == result.summary["counts"]
    assert {t["name"]: t["y"] for t in traces(result, "bar")} == per_group


def test_box_quartiles_match_pandas_linear_quantiles(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "box", ["body_mass_g", "species"])
    assert "linear" in result.summary["quantile_method"]
    grouped = frame.groupby("species")["body_mass_g"]
    stats = {row["group"]: row for row in result.summary["groups"]}
    assert list(stats) == ["Adelie", "Chinstrap", "Gentoo"]
    for species, values in grouped:
        row, present = stats[str(species)], values.dropna()
        q1, q3 = present.quantile(0.25), present.quantile(0.75)
        reach = 1.5 * (q3 - q1)
        assert row["count"] == present.count()
        assert row["q1"] == pytest.approx(q1, abs=1e-9)
        assert row["median"] == pytest.approx(present.median(), abs=1e-9)
        assert row["q3"] == pytest.approx(q3, abs=1e-9)
        assert (row["min"], row["max"]) == (present.min(), present.max())
        assert row["mean"] == pytest.approx(present.mean(), rel=1e-12)
        assert row["lower_fence"] == present[present >= q1 - reach].min()
        assert row["upper_fence"] == present[present <= q3 + reach].max()
        outside = ((present < q1 - reach) | (present > q3 + reach)).sum()
        assert row["outliers"] == outside
    (box,) = traces(result, "box")
    assert box["x"] == list(stats)
    assert box["q1"] == [s["q1"] for s in stats.values()]
    assert box["median"] == [s["median"] for s in stats.values()]
    assert box["upperfence"] == [s["upper_fence"] for s in stats.values()]


def test_box_draws_outliers_beyond_the_whiskers(tmp_path: Path) -> None:
    values = np.concatenate([np.random.default_rng(0).normal(size=200), [40.0, -35.0]])
    frame = pd.DataFrame({"v": values})
    result, _ = explore(frame, tmp_path, "box", ["v"])
    (row,) = result.summary["groups"]
    assert row["outliers"] >= 2
    (points,) = traces(result, "scatter")
    assert {40.0, -35.0} <= set(points["y"])
    assert all(y < row["lower_fence"] or y > row["upper_fence"] for y in points["y"])


def test_bar_counts_match_value_counts(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "bar", ["island"])
    expected = frame["island"].value_counts()
    table = {row["category"]: row["value"] for row in result.summary["table"]}
    assert table == expected.to_dict()
    (bars,) = traces(result, "bar")
    assert bars["x"] == expected.index.tolist()
    assert bars["y"] == expected.tolist()


def test_bar_pools_the_rest_as_other(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "bar", ["island"], top_n=1)
    expected = frame["island"].value_counts()
    table = [(row["category"], row["value"]) for row in result.summary["table"]]
    assert table == [(expected.index[0], expected.iloc[0]), ("(other)", expected.iloc[1:].sum())]
    assert result.summary["pooled_categories"] == 2
    assert any("(other)" in note for note in result.notes)


@pytest.mark.parametrize("agg", ["mean", "sum", "median", "min", "max", "count"])
def test_bar_aggregates_match_groupby(tmp_path: Path, agg: str) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "bar", ["species"], value="body_mass_g", agg=agg)
    expected = frame.groupby("species")["body_mass_g"].agg(agg)
    table = {row["category"]: row["value"] for row in result.summary["table"]}
    assert table == pytest.approx(expected.to_dict(), rel=1e-12)
    (bars,) = traces(result, "bar")
    assert bars["y"] == [table[c] for c in bars["x"]]
    assert bars["y"] == sorted(bars["y"], reverse=True)


def test_bar_split_by_colour_matches_crosstab(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "bar", ["species"], color="sex")
    crosstab = pd.crosstab(frame["species"], frame["sex"])
    for row in result.summary["table"]:
        if row["color"] == "(missing)":
            mask = (frame["species"] == row["category"]) & frame["sex"].isna()
            assert row["value"] == mask.sum()
        else:
            assert row["value"] == crosstab.loc[row["category"], row["color"]]
    assert sum(row["value"] for row in result.summary["table"]) == len(frame)
    assert [t["name"] for t in traces(result, "bar")] == ["female", "male", "(missing)"]


def test_describe_matches_pandas(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "describe")
    statistics = result.summary["columns"]
    assert list(statistics) == frame.columns.tolist()
    for name in ["bill_length_mm", "body_mass_g", "year"]:
        expected = frame[name].describe()
        for key in ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]:
            assert statistics[name][key] == pytest.approx(expected[key], rel=1e-12), (name, key)
    for name in ["species", "sex"]:
        expected = frame[name].describe()
        for key in ["count", "unique", "top", "freq"]:
            assert statistics[name][key] == expected[key], (name, key)
        assert statistics[name]["missing"] == frame[name].isna().sum()
    (table,) = traces(result, "table")
    header = table["header"]["values"]
    cells = dict(zip(header, table["cells"]["values"], strict=True))
    assert cells["column"] == frame.columns.tolist()
    row = frame.columns.get_loc("body_mass_g")
    assert cells["mean"][row] == f"{frame['body_mass_g'].mean():.6g}"
    assert cells["top"][frame.columns.get_loc("species")] == frame["species"].mode()[0]


def test_missing_counts_match_isna(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "missing")
    expected = frame.isna().sum()
    counts = {row["column"]: row["missing"] for row in result.summary["columns"]}
    assert counts == expected.to_dict()
    shares = {row["column"]: row["share"] for row in result.summary["columns"]}
    assert shares == pytest.approx((expected / len(frame)).to_dict())
    assert result.summary["complete_rows"] == len(frame.dropna())
    bar = traces(result, "bar")[0]
    assert bar["y"] == [shares[c] for c in frame.columns]
    heatmap = traces(result, "heatmap")[0]
    assert heatmap["z"] == frame.isna().astype(int).to_numpy().tolist()
    assert result.sampled is False


def test_missing_map_spreads_rows_over_big_data(tmp_path: Path) -> None:
    generator = np.random.default_rng(4)
    values = generator.normal(size=(2_000, 3))
    values[generator.uniform(size=values.shape) < 0.1] = np.nan
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    result, _ = explore(frame, tmp_path, "missing", max_rows=100)
    heatmap = traces(result, "heatmap")[0]
    rows = result.summary["map_rows"]
    assert len(heatmap["z"]) == len(rows) == 100
    assert rows[0] == 0 and rows[-1] == 1_999
    assert heatmap["z"] == frame.isna().iloc[rows].astype(int).to_numpy().tolist()
    assert result.sampled is True
    assert any("100 evenly spaced of 2,000 rows" in note for note in result.notes)
    assert result.summary["total_missing"] == frame.isna().sum().sum()
