"""Predicting from JSON rows and over a whole table with a saved model."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import ResolvedTraining, resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.model import TabularModel
from ml_backend.prediction import predict_rows, predict_table, rows_frame
from ml_backend.reporting import NullReporter
from tests.ml_backend.training_data import config, penguins, profile_of


def _trained(tmp_path: Path, **fields: Any) -> tuple[ResolvedTraining, TabularModel]:
    frame = penguins()
    resolved = resolve_training(config(**fields), profile_of(frame))
    train(resolved, frame, reporter=NullReporter(), artifact_dir=tmp_path)
    return resolved, TabularModel.load(tmp_path)


def _json_rows(count: int) -> list[dict[str, Any]]:
    frame = penguins().head(count)
    return [
        {key: (None if isinstance(value, float) and math.isnan(value) else value)
         for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]  # fmt: skip


def test_json_rows_predict_like_the_frame_they_came_from(tmp_path: Path) -> None:
    resolved, model = _trained(tmp_path, algorithm="linear", target_column="species")
    rows = _json_rows(8)
    frame, ignored = rows_frame(rows, resolved.feature_kinds)
    predictions = predict_rows(model, frame)

    expected = model.predict(penguins().head(8))
    assert [p.prediction for p in predictions] == list(expected)
    # The target and the identifier were sent along; the model does not use them.
    assert set(ignored) == {"species", "penguin_id"}
    for prediction in predictions:
        assert prediction.probabilities is not None
        assert set(prediction.probabilities) == {"Adelie", "Chinstrap", "Gentoo"}
        assert math.isclose(sum(prediction.probabilities.values()), 1.0)
        best = max(prediction.probabilities, key=lambda k: prediction.probabilities[k])  # type: ignore[index]
        assert best == prediction.prediction


def test_regression_rows_give_numbers(tmp_path: Path) -> None:
    resolved, model = _trained(tmp_path, algorithm="linear", target_column="body_mass_g")
    rows = _json_rows(3)
    rows[1]["bill_length_mm"] = "41.5"  # numbers as text are accepted
    frame, _ = rows_frame(rows, resolved.feature_kinds)
    predictions = predict_rows(model, frame)
    assert all(isinstance(p.prediction, float) for p in predictions)
    assert predictions[0].probabilities is None
    direct = model.predict(penguins().head(1))
    assert predictions[0].prediction == pytest.approx(float(direct[0]))


def test_missing_column_and_wrong_type_are_named(tmp_path: Path) -> None:
    resolved, _ = _trained(tmp_path, algorithm="linear", target_column="species")
    rows = _json_rows(2)
    del rows[1]["island"]
    with pytest.raises(ConfigValidationError, match=r"row 1 lacks column\(s\) island"):
        rows_frame(rows, resolved.feature_kinds)
    rows = _json_rows(2)
    rows[0]["flipper_length_mm"] = "long"
    with pytest.raises(ConfigValidationError, match=r"row 0, column 'flipper_length_mm'.*'long'"):
        rows_frame(rows, resolved.feature_kinds)
    with pytest.raises(ConfigValidationError, match="no rows"):
        rows_frame([], resolved.feature_kinds)


def test_whole_table_gets_prediction_and_probability_columns(tmp_path: Path) -> None:
    _, model = _trained(tmp_path, algorithm="random_forest", target_column="species",
                        hyperparameters={"n_estimators": 10, "n_jobs": 1})  # fmt: skip
    frame = penguins()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    predicted = predict_table(model, table, "species", batch_rows=100)

    assert predicted.num_rows == len(frame)
    assert predicted.column_names[: len(frame.columns)] == list(frame.columns)
    assert predicted.column("predicted_species").to_pylist() == list(model.predict(frame))
    probabilities = np.column_stack(
        [predicted.column(f"probability_{c}").to_numpy() for c in ["Adelie", "Chinstrap", "Gentoo"]]
    )
    np.testing.assert_allclose(probabilities, model.predict_proba(frame))
    with pytest.raises(ConfigValidationError, match="lacks the model's feature column"):
        predict_table(model, table.drop_columns(["island"]), "species")
