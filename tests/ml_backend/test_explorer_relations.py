"""scatter, correlation, scatter_matrix and line: numbers against pandas/numpy/sklearn."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from tests.ml_backend.explorer_data import PENGUIN_NUMBERS, explore, nan_to_none, penguins, traces


def random_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    x = generator.normal(size=rows)
    return pd.DataFrame(
        {
            "x": x,
            "y": 2.0 * x + generator.normal(scale=0.5, size=rows),
            "z": generator.uniform(size=rows),
            "group": generator.choice(["a", "b", "c"], size=rows),
        }
    )


def test_scatter_pearson_and_trendline_match_pandas_and_sklearn(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(
        frame, tmp_path, "scatter", ["bill_length_mm", "bill_depth_mm"], trendline=True
    )
    complete = frame[["bill_length_mm", "bill_depth_mm"]].dropna()
    summary = result.summary
    assert summary["pearson_r"] == pytest.approx(
        frame["bill_length_mm"].corr(frame["bill_depth_mm"]), abs=1e-12
    )
    assert summary["rows"] == len(complete)
    assert summary["rows_left_out"] == len(frame) - len(complete)

    model = LinearRegression().fit(complete[["bill_length_mm"]], complete["bill_depth_mm"])
    fitted = model.predict(complete[["bill_length_mm"]])
    trend = summary["trendline"]
    assert trend["slope"] == pytest.approx(model.coef_[0], rel=1e-9)
    assert trend["intercept"] == pytest.approx(model.intercept_, rel=1e-9)
    assert trend["r2"] == pytest.approx(r2_score(complete["bill_depth_mm"], fitted), rel=1e-9)

    points, line = traces(result)
    assert points["x"] == complete["bill_length_mm"].tolist()
    assert points["y"] == complete["bill_depth_mm"].tolist()
    assert line["mode"] == "lines"
    ends = [complete["bill_length_mm"].min(), complete["bill_length_mm"].max()]
    assert line["x"] == ends
    assert line["y"] == pytest.approx([trend["slope"] * e + trend["intercept"] for e in ends])
    assert result.sampled is False
    assert any("left out" in note for note in result.notes)


def test_scatter_samples_big_data_reproducibly_and_says_so(tmp_path: Path) -> None:
    frame = random_frame(5_000)
    result, _ = explore(frame, tmp_path, "scatter", ["x", "y"], max_points=100)
    again, _ = explore(frame, tmp_path, "scatter", ["x", "y"], max_points=100)
    (points,) = traces(result)
    assert len(points["x"]) == 100
    assert points["x"] == traces(again)[0]["x"]
    rows = set(zip(frame["x"], frame["y"], strict=True))
    assert set(zip(points["x"], points["y"], strict=True)) <= rows
    assert result.sampled is True
    assert result.row_count == 5_000
    assert any("random sample of 100 of 5,000 rows" in note for note in result.notes)
    assert result.summary["pearson_r"] == pytest.approx(frame["x"].corr(frame["y"]), abs=1e-12)


def test_scatter_colour_by_category_draws_a_trace_per_value(tmp_path: Path) -> None:
    frame = penguins()
    result, _ = explore(
        frame, tmp_path, "scatter", ["flipper_length_mm", "body_mass_g"], color="species"
    )
    complete = frame.dropna(subset=["flipper_length_mm", "body_mass_g"])
    expected = complete["species"].value_counts()
    drawn = {t["name"]: len(t["x"]) for t in traces(result)}
    assert drawn == expected.to_dict()
    adelie = next(t for t in traces(result) if t["name"] == "Adelie")
    assert adelie["y"] == complete.loc[complete["species"] == "Adelie", "body_mass_g"].tolist()


def test_scatter_numeric_colour_and_size(tmp_path: Path) -> None:
    frame = random_frame(300)
    result, _ = explore(frame, tmp_path, "scatter", ["x", "y"], color="z", size="z")
    (points,) = traces(result)
    assert points["marker"]["color"] == frame["z"].tolist()
    sizes = np.array(points["marker"]["size"])
    assert sizes.min() == pytest.approx(4.0)
    assert sizes.max() == pytest.approx(20.0)
    assert np.argmax(sizes) == frame["z"].idxmax()


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_correlation_matrix_equals_pandas(
    tmp_path: Path, method: Literal["pearson", "spearman", "kendall"]
) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "correlation", method=method)
    columns = [*PENGUIN_NUMBERS, "year"]
    assert result.summary["columns"] == columns
    expected = frame[columns].corr(method=method).to_numpy()
    matrix = np.array(result.summary["matrix"], dtype=float)
    np.testing.assert_allclose(matrix, expected, rtol=0, atol=1e-12)
    (heatmap,) = traces(result, "heatmap")
    np.testing.assert_allclose(np.array(heatmap["z"], dtype=float), expected, rtol=0, atol=1e-12)
    assert heatmap["x"] == columns and heatmap["y"] == columns

    off_diagonal = np.abs(expected[np.triu_indices(len(columns), k=1)])
    top = result.summary["top_pairs"]
    assert [abs(p["r"]) for p in top] == sorted(off_diagonal, reverse=True)[: len(top)]
    first = top[0]
    i, j = columns.index(first["a"]), columns.index(first["b"])
    assert first["r"] == pytest.approx(expected[i, j], abs=1e-12)


def test_correlation_of_a_constant_column_is_none_not_nan(tmp_path: Path) -> None:
    frame = random_frame(50).assign(flat=1.0)
    result, _ = explore(frame, tmp_path, "correlation", ["x", "y", "flat"])
    matrix = result.summary["matrix"]
    assert matrix[2] == [None, None, None]
    assert traces(result, "heatmap")[0]["z"][0][2] is None
    assert any("'flat'" in note for note in result.notes)


def test_scatter_matrix_defaults_to_numeric_columns_and_keeps_rows_together(
    tmp_path: Path,
) -> None:
    frame = penguins()
    result, _ = explore(frame, tmp_path, "scatter_matrix")
    (splom,) = traces(result, "splom")
    columns = [*PENGUIN_NUMBERS, "year"]
    assert [d["label"] for d in splom["dimensions"]] == columns
    for dimension in splom["dimensions"]:
        assert dimension["values"] == nan_to_none(frame[dimension["label"]].astype(float))
    expected = frame[columns].corr().to_numpy()
    np.testing.assert_allclose(
        np.array(result.summary["pearson"], dtype=float), expected, rtol=0, atol=1e-12
    )
    assert result.sampled is False


def test_scatter_matrix_samples_whole_rows(tmp_path: Path) -> None:
    frame = random_frame(1_000)
    result, _ = explore(
        frame, tmp_path, "scatter_matrix", ["x", "y", "z"], max_points=100, color="group"
    )
    splom_traces = traces(result, "splom")
    assert sorted(t["name"] for t in splom_traces) == ["a", "b", "c"]
    rows_drawn = [
        row
        for t in splom_traces
        for row in zip(*(d["values"] for d in t["dimensions"]), strict=True)
    ]
    assert len(rows_drawn) == 100
    assert set(rows_drawn) <= set(zip(frame["x"], frame["y"], frame["z"], strict=True))
    assert result.sampled is True
    assert any("random sample of 100 of 1,000 rows" in note for note in result.notes)


def test_line_sorts_by_time_and_summarises(tmp_path: Path) -> None:
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    generator = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"day": days, "sales": generator.normal(100, 10, 60), "cost": np.arange(60.0)}
    ).sample(frac=1.0, random_state=3)
    frame.loc[frame.index[5], "sales"] = np.nan
    result, _ = explore(frame, tmp_path, "line", ["day", "sales", "cost"])
    ordered = frame.sort_values("day")
    sales, cost = traces(result)
    assert sales["x"] == [d.isoformat() for d in ordered["day"]]
    assert sales["y"] == nan_to_none(ordered["sales"])
    assert cost["y"] == ordered["cost"].tolist()
    summary = result.summary
    assert summary["points"] == 60 and summary["resampled"] is False
    assert summary["x_first"] == days[0].isoformat()
    assert summary["x_last"] == days[-1].isoformat()
    present = ordered["sales"].dropna()
    assert summary["series"]["sales"] == {
        "first": present.iloc[0],
        "last": present.iloc[-1],
        "min": present.min(),
        "max": present.max(),
        "mean": pytest.approx(present.mean(), rel=1e-12),
        "missing": 1,
    }


def test_line_buckets_long_series_and_says_so(tmp_path: Path) -> None:
    x = np.arange(10_000.0)
    y = np.random.default_rng(2).normal(size=10_000)
    frame = pd.DataFrame({"t": x, "y": y})
    result, _ = explore(frame, tmp_path, "line", ["t", "y"], max_points=100)
    (line,) = traces(result)
    np.testing.assert_allclose(line["y"], y.reshape(100, 100).mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(line["x"], x.reshape(100, 100).mean(axis=1), rtol=1e-12)
    assert result.sampled is True and result.summary["resampled"] is True
    assert result.summary["points"] == 100
    assert any("10,000 rows are drawn as 100 points" in note for note in result.notes)

    summed, _ = explore(frame, tmp_path, "line", ["t", "y"], max_points=100, agg="sum")
    assert sum(traces(summed)[0]["y"]) == pytest.approx(y.sum(), abs=1e-9)


def test_line_bucketed_datetimes_keep_the_extremes(tmp_path: Path) -> None:
    stamps = pd.date_range("2024-01-01", periods=3_000, freq="h")
    values = np.sin(np.arange(3_000) / 50.0)
    frame = pd.DataFrame({"at": stamps, "v": values})
    result, _ = explore(frame, tmp_path, "line", ["at", "v"], max_points=50, agg="max")
    (line,) = traces(result)
    assert len(line["y"]) == 50
    assert max(line["y"]) == values.max()
    drawn = pd.to_datetime(line["x"])
    assert drawn.is_monotonic_increasing
    assert stamps[0] <= drawn[0] and drawn[-1] <= stamps[-1]


def test_line_combines_rows_that_share_an_x(tmp_path: Path) -> None:
    """Four stores a week are one point a week, their sum when asked, never a zigzag."""
    weeks = pd.date_range("2024-01-01", periods=20, freq="W")
    generator = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"week": np.repeat(weeks, 4), "revenue": generator.normal(100, 20, 80)}
    ).sample(frac=1.0, random_state=5)
    summed, _ = explore(frame, tmp_path, "line", ["week", "revenue"], agg="sum")
    (line,) = traces(summed)
    expected = frame.groupby("week")["revenue"].sum().sort_index()
    assert line["x"] == [w.isoformat() for w in expected.index]
    np.testing.assert_allclose(line["y"], expected.to_numpy(), rtol=1e-12)
    assert summed.summary["points"] == 20 and summed.summary["agg"] == "sum"
    assert any("80 rows share 20 'week' values" in note for note in summed.notes)
    averaged, _ = explore(frame, tmp_path, "line", ["week", "revenue"])
    mean = frame.groupby("week")["revenue"].mean().sort_index().to_numpy()
    np.testing.assert_allclose(traces(averaged)[0]["y"], mean, rtol=1e-12)
