"""Built-in sample datasets, loaded from data files shipped inside installed packages."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ml_backend.datasets.delimited import NULL_VALUES
from ml_backend.datasets.formats import IngestedDataset, ingest_table
from ml_backend.errors import ConfigValidationError


@dataclass(frozen=True)
class SampleDataset:
    """A built-in dataset: its name, a one-line description, a suggested target, a loader."""

    name: str
    description: str
    target: str | None
    load: Callable[[], pa.Table]


def snake_case(name: str) -> str:
    """'sepal length (cm)' -> 'sepal_length_cm', 'meanRadius' -> 'mean_radius'."""
    separated = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", separated).strip("_").lower()


def _packaged_csv(package: str, resource: str, **convert: Any) -> pa.Table:
    with resources.files(package).joinpath(resource).open("rb") as stream:
        return pa_csv.read_csv(
            stream,
            convert_options=pa_csv.ConvertOptions(
                null_values=NULL_VALUES, strings_can_be_null=True, **convert
            ),
        )


def _load_penguins() -> pa.Table:
    return _packaged_csv("palmerpenguins", "data/penguins.csv")


def _sklearn_table(loader_name: str, target: str, *, class_names: bool = True) -> pa.Table:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader_name)(
        **({"scaled": False} if loader_name == "load_diabetes" else {})
    )
    columns = {
        snake_case(feature): pa.array(bunch.data[:, i], pa.float64())
        for i, feature in enumerate(bunch.feature_names)
    }
    labels = np.asarray(bunch.target_names)[bunch.target] if class_names else bunch.target
    columns[target] = pa.array(labels.tolist())
    return pa.table(columns)


def _load_co2() -> pa.Table:
    raw = _packaged_csv("statsmodels.datasets.co2", "co2.csv", column_types={"date": pa.string()})
    dates = pc.strptime(raw.column("date"), format="%Y%m%d", unit="s")
    return pa.table({"date": dates, "co2": raw.column("co2").cast(pa.float64())})


def _load_sunspots() -> pa.Table:
    raw = _packaged_csv("statsmodels.datasets.sunspots", "sunspots.csv")
    return pa.table(
        {
            "year": raw.column("YEAR").cast(pa.int64()),
            "sunspots": raw.column("SUNACTIVITY").cast(pa.float64()),
        }
    )


SAMPLE_DATASETS: dict[str, SampleDataset] = {
    sample.name: sample
    for sample in (
        SampleDataset(
            "penguins",
            "Palmer penguins: 344 penguins of 3 species (Adelie, Chinstrap, Gentoo) from 3 "
            "Antarctic islands, with bill, flipper and body-mass measurements, sex and year.",
            "species",
            _load_penguins,
        ),
        SampleDataset(
            "iris",
            "Fisher's iris: 150 flowers of 3 species (setosa, versicolor, virginica) with "
            "sepal and petal length and width in cm.",
            "species",
            lambda: _sklearn_table("load_iris", "species"),
        ),
        SampleDataset(
            "wine",
            "Wine recognition: 178 Italian wines from 3 cultivars (class_0, class_1, class_2) "
            "with 13 chemical measurements.",
            "cultivar",
            lambda: _sklearn_table("load_wine", "cultivar"),
        ),
        SampleDataset(
            "breast_cancer",
            "Wisconsin breast cancer: 569 tumour biopsies, malignant or benign, with 30 "
            "measurements of their cell nuclei.",
            "diagnosis",
            lambda: _sklearn_table("load_breast_cancer", "diagnosis"),
        ),
        SampleDataset(
            "diabetes",
            "Diabetes: 442 patients' age, sex, BMI, blood pressure and 6 blood serum "
            "measurements, with a measure of disease progression one year later.",
            "disease_progression",
            lambda: _sklearn_table("load_diabetes", "disease_progression", class_names=False),
        ),
        SampleDataset(
            "co2",
            "Mauna Loa CO2: weekly atmospheric CO2 in ppm, March 1958 to December 2001 "
            "(2284 weeks; 59 missing weeks kept as nulls), a time series for forecasting.",
            "co2",
            _load_co2,
        ),
        SampleDataset(
            "sunspots",
            "Sunspots: yearly mean sunspot activity, 1700 to 2008 (309 years), "
            "a time series for forecasting.",
            "sunspots",
            _load_sunspots,
        ),
    )
}


def write_sample(name: str, dest_dir: Path) -> IngestedDataset:
    """Store the sample `name` as content-addressed Parquet in `dest_dir` and profile it."""
    sample = SAMPLE_DATASETS.get(name)
    if sample is None:
        close = difflib.get_close_matches(name, list(SAMPLE_DATASETS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "."
        raise ConfigValidationError(
            f"there is no sample dataset {name!r}{hint} Samples: {', '.join(SAMPLE_DATASETS)}",
            field="name",
        )
    return ingest_table(sample.load(), dest_dir)
