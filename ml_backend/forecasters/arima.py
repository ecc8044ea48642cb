"""ARIMA with optional seasonal terms (statsmodels SARIMAX), its order chosen by AIC.

Automatic structure, for the parts the parameters leave null:
- seasonal part: (0, 1, 1, s), the seasonal half of the "airline" model, when the frequency
  gives a season of s <= 24 steps, the series holds two full seasons and the seasonal
  strength of an STL decomposition is at least 0.64; otherwise none.
- d: 1 when the KPSS test rejects level stationarity at 5% (after any seasonal
  differencing), else 0. AIC cannot choose d: models with different differencing have
  likelihoods of different data.
- trend: a constant without differencing; after one difference in all, a drift ('c') when
  the differenced series' mean lies at least 1.96 standard errors from zero; none after two.
- p and q: every pair in 0..2; the candidate with the lowest AIC wins.
Models are fitted by statsmodels' exact maximum likelihood with its default settings; gaps
in the series are handled by the Kalman filter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import Field, model_validator

from ml_backend.forecasters.base import (
    MIN_SERIES_POINTS,
    FittedForecaster,
    ForecasterParams,
    ForecasterSpec,
    IntervalForecast,
    LogHook,
)
from ml_backend.forecasters.diagnostics import (
    DRIFT_Z,
    KPSS_LEVEL,
    STRONG_SEASON,
    kpss_pvalue,
    mean_z_score,
    seasonal_strength,
    seasonally_differenced,
)
from ml_backend.forecasters.quiet import converged, statsmodels_fitting
from ml_backend.forecasters.series import Series
from ml_backend.forecasters.stored import read_fitted, write_fitted

MAX_SEARCHED_PERIOD = 24
"""Longer seasons (52 weeks, 365 days) make each fit too slow for an automatic search."""

MODEL_FILE = "arima_model.json"

Lags = Annotated[int, Field(ge=0, le=10)]
Differences = Annotated[int, Field(ge=0, le=2)]
SeasonalLags = Annotated[int, Field(ge=0, le=3)]
SeasonalDifferences = Annotated[int, Field(ge=0, le=1)]
SeasonLength = Annotated[int, Field(ge=0, le=366)]

NO_SEASON = (0, 0, 0, 0)

Trend = Literal["n", "c", "t", "ct"]


class ArimaParams(ForecasterParams):
    """ARIMA structure; null parts are chosen from the data (see the module docstring)."""

    order: tuple[Lags, Differences, Lags] | None = Field(
        default=None,
        description="(p, d, q): autoregressive lags, differences, moving-average lags. "
        "Null: d by a KPSS test, p and q in 0..2 by AIC.",
    )
    seasonal_order: tuple[SeasonalLags, SeasonalDifferences, SeasonalLags, SeasonLength] | None = (
        Field(
            default=None,
            description="(P, D, Q, s), s the season length in steps (12 for monthly data); "
            "[0, 0, 0, 0] for none. Null: (0, 1, 1, s) when order is null and the series has "
            "a strong season of a known length up to 24, else none.",
        )
    )
    trend: Trend | None = Field(
        default=None,
        description="'n' none, 'c' a constant (a drift once differenced), 't' a linear trend, "
        "'ct' both. Null: a constant without differencing, a drift after one difference "
        "when the differenced mean is clearly not 0, none after two.",
    )

    @model_validator(mode="after")
    def _season_is_consistent(self) -> ArimaParams:
        if self.seasonal_order is None:
            return self
        *terms, length = self.seasonal_order
        if length == 0 and any(terms):
            raise ValueError("needs a season length s of at least 2 when P, D or Q is set")
        if length == 1:
            raise ValueError("season length s must be 0 (no season) or at least 2")
        return self


class ArimaSpec(ForecasterSpec[ArimaParams]):
    """Seasonal ARIMA from statsmodels."""

    name = "arima"
    description = (
        "ARIMA / seasonal ARIMA (statsmodels): forecasts a series from its own past, with "
        "prediction intervals; orders chosen by AIC unless given."
    )
    hyperparameters = ArimaParams
    aliases = ("sarima", "sarimax", "auto arima", "autoarima", "box jenkins")

    def candidates(self, params: ArimaParams, series: Series, log: LogHook) -> list[ArimaParams]:
        """Every structure to fit: the given one, or the automatic search grid."""
        seasonal = params.seasonal_order
        if seasonal is None:
            seasonal = NO_SEASON if params.order is not None else _auto_season(series, log)
        if params.order is not None:
            orders = [params.order]
        else:
            d = _differences(series, seasonal, log)
            orders = [(p, d, q) for p in range(3) for q in range(3)]
        trend = params.trend or _trend(series, orders[0][1], seasonal, log)
        return [
            ArimaParams(
                order=order,
                seasonal_order=seasonal,
                trend=trend,
                interval_width=params.interval_width,
            )
            for order in orders
        ]

    def min_points(self, params: ArimaParams) -> int:
        """Enough points to estimate every term, and two full seasons for seasonal models."""
        p, d, q = params.order or (2, 1, 2)
        big_p, big_d, big_q, season = params.seasonal_order or NO_SEASON
        seasonal = season * max(2, big_p + big_d + big_q) if season else 0
        return max(MIN_SERIES_POINTS, p + d + q + seasonal + 2)

    def describe(self, params: ArimaParams) -> str:
        """R's notation: 'ARIMA(1,1,1)(0,1,1)[12] with drift'."""
        p, d, q = params.order or (0, 0, 0)
        text = f"ARIMA({p},{d},{q})"
        big_p, big_d, big_q, season = params.seasonal_order or NO_SEASON
        if season:
            text += f"({big_p},{big_d},{big_q})[{season}]"
        differenced = d + big_d > 0
        trend = {
            "c": " with drift" if differenced else " with constant",
            "t": " with linear trend",
            "ct": " with constant and linear trend",
        }.get(params.trend or "n", "")
        return text + trend

    def fit(self, params: ArimaParams, series: Series, *, random_state: int) -> FittedForecaster:
        """SARIMAX with `params` fitted by maximum likelihood; NaN gaps are skipped."""
        model = sarimax(params, series.values)
        with statsmodels_fitting():
            result = model.fit(disp=False)
        return FittedArima(result, params, self.describe(params))

    def load(self, path: Path, params: ArimaParams, *, random_state: int) -> FittedForecaster:
        """A model written by `FittedArima.save`, its results rebuilt by the Kalman filter."""
        estimates, endog = read_fitted(path, "SARIMAX")
        result = sarimax(params, endog).filter(estimates)
        return FittedArima(result, params, self.describe(params))


def sarimax(params: ArimaParams, values: NDArray[np.float64]) -> Any:
    """The statsmodels SARIMAX model of `values` with the structure in `params`."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    return SARIMAX(
        values,
        order=params.order or (0, 0, 0),
        seasonal_order=params.seasonal_order or NO_SEASON,
        trend=params.trend,
    )


class FittedArima(FittedForecaster):
    """Fitted SARIMAX results."""

    def __init__(self, result: Any, params: ArimaParams, description: str) -> None:
        self.result = result
        self.params = params
        aic = float(result.aic)
        self.aic = aic if np.isfinite(aic) else None
        self.notes = [] if converged(result) else [f"{description}: the optimiser did not converge"]

    def predict(self, times: pd.Index) -> IntervalForecast:
        """Forecasts and intervals from the end of the fitted series."""
        forecast = self.result.get_forecast(steps=len(times))
        bounds = np.asarray(forecast.conf_int(alpha=1.0 - self.params.interval_width))
        return IntervalForecast(
            mean=np.asarray(forecast.predicted_mean, dtype=np.float64),
            lower=bounds[:, 0].astype(np.float64),
            upper=bounds[:, 1].astype(np.float64),
        )

    def save(self, directory: Path) -> Path:
        """The estimated parameters and the series, as JSON (see `stored`)."""
        endog = np.asarray(self.result.model.endog, dtype=np.float64).ravel()
        return write_fitted(
            directory / MODEL_FILE, model="SARIMAX", result=self.result, endog=endog
        )


def _auto_season(series: Series, log: LogHook) -> tuple[int, int, int, int]:
    period = series.axis.seasonal_period
    if period is None:
        log(f"no seasonal terms: the time axis ({series.axis.describe()}) gives no season length")
        return NO_SEASON
    if period > MAX_SEARCHED_PERIOD:
        log(
            f"no seasonal terms: a season of {period} steps is too long to search; set "
            f"seasonal_order (e.g. [0, 1, 1, {period}]) to fit one anyway"
        )
        return NO_SEASON
    if len(series) < 2 * period + 1:
        log(f"no seasonal terms: {len(series)} points are too few to see a season of {period}")
        return NO_SEASON
    strength = seasonal_strength(series.filled(), period)
    if strength < STRONG_SEASON:
        log(f"no seasonal terms: seasonal strength {strength:.2f} for a season of {period}")
        return NO_SEASON
    log(f"seasonal terms (0, 1, 1, {period}): seasonal strength {strength:.2f}")
    return (0, 1, 1, period)


def _differences(series: Series, seasonal: tuple[int, int, int, int], log: LogHook) -> int:
    values = seasonally_differenced(series.filled(), seasonal[3], seasonal[1])
    pvalue = kpss_pvalue(values)
    d = 1 if pvalue < KPSS_LEVEL else 0
    log(f"d = {d}: KPSS test p-value {pvalue:.3f} (level stationarity)")
    return d


def _trend(series: Series, d: int, seasonal: tuple[int, int, int, int], log: LogHook) -> Trend:
    differences = d + seasonal[1]
    if differences == 0:
        return "c"
    if differences > 1:
        return "n"
    values = seasonally_differenced(series.filled(), seasonal[3], seasonal[1])
    z_score = mean_z_score(np.diff(values, n=d))
    if z_score < DRIFT_Z:
        log(f"no drift: the differenced series' mean is {z_score:.1f} standard errors from 0")
        return "n"
    log(f"drift: the differenced series' mean is {z_score:.1f} standard errors from 0")
    return "c"
