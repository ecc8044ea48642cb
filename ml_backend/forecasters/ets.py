"""Exponential smoothing (statsmodels ETSModel): level, trend and season, with intervals.

`seasonal: "auto"` models an additive season when the season length is known (from
`seasonal_periods` or the series' frequency), the series holds two full seasons and the STL
seasonal strength is at least 0.64. ETS cannot skip gaps: missing points are filled by linear
interpolation before fitting. Intervals are exact where statsmodels has a formula (additive
models) and simulated otherwise, with the run's random_state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import Field, model_validator

from ml_backend.errors import ConfigValidationError
from ml_backend.forecasters.base import (
    MIN_SERIES_POINTS,
    FittedForecaster,
    ForecasterParams,
    ForecasterSpec,
    IntervalForecast,
    LogHook,
    seeded,
)
from ml_backend.forecasters.diagnostics import STRONG_SEASON, seasonal_strength
from ml_backend.forecasters.quiet import converged, statsmodels_fitting
from ml_backend.forecasters.series import Series
from ml_backend.forecasters.stored import read_fitted, write_fitted

MODEL_FILE = "ets_model.json"

Component = Literal["add", "mul"]


class EtsParams(ForecasterParams):
    """ETS structure: additive or multiplicative error, trend and season."""

    error: Component = Field(default="add", description="'add' or 'mul' (needs positive data).")
    trend: Component | None = Field(
        default="add", description="'add' linear, 'mul' exponential, or null for none."
    )
    damped_trend: bool = Field(default=False, description="Flatten the trend over the horizon.")
    seasonal: Literal["auto", "add", "mul"] | None = Field(
        default="auto",
        description="'add', 'mul', null for none, or 'auto': additive when the series shows a "
        "strong season of a known length.",
    )
    seasonal_periods: Annotated[int, Field(ge=2, le=366)] | None = Field(
        default=None,
        description="Season length in steps (12 for monthly data); null: from the frequency.",
    )

    @model_validator(mode="after")
    def _damping_needs_trend(self) -> EtsParams:
        if self.damped_trend and self.trend is None:
            raise ValueError("damped_trend needs a trend: set trend to 'add' or 'mul'")
        return self

    @property
    def multiplicative(self) -> bool:
        """Whether any component multiplies (the data must then be positive)."""
        return "mul" in (self.error, self.trend, self.seasonal)


class EtsSpec(ForecasterSpec[EtsParams]):
    """Exponential smoothing from statsmodels."""

    name = "ets"
    description = (
        "Exponential smoothing, ETS (statsmodels): level, trend and season updated as the "
        "series goes, with prediction intervals; fast and robust for short series."
    )
    hyperparameters = EtsParams
    aliases = (
        "exponential smoothing", "holt winters", "holt", "triple exponential smoothing",
        "exp smoothing",
    )  # fmt: skip

    def candidates(self, params: EtsParams, series: Series, log: LogHook) -> list[EtsParams]:
        """The one model to fit, its season resolved and the data checked for it."""
        if series.missing:
            log(f"ets cannot skip gaps: {series.missing} missing point(s) filled by interpolation")
        season, period = _season(params, series, log)
        resolved = params.model_copy(update={"seasonal": season, "seasonal_periods": period})
        if resolved.multiplicative and np.nanmin(series.values) <= 0:
            raise ConfigValidationError(
                "multiplicative ETS components need positive values, but the series has values "
                "<= 0; use 'add' for error, trend and seasonal",
                field="hyperparameters",
            )
        return [resolved]

    def min_points(self, params: EtsParams) -> int:
        """Two full seasons for a seasonal model (statsmodels' initialisation needs them)."""
        if params.seasonal in ("add", "mul") and params.seasonal_periods:
            return max(MIN_SERIES_POINTS, 2 * params.seasonal_periods + 1)
        return MIN_SERIES_POINTS

    def describe(self, params: EtsParams) -> str:
        """The ETS(error, trend, season) code: 'ETS(A,Ad,A)[12]'."""
        letter = {"add": "A", "mul": "M", None: "N", "auto": "?"}
        trend = letter[params.trend] + ("d" if params.damped_trend else "")
        text = f"ETS({letter[params.error]},{trend},{letter[params.seasonal]})"
        if params.seasonal in ("add", "mul") and params.seasonal_periods:
            text += f"[{params.seasonal_periods}]"
        return text

    def fit(self, params: EtsParams, series: Series, *, random_state: int) -> FittedForecaster:
        """ETSModel with `params` fitted by maximum likelihood on the gap-filled series."""
        model = ets_model(params, series.filled())
        with statsmodels_fitting():
            result = model.fit(disp=False)
        return FittedEts(result, params, self.describe(params), random_state)

    def load(self, path: Path, params: EtsParams, *, random_state: int) -> FittedForecaster:
        """A model written by `FittedEts.save`, its states rebuilt from the parameters."""
        estimates, endog = read_fitted(path, "ETSModel")
        result = ets_model(params, endog).smooth(estimates)
        return FittedEts(result, params, self.describe(params), random_state)


def ets_model(params: EtsParams, values: NDArray[np.float64]) -> Any:
    """The statsmodels ETSModel of `values` with the structure in `params`."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasonal = params.seasonal if params.seasonal in ("add", "mul") else None
    return ETSModel(
        # a pandas series: statsmodels' ETS prediction intervals need an indexed endog
        pd.Series(values),
        error=params.error,
        trend=params.trend,
        damped_trend=params.damped_trend,
        seasonal=seasonal,
        seasonal_periods=params.seasonal_periods if seasonal else None,
    )


class FittedEts(FittedForecaster):
    """Fitted ETSModel results."""

    def __init__(self, result: Any, params: EtsParams, description: str, random_state: int):
        self.result = result
        self.params = params
        self.random_state = random_state
        aic = float(result.aic)
        self.aic = aic if np.isfinite(aic) else None
        self.notes = [] if converged(result) else [f"{description}: the optimiser did not converge"]

    def predict(self, times: pd.Index) -> IntervalForecast:
        """Forecasts and intervals from the end of the fitted series."""
        start = int(self.result.nobs)
        prediction = self.result.get_prediction(
            start=start, end=start + len(times) - 1, rng=seeded(self.random_state)
        )
        frame = prediction.summary_frame(alpha=1.0 - self.params.interval_width)
        return IntervalForecast(
            mean=frame["mean"].to_numpy(dtype=np.float64),
            lower=frame["pi_lower"].to_numpy(dtype=np.float64),
            upper=frame["pi_upper"].to_numpy(dtype=np.float64),
        )

    def save(self, directory: Path) -> Path:
        """The estimated parameters and the series, as JSON (see `stored`)."""
        endog = np.asarray(self.result.model.endog, dtype=np.float64).ravel()
        return write_fitted(
            directory / MODEL_FILE, model="ETSModel", result=self.result, endog=endog
        )


def _season(params: EtsParams, series: Series, log: LogHook) -> tuple[Component | None, int | None]:
    period = params.seasonal_periods or series.axis.seasonal_period
    if params.seasonal is None:
        return None, None
    if params.seasonal != "auto":
        if period is None:
            raise ConfigValidationError(
                f"seasonal '{params.seasonal}' needs a season length, and the time axis "
                f"({series.axis.describe()}) gives none; set hyperparameters.seasonal_periods "
                "(e.g. 12 for monthly data)",
                field="hyperparameters.seasonal_periods",
            )
        return params.seasonal, period
    if period is None:
        log(f"no season: the time axis ({series.axis.describe()}) gives no season length")
        return None, None
    if len(series) < 2 * period + 1:
        log(f"no season: {len(series)} points are too few to see a season of {period}")
        return None, None
    strength = seasonal_strength(series.filled(), period)
    if strength < STRONG_SEASON:
        log(f"no season: seasonal strength {strength:.2f} for a season of {period}")
        return None, None
    log(f"additive season of {period}: seasonal strength {strength:.2f}")
    return "add", period
