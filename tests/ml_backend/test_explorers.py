"""The explorer registry and the checks that turn bad configs into helpful errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.configs import ExplorerName
from ml_backend.errors import ConfigValidationError
from ml_backend.explorers import EXPLORERS, get_explorer, run_exploration, validate_exploration
from ml_backend.reporting import RecordingReporter
from tests.ml_backend.explorer_data import (
    PENGUIN_NUMBERS,
    assert_plain_json,
    config,
    penguins,
    profile_of,
)


def rejected(tmp_path: Path, explorer: str, columns: list[str], **parameters: Any) -> str:
    """The detail of the error that validating this config raises."""
    with pytest.raises(ConfigValidationError) as caught:
        validate_exploration(
            config(explorer, columns, **parameters), profile_of(penguins(), tmp_path)
        )
    return caught.value.detail


def test_every_explorer_name_is_registered_with_a_one_line_description() -> None:
    assert set(EXPLORERS) == {name.value for name in ExplorerName}
    for name, explorer in EXPLORERS.items():
        assert get_explorer(ExplorerName(name)) is explorer
        assert explorer.description and "\n" not in explorer.description
        schema = explorer.parameters.model_json_schema()
        assert schema.get("additionalProperties") is False


def test_parameter_bounds_are_in_the_json_schema() -> None:
    bins = get_explorer("histogram").parameters.model_json_schema()["properties"]["bins"]
    assert (bins["minimum"], bins["maximum"], bins["default"]) == (1, 500, 30)


def test_unknown_explorer_suggests_one() -> None:
    with pytest.raises(ConfigValidationError, match="did you mean 'histogram'"):
        get_explorer("histogramm")


def test_validate_fills_parameter_and_column_defaults(tmp_path: Path) -> None:
    profile = profile_of(penguins(), tmp_path)
    histogram = validate_exploration(config("histogram", ["body_mass_g"]), profile)
    assert histogram.parameters == {"bins": 30, "color": None}
    correlation = validate_exploration(config("correlation"), profile)
    assert correlation.columns == [*PENGUIN_NUMBERS, "year"]
    assert correlation.parameters == {"method": "pearson", "top_pairs": 10}
    bar = validate_exploration(config("bar", ["species"], value="body_mass_g"), profile)
    assert bar.parameters["agg"] == "mean"


def test_unknown_column_says_did_you_mean_and_lists_columns(tmp_path: Path) -> None:
    detail = rejected(tmp_path, "histogram", ["body_mas_g"])
    assert "'body_mas_g' not found" in detail
    assert "did you mean 'body_mass_g'?" in detail
    assert "Available columns: species, island" in detail


def test_unknown_column_in_a_parameter_says_did_you_mean(tmp_path: Path) -> None:
    detail = rejected(tmp_path, "scatter", ["bill_length_mm", "bill_depth_mm"], color="specis")
    assert "did you mean 'species'?" in detail


def test_histogram_of_a_categorical_column_suggests_a_bar_chart(tmp_path: Path) -> None:
    detail = rejected(tmp_path, "histogram", ["species"])
    assert detail == (
        "histogram needs a numeric column; 'species' is categorical — try a bar chart."
    )


@pytest.mark.parametrize(
    ("explorer", "columns", "expected"),
    [
        ("scatter", ["bill_length_mm"], "scatter needs two columns, x and y; got 1"),
        ("histogram", ["body_mass_g", "bill_length_mm"], "histogram needs one column; got 2"),
        ("box", [], "box needs one value column and optionally a group column"),
        ("line", ["year"], "line needs an x column and one to 10 y columns"),
        ("scatter_matrix", ["bill_length_mm"], "scatter_matrix needs two to 8 numeric columns"),
        ("correlation", ["bill_length_mm"], "correlation needs at least two numeric columns"),
    ],
)
def test_wrong_number_of_columns(
    tmp_path: Path, explorer: str, columns: list[str], expected: str
) -> None:
    assert expected in rejected(tmp_path, explorer, columns)


@pytest.mark.parametrize(
    ("explorer", "columns", "parameters", "expected"),
    [
        ("scatter", ["species", "body_mass_g"], {}, "numeric column for x; 'species'"),
        ("box", ["body_mass_g", "bill_length_mm"], {}, "categorical column for the group"),
        ("bar", ["species"], {"value": "island"}, "numeric column for value; 'island'"),
        ("correlation", ["body_mass_g", "sex"], {}, "'sex' is categorical"),
        ("line", ["species", "body_mass_g"], {}, "datetime or numeric x column; 'species'"),
        ("histogram", ["body_mass_g"], {"color": "bill_depth_mm"}, "categorical column for color"),
    ],
)
def test_wrong_kind_of_column(
    tmp_path: Path, explorer: str, columns: list[str], parameters: dict[str, Any], expected: str
) -> None:
    assert expected in rejected(tmp_path, explorer, columns, **parameters)


def test_column_listed_twice(tmp_path: Path) -> None:
    detail = rejected(tmp_path, "correlation", ["body_mass_g", "body_mass_g"])
    assert "'body_mass_g' is listed twice" in detail


@pytest.mark.parametrize(
    ("explorer", "columns", "parameters", "expected"),
    [
        ("histogram", ["body_mass_g"], {"bins": 1000}, "'bins': Input should be less than or"),
        ("scatter", ["bill_length_mm", "body_mass_g"], {"max_points": 10}, "'max_points'"),
        ("correlation", [], {"method": "cosine"}, "'method'"),
        ("missing", [], {"max_rows": 0}, "'max_rows'"),
    ],
)
def test_parameter_out_of_bounds(
    tmp_path: Path, explorer: str, columns: list[str], parameters: dict[str, Any], expected: str
) -> None:
    detail = rejected(tmp_path, explorer, columns, **parameters)
    assert expected in detail
    assert "(got " in detail


def test_unknown_parameter_suggests_the_right_one(tmp_path: Path) -> None:
    detail = rejected(tmp_path, "histogram", ["body_mass_g"], bin=10)
    assert "histogram has no parameter 'bin'; did you mean 'bins'?" in detail
    assert "It takes: bins, color" in detail


def test_bar_aggregate_without_a_value_column(tmp_path: Path) -> None:
    detail = rejected(tmp_path, "bar", ["species"], agg="mean")
    assert "agg 'mean' needs a numeric column to aggregate: set 'value'" in detail


def test_a_dataset_without_two_numeric_columns_cannot_be_correlated(tmp_path: Path) -> None:
    frame = penguins()[["species", "island", "body_mass_g"]]
    profile = profile_of(frame, tmp_path)
    assert not get_explorer("correlation").applicable(profile)
    with pytest.raises(ConfigValidationError, match=r"the dataset has 1 \('body_mass_g'\)"):
        validate_exploration(config("correlation"), profile)


def test_run_without_validate_uses_the_frame(tmp_path: Path) -> None:
    frame = penguins()
    result = run_exploration(config("correlation"), frame)
    assert result.summary["columns"] == [*PENGUIN_NUMBERS, "year"]
    assert_plain_json(result)
    with pytest.raises(ConfigValidationError, match="did you mean 'body_mass_g'"):
        run_exploration(config("histogram", ["body_mass"]), frame, RecordingReporter())
    with pytest.raises(ConfigValidationError, match="numeric column; 'species' holds"):
        run_exploration(config("histogram", ["species"]), frame)


def test_histogram_of_a_column_without_values(tmp_path: Path) -> None:
    frame = pd.DataFrame({"empty": [np.nan, np.nan], "other": [1.0, 2.0]})
    with pytest.raises(ConfigValidationError, match="'empty' has no finite values"):
        run_exploration(config("histogram", ["empty"]), frame)


def test_duplicated_index_does_not_misalign_groups(tmp_path: Path) -> None:
    frame = penguins()
    frame.index = [0] * len(frame)
    result = run_exploration(config("bar", ["species"], value="body_mass_g"), frame)
    expected = frame.groupby("species")["body_mass_g"].mean()
    table = {row["category"]: row["value"] for row in result.summary["table"]}
    assert table == pytest.approx(expected.to_dict(), rel=1e-12)


def test_errors_name_the_config_field_to_fix(tmp_path: Path) -> None:
    profile = profile_of(penguins(), tmp_path)
    cases = [
        (config("scatter", ["bill_length_mm", "body_mass_g"], size="species"), "parameters.size"),
        (config("bar", ["species"], color="specie"), "parameters.color"),
        (config("box", ["species"]), "columns"),
        (config("histogram", ["body_mass_g"], bins=0), "parameters"),
    ]
    for bad, field in cases:
        with pytest.raises(ConfigValidationError) as caught:
            validate_exploration(bad, profile)
        assert caught.value.field == field, caught.value.detail
