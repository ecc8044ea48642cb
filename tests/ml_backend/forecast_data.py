"""Small series for the forecasting tests, and the direct statsmodels fits they are checked by."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn import metrics as skm

from ml_backend.datasets.samples import SAMPLE_DATASETS


def co2_monthly(since: str = "1994-01-01") -> pd.DataFrame:
    """Mauna Loa CO2 as monthly means (weekly sample resampled to month starts) from `since`."""
    weekly = SAMPLE_DATASETS["co2"].load().to_pandas()
    monthly = weekly.set_index("date")["co2"].resample("MS").mean()
    monthly = monthly[monthly.index >= since]
    return pd.DataFrame({"date": monthly.index, "co2": monthly.to_numpy()})


def seasonal_months(count: int = 60, seed: int = 0) -> pd.DataFrame:
    """A trending monthly series with a yearly season and noise, from January 2015."""
    rng = np.random.default_rng(seed)
    steps = np.arange(count)
    sales = 100 + 0.8 * steps + 10 * np.sin(2 * np.pi * steps / 12) + rng.normal(0, 1.5, count)
    months = pd.date_range("2015-01-01", periods=count, freq="MS")
    return pd.DataFrame({"month": months, "sales": sales, "region": ["north"] * count})


def random_walk_years(count: int = 50, seed: int = 1) -> pd.DataFrame:
    """A random walk indexed by integer years from 1950."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"year": np.arange(1950, 1950 + count), "level": 50 + np.cumsum(rng.normal(0, 1, count))}
    )


@contextmanager
def quiet_statsmodels() -> Iterator[None]:
    """Direct statsmodels fits warn about starting values and convergence like mlchat's do."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Non-(stationary|invertible) starting")
        yield


def sarimax_fit(values: NDArray[np.float64], hyperparameters: dict[str, Any]) -> Any:
    """statsmodels SARIMAX with the structure a result reports, fitted with its defaults."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with quiet_statsmodels():
        return SARIMAX(
            values,
            order=tuple(hyperparameters["order"]),
            seasonal_order=tuple(hyperparameters["seasonal_order"]),
            trend=hyperparameters["trend"],
        ).fit(disp=False)


def error_metrics(actual: NDArray[np.float64], predicted: NDArray[np.float64]) -> dict[str, float]:
    """mae, rmse, mape and smape computed directly."""
    smape = np.mean(2 * np.abs(predicted - actual) / (np.abs(actual) + np.abs(predicted)))
    return {
        "mae": skm.mean_absolute_error(actual, predicted),
        "rmse": skm.root_mean_squared_error(actual, predicted),
        "mape": skm.mean_absolute_percentage_error(actual, predicted),
        "smape": float(smape),
    }


def store_sales(stores: int = 5, months: int = 48, seed: int = 3) -> pd.DataFrame:
    """Monthly sales of `stores` shops (S1, S2, ...), each at its own level and trend, with a
    promotion flag and the shop's region: a panel of one series per store, rows shuffled."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2018-01-01", periods=months, freq="MS")
    steps = np.arange(months)
    frames = []
    for number in range(1, stores + 1):
        level = 100.0 * number + (2.0 + number) * steps
        season = 8.0 * np.sin(2 * np.pi * steps / 12 + number)
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "store": f"S{number}",
                    "region": "north" if number % 2 else "south",
                    "promo": rng.random(months) < 0.3,
                    "sales": level + season + rng.normal(0, 2.0, months),
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=seed)
