"""Prophet (optional extra `mlchat[prophet]`): trend with changepoints plus seasonalities.

Prophet ships its Stan model compiled inside its wheel, so it fits offline. Its intervals
are simulated from numpy's global random generator; they are drawn under the run's
random_state and the generator's previous state is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from ml_backend.forecasters.base import (
    FittedForecaster,
    ForecasterParams,
    ForecasterSpec,
    IntervalForecast,
)
from ml_backend.forecasters.series import Series

if TYPE_CHECKING:
    from prophet import Prophet

MODEL_FILE = "prophet_model.json"

Seasonality = Annotated[
    Literal["auto"] | bool,
    Field(description="true, false, or 'auto' (on when the history is long enough)."),
]


class ProphetParams(ForecasterParams):
    """Prophet's main knobs; the rest keep Prophet's defaults."""

    seasonality_mode: Literal["additive", "multiplicative"] = Field(
        default="additive",
        description="'multiplicative' when seasonal swings grow with the level of the series.",
    )
    changepoint_prior_scale: Annotated[float, Field(ge=0.001, le=0.5)] = Field(
        default=0.05, description="Trend flexibility: larger follows more changes in slope."
    )
    seasonality_prior_scale: Annotated[float, Field(ge=0.01, le=10.0)] = Field(
        default=10.0, description="Seasonality flexibility: smaller damps the seasonal terms."
    )
    yearly_seasonality: Seasonality = "auto"
    weekly_seasonality: Seasonality = "auto"
    daily_seasonality: Seasonality = "auto"


class ProphetSpec(ForecasterSpec[ProphetParams]):
    """Meta's Prophet."""

    name = "prophet"
    description = (
        "Prophet (Meta): piecewise-linear trend with changepoints plus yearly, weekly and "
        "daily seasonality; handles gaps and irregular dates."
    )
    hyperparameters = ProphetParams
    aliases = ("fb prophet", "facebook prophet")
    requires = "prophet"
    extra = "prophet"
    needs_dates = True

    def describe(self, params: ProphetParams) -> str:
        """'Prophet (additive)'."""
        return f"Prophet ({params.seasonality_mode})"

    def fit(self, params: ProphetParams, series: Series, *, random_state: int) -> FittedForecaster:
        """Prophet fitted (MAP estimate) to the observed points of `series`."""
        from prophet import Prophet

        model = Prophet(**params.model_dump())
        observed = ~np.isnan(series.values)
        history = pd.DataFrame({"ds": _naive(series.times[observed]), "y": series.values[observed]})
        model.fit(history)
        return FittedProphet(model, random_state)

    def load(self, path: Path, params: ProphetParams, *, random_state: int) -> FittedForecaster:
        """A model written by `FittedProphet.save` (Prophet's JSON serialisation)."""
        from prophet.serialize import model_from_json

        return FittedProphet(model_from_json(path.read_text()), random_state)


class FittedProphet(FittedForecaster):
    """A fitted Prophet model."""

    def __init__(self, model: Prophet, random_state: int) -> None:
        self.model = model
        self.random_state = random_state
        self.notes = []

    def predict(self, times: pd.Index) -> IntervalForecast:
        """Forecasts at `times`, intervals simulated under the run's random_state."""
        future = pd.DataFrame({"ds": _naive(times)})
        with _global_seed(self.random_state):
            frame = self.model.predict(future)
        return IntervalForecast(
            mean=frame["yhat"].to_numpy(dtype=np.float64),
            lower=frame["yhat_lower"].to_numpy(dtype=np.float64),
            upper=frame["yhat_upper"].to_numpy(dtype=np.float64),
        )

    def save(self, directory: Path) -> Path:
        """Prophet's own JSON serialisation."""
        from prophet.serialize import model_to_json

        path = directory / MODEL_FILE
        path.write_text(model_to_json(self.model))
        return path


def _naive(times: pd.Index) -> pd.DatetimeIndex:
    """Prophet refuses time zones: times as local wall-clock times without one."""
    dates = pd.DatetimeIndex(times)
    return dates.tz_localize(None) if dates.tz is not None else dates


@contextmanager
def _global_seed(seed: int) -> Iterator[None]:
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)
