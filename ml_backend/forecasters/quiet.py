"""Fitting statsmodels models without their routine warnings, keeping what matters as notes."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# statsmodels warns while it searches for starting values and when the optimiser stops early;
# a forecast job reports convergence itself (as a log line), so these only add noise.
_STARTING_VALUES = (
    "Non-stationary starting autoregressive parameters",
    "Non-invertible starting MA parameters",
    "Non-stationary starting seasonal autoregressive",
    "Non-invertible starting seasonal moving average",
    "Too few observations to estimate starting parameters",
)


@contextmanager
def statsmodels_fitting() -> Iterator[None]:
    """Silence statsmodels' convergence and starting-value warnings inside the block."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        for message in _STARTING_VALUES:
            warnings.filterwarnings("ignore", message=message, category=UserWarning)
        yield


def converged(result: Any) -> bool:
    """Whether a statsmodels fit reports that its optimiser converged."""
    retvals = getattr(result, "mle_retvals", None) or {}
    return bool(retvals.get("converged", True))
