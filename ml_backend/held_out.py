"""The test part of a finished training, found again and predicted: what its metrics judged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_backend.jobs.train.data import split_usable_rows, usable_mask
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.model import TabularModel
from ml_backend.prediction import predicted_column_names

ROW_COLUMN = "row"
"""The test row's place in the dataset, counted from 0 as GET /datasets/{id}/rows counts."""


def test_predictions(
    model: TabularModel, resolved: ResolvedTraining, frame: pd.DataFrame
) -> pd.DataFrame:
    """One line per test row of `frame` (the run's dataset), in dataset order: its row number,
    the actual target, the prediction and, for a classifier, each class's probability."""
    keep = usable_mask(resolved, frame).to_numpy()
    rows = frame.loc[keep].reset_index(drop=True)
    test = np.sort(split_usable_rows(resolved, rows).test)
    test_rows = rows.iloc[test]
    names = predicted_column_names(model, resolved.target_column)
    row_column = ROW_COLUMN if resolved.target_column != ROW_COLUMN else f"dataset_{ROW_COLUMN}"
    table = pd.DataFrame(
        {
            row_column: np.flatnonzero(keep)[test],
            resolved.target_column: test_rows[resolved.target_column].to_numpy(),
            names[0]: model.predict(test_rows),
        }
    )
    if model.classes is not None:
        probabilities = model.predict_proba(test_rows)
        for index, name in enumerate(names[1:]):
            table[name] = probabilities[:, index]
    return table
