"""A trained model: preprocessing and estimator together, predicting from raw rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import LabelEncoder

from ml_backend.algorithms import get_algorithm
from ml_backend.algorithms.base import Estimator, Matrix
from ml_backend.configs import TaskType
from ml_backend.errors import DatasetFormatError
from ml_backend.metrics import plain_label
from ml_backend.preprocessing import output_columns

MODEL_FILE = "model.joblib"


class TabularModel:
    """A fitted preprocessor and estimator; class labels are decoded back to their values."""

    def __init__(
        self,
        *,
        algorithm: str,
        task_type: TaskType,
        feature_columns: list[str],
        preprocessor: ColumnTransformer,
        estimator: Estimator,
        label_encoder: LabelEncoder | None = None,
    ) -> None:
        self.algorithm = algorithm
        self.task_type = task_type
        self.feature_columns = feature_columns
        self.preprocessor = preprocessor
        self.estimator = estimator
        self.label_encoder = label_encoder

    @property
    def classes(self) -> list[Any] | None:
        """The class labels in sorted order (probability columns follow it), or None."""
        if self.label_encoder is None:
            return None
        return [plain_label(label) for label in self.label_encoder.classes_]

    def transform(self, frame: pd.DataFrame) -> Matrix:
        """The numeric matrix the estimator sees for these rows."""
        missing = [column for column in self.feature_columns if column not in frame.columns]
        if missing:
            raise DatasetFormatError(
                f"the rows lack the model's feature columns: {', '.join(missing)}"
            )
        return np.asarray(self.preprocessor.transform(frame[self.feature_columns]), np.float64)

    def predict(self, frame: pd.DataFrame) -> NDArray[Any]:
        """Predicted class labels (original values) or numbers, one per row."""
        raw = np.asarray(self.estimator.predict(self.transform(frame)))
        if self.label_encoder is None:
            return raw.astype(np.float64)
        return np.asarray(self.label_encoder.inverse_transform(raw.astype(np.intp)))

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Class probabilities, one column per label of `classes`, each row summing to 1."""
        if self.task_type is not TaskType.CLASSIFICATION:
            raise DatasetFormatError("probabilities exist only for classification models")
        probabilities = np.asarray(
            self.estimator.predict_proba(self.transform(frame)), dtype=np.float64
        )
        # Boosters compute in float32: renormalise so rows sum to 1 at float64 precision.
        return np.asarray(probabilities / probabilities.sum(axis=1, keepdims=True), np.float64)

    def encoded_origins(self) -> list[str]:
        """For each column of `transform`'s matrix, the feature column it encodes."""
        return output_columns(self.preprocessor, self.feature_columns)

    def feature_importance(self) -> dict[str, float]:
        """Importance per original column (one-hot parts summed), summing to 1, largest first."""
        weights = get_algorithm(self.algorithm).feature_weights(self.estimator)
        origins = self.encoded_origins()
        totals = pd.Series(weights, index=origins).groupby(level=0, sort=False).sum()
        totals = totals.reindex(self.feature_columns, fill_value=0.0)
        grand_total = float(totals.sum())
        if grand_total > 0:
            totals = totals / grand_total
        ordered = totals.sort_values(ascending=False, kind="stable")
        return {str(column): float(value) for column, value in ordered.items()}

    def save(self, directory: Path) -> list[Path]:
        """Write `model.joblib` (this whole object) and the estimator's native file, if any."""
        directory.mkdir(parents=True, exist_ok=True)
        whole = directory / MODEL_FILE
        joblib.dump(self, whole)
        native = get_algorithm(self.algorithm).save_native(self.estimator, directory)
        return [whole] if native is None else [whole, native]

    @classmethod
    def load(cls, directory: Path) -> TabularModel:
        """The model saved by `save` in `directory`."""
        model = joblib.load(directory / MODEL_FILE)
        if not isinstance(model, cls):
            raise DatasetFormatError(f"{directory / MODEL_FILE} does not hold an mlchat model")
        return model
