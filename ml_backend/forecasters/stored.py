"""Fitted statsmodels models stored as JSON: the estimated parameters and the series.

A statsmodels results pickle holds every filter output (a 144-point seasonal ARIMA pickles
to 15 MB) and `remove_data=True` leaves it unable to forecast. Re-running the filter with
the stored parameters on the stored series rebuilds the results exactly, from a small file
that no unpickling is needed to read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ml_backend.errors import DatasetFormatError


def write_fitted(path: Path, *, model: str, result: Any, endog: NDArray[np.float64]) -> Path:
    """Write `result`'s parameters and the series it was fitted to; `path` back."""
    import statsmodels

    document = {
        "model": model,
        "statsmodels_version": statsmodels.__version__,
        "param_names": list(result.param_names),
        "params": [float(value) for value in np.asarray(result.params)],
        "endog": [None if math.isnan(value) else float(value) for value in endog],
    }
    path.write_text(json.dumps(document))
    return path


def read_fitted(path: Path, model: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The parameters and the series stored by `write_fitted` for a `model`."""
    document = json.loads(path.read_text())
    if document.get("model") != model:
        raise DatasetFormatError(f"{path.name} does not hold a fitted {model} model")
    params = np.asarray(document["params"], dtype=np.float64)
    endog = np.asarray(
        [np.nan if value is None else value for value in document["endog"]], dtype=np.float64
    )
    return params, endog
