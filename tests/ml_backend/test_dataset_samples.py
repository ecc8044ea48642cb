"""Built-in samples: loaded from installed packages, stored by a stable content hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sklearn.datasets
import statsmodels.api as sm
from palmerpenguins import load_penguins

from ml_backend.datasets import SAMPLE_DATASETS, read_frame, snake_case, write_sample
from ml_backend.errors import ConfigValidationError
from ml_backend.schema import ColumnKind


@pytest.mark.parametrize(
    ("name", "rows", "target"),
    [
        ("penguins", 344, "species"),
        ("iris", 150, "species"),
        ("wine", 178, "cultivar"),
        ("breast_cancer", 569, "diagnosis"),
        ("diabetes", 442, "disease_progression"),
        ("co2", 2284, "co2"),
        ("sunspots", 309, "sunspots"),
    ],
)
def test_samples_load_with_their_targets_and_row_counts(name: str, rows: int, target: str) -> None:
    sample = SAMPLE_DATASETS[name]

    table = sample.load()

    assert sample.name == name
    assert sample.target == target
    assert target in table.column_names
    assert table.num_rows == rows
    assert str(rows) in sample.description
    assert "\n" not in sample.description
    assert all(column == snake_case(column) for column in table.column_names)


def test_penguins_match_the_palmerpenguins_package() -> None:
    table = SAMPLE_DATASETS["penguins"].load()
    expected = load_penguins()

    assert table.column_names == [
        "species",
        "island",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
        "sex",
        "year",
    ]
    frame = table.to_pandas()
    for column in expected.columns:
        assert frame[column].isna().sum() == expected[column].isna().sum(), column
    assert table.column("sex").null_count == 11
    for column in ["bill_length_mm", "flipper_length_mm", "body_mass_g"]:
        assert frame[column].mean() == pytest.approx(expected[column].mean())
    assert frame["species"].value_counts().to_dict() == {
        "Adelie": 152,
        "Gentoo": 124,
        "Chinstrap": 68,
    }


@pytest.mark.parametrize(
    ("name", "loader", "target", "labels"),
    [
        ("iris", "load_iris", "species", ["setosa", "versicolor", "virginica"]),
        ("wine", "load_wine", "cultivar", ["class_0", "class_1", "class_2"]),
        ("breast_cancer", "load_breast_cancer", "diagnosis", ["benign", "malignant"]),
    ],
)
def test_scikit_learn_classification_samples_use_class_names(
    name: str, loader: str, target: str, labels: list[str]
) -> None:
    bunch = getattr(sklearn.datasets, loader)()

    table = SAMPLE_DATASETS[name].load()

    assert sorted(set(table.column(target).to_pylist())) == labels
    expected_labels = np.asarray(bunch.target_names)[bunch.target].tolist()
    assert table.column(target).to_pylist() == expected_labels
    features = [snake_case(feature) for feature in bunch.feature_names]
    assert table.column_names == [*features, target]
    assert np.array_equal(table.select(features).to_pandas().to_numpy(), bunch.data)


def test_feature_names_are_snake_case() -> None:
    iris = SAMPLE_DATASETS["iris"].load()
    cancer = SAMPLE_DATASETS["breast_cancer"].load()
    wine = SAMPLE_DATASETS["wine"].load()

    assert iris.column_names[:2] == ["sepal_length_cm", "sepal_width_cm"]
    assert cancer.column_names[0] == "mean_radius"
    assert "od280_od315_of_diluted_wines" in wine.column_names


@pytest.mark.parametrize(
    ("raw", "snake"),
    [
        ("sepal length (cm)", "sepal_length_cm"),
        ("mean radius", "mean_radius"),
        ("od280/od315_of_diluted_wines", "od280_od315_of_diluted_wines"),
        ("bodyMassG", "body_mass_g"),
        ("  Already_Snake  ", "already_snake"),
    ],
)
def test_snake_case(raw: str, snake: str) -> None:
    assert snake_case(raw) == snake


def test_diabetes_is_the_unscaled_version() -> None:
    bunch = sklearn.datasets.load_diabetes(scaled=False)

    table = SAMPLE_DATASETS["diabetes"].load()

    assert table.column_names[-1] == "disease_progression"
    assert table.column("disease_progression").to_pylist() == bunch.target.tolist()
    assert table.column("age").to_pylist() == bunch.data[:, 0].tolist()
    assert sorted(set(table.column("sex").to_pylist())) == [1.0, 2.0]


def test_co2_is_the_weekly_series_with_gaps_kept_as_nulls() -> None:
    expected = sm.datasets.co2.load_pandas().data

    table = SAMPLE_DATASETS["co2"].load()

    assert table.column_names == ["date", "co2"]
    assert pa.types.is_timestamp(table.schema.field("date").type)
    dates = pd.Series(table.column("date").to_pandas())
    assert dates.tolist() == list(expected.index)
    assert (dates.diff().dropna() == pd.Timedelta(days=7)).all()
    assert table.column("co2").null_count == expected["co2"].isna().sum() == 59
    assert table.column("co2").to_pandas().mean() == pytest.approx(expected["co2"].mean())


def test_sunspots_are_yearly() -> None:
    expected = sm.datasets.sunspots.load_pandas().data

    table = SAMPLE_DATASETS["sunspots"].load()

    assert table.column_names == ["year", "sunspots"]
    assert table.column("year").to_pylist() == expected["YEAR"].astype(int).tolist()
    assert table.column("sunspots").to_pylist() == expected["SUNACTIVITY"].tolist()


def test_a_sample_written_twice_has_the_same_hash_and_one_file(tmp_path: Path) -> None:
    first = write_sample("penguins", tmp_path / "a")
    again = write_sample("penguins", tmp_path / "a")
    elsewhere = write_sample("penguins", tmp_path / "b")

    assert first.content_hash == again.content_hash == elsewhere.content_hash
    assert first.path.name == f"{first.content_hash}.parquet"
    assert list((tmp_path / "a").iterdir()) == [first.path]
    assert first.path.read_bytes() == elsewhere.path.read_bytes()
    assert write_sample("iris", tmp_path / "a").content_hash != first.content_hash


def test_a_written_sample_is_profiled_and_reads_back(tmp_path: Path) -> None:
    ingested = write_sample("penguins", tmp_path)
    expected = load_penguins()

    assert ingested.row_count == 344
    species = ingested.profile.column("species")
    assert species is not None and species.kind is ColumnKind.CATEGORICAL
    assert species.top_values == [("Adelie", 152), ("Gentoo", 124), ("Chinstrap", 68)]
    body_mass = ingested.profile.column("body_mass_g")
    assert body_mass is not None
    assert body_mass.missing == expected["body_mass_g"].isna().sum()
    assert body_mass.mean == pytest.approx(expected["body_mass_g"].mean())
    frame = read_frame(ingested.path)
    pd.testing.assert_frame_equal(
        frame.astype({c: object for c in ["species", "island", "sex"]}),
        expected.astype({c: object for c in ["species", "island", "sex"]}),
        check_dtype=False,
    )


def test_an_unknown_sample_name_gets_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError, match="did you mean 'penguins'"):
        write_sample("penguin", tmp_path)
