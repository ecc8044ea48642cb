"""The forecaster registry: every model mlchat can forecast a series with, by name.

Forecasters import their libraries (statsmodels, prophet) only when they fit or load, so
this registry is cheap to import.
"""

from __future__ import annotations

from typing import Any

from ml_backend.errors import ConfigValidationError
from ml_backend.forecasters.arima import ArimaSpec
from ml_backend.forecasters.base import FittedForecaster, ForecasterSpec, IntervalForecast
from ml_backend.forecasters.ets import EtsSpec
from ml_backend.forecasters.prophet import ProphetSpec
from ml_backend.suggestions import did_you_mean

FORECASTERS: dict[str, ForecasterSpec[Any]] = {
    spec.name: spec for spec in (ArimaSpec(), EtsSpec(), ProphetSpec())
}


def is_forecaster(name: str) -> bool:
    """Whether `name` is a registered forecaster (installed here or not)."""
    return name in FORECASTERS


def available_forecasters() -> list[ForecasterSpec[Any]]:
    """The forecasters whose libraries are installed here."""
    return [spec for spec in FORECASTERS.values() if spec.available()]


def get_forecaster(name: str) -> ForecasterSpec[Any]:
    """The forecaster called `name`, installed; ConfigValidationError saying what to do if not."""
    spec = FORECASTERS.get(name)
    if spec is None:
        raise ConfigValidationError(
            f"unknown forecaster '{name}'{did_you_mean(name, FORECASTERS)} "
            f"Forecasters: {', '.join(s.name for s in available_forecasters())}",
            field="algorithm",
        )
    if not spec.available():
        others = ", ".join(s.name for s in available_forecasters())
        raise ConfigValidationError(
            f"{spec.name} is not installed on this server (it comes with the "
            f"'mlchat[{spec.extra}]' extra); use one of: {others}",
            field="algorithm",
        )
    return spec


__all__ = [
    "FORECASTERS",
    "FittedForecaster",
    "ForecasterSpec",
    "IntervalForecast",
    "available_forecasters",
    "get_forecaster",
    "is_forecaster",
]
