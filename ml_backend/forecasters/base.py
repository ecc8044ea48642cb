"""What every forecaster provides: its parameters, its candidate models, how it fits and loads."""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Generic, TypeAlias, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from ml_backend.forecasters.series import Series

LogHook: TypeAlias = Callable[[str], None]
"""Receives a line a person would want to see in the run's log."""

IntervalWidth: TypeAlias = Annotated[
    float,
    Field(
        ge=0.5,
        le=0.99,
        description="Probability the prediction interval is meant to cover (0.95: a 95% band).",
    ),
]

MIN_SERIES_POINTS = 10
"""The fewest points any forecaster is fitted on."""


class ForecasterParams(BaseModel):
    """What every forecaster's parameters share: the width of its prediction intervals."""

    model_config = ConfigDict(extra="forbid")

    interval_width: IntervalWidth = 0.95


ParamsT = TypeVar("ParamsT", bound=ForecasterParams)


@dataclass(frozen=True)
class IntervalForecast:
    """Point forecasts with the lower and upper ends of their prediction interval."""

    mean: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]


class FittedForecaster(ABC):
    """A forecaster fitted to one series, ready to forecast the steps after it."""

    aic: float | None = None
    """Akaike's information criterion of the fit, where the model has a likelihood."""
    notes: list[str]
    """Things about the fit a person should know (e.g. the optimiser did not converge)."""

    @abstractmethod
    def predict(self, times: pd.Index) -> IntervalForecast:
        """Forecasts for the `len(times)` steps after the fitted series, at those times."""

    @abstractmethod
    def save(self, directory: Path) -> Path:
        """Write the fitted model in its library's own format; the file written."""


class ForecasterSpec(ABC, Generic[ParamsT]):
    """One forecaster: its name, its parameter model, and how it fits a series."""

    name: str
    description: str
    hyperparameters: type[ParamsT]
    aliases: tuple[str, ...] = ()
    """Other names people call it by ('holt winters'), in lower case; `name` is one too."""
    requires: str | None = None
    """A package that must be installed for this forecaster (an optional extra)."""
    extra: str | None = None
    """The mlchat extra that installs `requires`."""
    needs_dates: bool = False
    """Whether the time column must hold dates (not numbers)."""

    def available(self) -> bool:
        """Whether this forecaster's library is installed here."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None

    def candidates(self, params: ParamsT, series: Series, log: LogHook) -> list[ParamsT]:
        """The fully specified models to fit on `series`; the one with the lowest AIC wins."""
        return [params]

    def min_points(self, params: ParamsT) -> int:
        """The fewest points a series needs for a model with `params` (fully specified)."""
        return MIN_SERIES_POINTS

    @abstractmethod
    def describe(self, params: ParamsT) -> str:
        """The model with `params` in a few words, e.g. 'ARIMA(1,1,1)'."""

    @abstractmethod
    def fit(self, params: ParamsT, series: Series, *, random_state: int) -> FittedForecaster:
        """The model with fully specified `params` fitted to `series`."""

    @abstractmethod
    def load(self, path: Path, params: ParamsT, *, random_state: int) -> FittedForecaster:
        """A model saved by `FittedForecaster.save`."""


def seeded(random_state: int) -> np.random.Generator:
    """A random generator for simulated intervals, so a run repeats exactly."""
    return np.random.default_rng(random_state)
