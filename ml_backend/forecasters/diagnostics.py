"""Tests that decide a model's structure from the data: seasonality and differencing."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

STRONG_SEASON = 0.64
"""Seasonal strength from which a season is modelled (Wang, Smith & Hyndman 2006, as R's
forecast::nsdiffs uses it)."""

KPSS_LEVEL = 0.05
"""Significance level of the KPSS test: below it the series is differenced."""

DRIFT_Z = 1.96
"""Standard errors from zero from which a differenced series' mean is modelled as a drift."""


def seasonal_strength(values: NDArray[np.float64], period: int) -> float:
    """How much of the detrended variation is seasonal: 0 (none) to 1 (all), from an STL fit.

    `values` must hold at least two full seasons and no gaps.
    """
    from statsmodels.tsa.seasonal import STL

    decomposition = STL(values, period=period).fit()
    seasonal = np.asarray(decomposition.seasonal, dtype=np.float64)
    remainder = np.asarray(decomposition.resid, dtype=np.float64)
    detrended = float(np.var(seasonal + remainder))
    if detrended == 0.0:
        return 0.0
    return max(0.0, 1.0 - float(np.var(remainder)) / detrended)


def kpss_pvalue(values: NDArray[np.float64]) -> float:
    """The KPSS test's p-value for level stationarity (small: the series needs differencing)."""
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss

    if np.ptp(values) == 0.0:
        return 1.0
    with warnings.catch_warnings():
        # The p-value table stops at 0.01 and 0.1; beyond them the bound is returned, which is
        # all a yes/no decision at 0.05 needs.
        warnings.filterwarnings("ignore", category=InterpolationWarning)
        # statsmodels 0.15 announces a result object; the tuple works in 0.14 and later alike.
        warnings.filterwarnings(
            "ignore", message="kpss currently returns a plain tuple", category=FutureWarning
        )
        _, pvalue, *_ = kpss(values, regression="c", nlags="auto")
    return float(pvalue)


def seasonally_differenced(
    values: NDArray[np.float64], period: int, times: int
) -> NDArray[np.float64]:
    """`values` differenced `times` times at lag `period`."""
    for _ in range(times):
        values = values[period:] - values[:-period]
    return values


def mean_z_score(values: NDArray[np.float64]) -> float:
    """How many standard errors the mean of `values` lies from zero (0 when they are constant)."""
    observed = values[~np.isnan(values)]
    if len(observed) < 2:
        return 0.0
    spread = float(np.std(observed, ddof=1))
    if spread == 0.0:
        return 0.0 if float(np.mean(observed)) == 0.0 else float("inf")
    return abs(float(np.mean(observed))) / (spread / float(np.sqrt(len(observed))))
