"""Two tables for the probe of questions about results (`probe_results.jsonl`), apart from the
development and test sets' tables and from the built-in samples the intent corpus is about.

Each has one feature that clearly drives its target, so an answer about what mattered most
can be checked, and `churn` has a target whose training must fail: the one 'Platinum'
customer sits in the test part of the default split (random, 20% held out, seed 42), so the
training part lacks that class and the worker refuses to fit.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sklearn.model_selection import train_test_split

from ml_backend.datasets import ingest_table
from ml_backend.schema import DatasetProfile

DEFAULT_TEST_SIZE = 0.2
DEFAULT_SEED = 42


def bikes(days: int = 540) -> pa.Table:
    """Daily bike rentals of a city scheme; the temperature drives them (snake_case)."""
    rng = np.random.default_rng(21)
    dates = [datetime.date(2022, 3, 1) + datetime.timedelta(days=i) for i in range(days)]
    season = np.sin(2 * np.pi * (np.arange(days) - 30) / 365.25)
    temperature = 13 + 10 * season + rng.normal(0, 2.5, days)
    weekend = np.array([d.weekday() >= 5 for d in dates])
    rain = rng.gamma(0.6, 3, days).round(1)
    noise = rng.normal(0, 80, days)
    rentals = np.clip(900 + 95 * temperature - 12 * rain + 150 * weekend + noise, 50, None)
    return pa.table({
        "day": pa.array(dates, pa.date32()),
        "temperature_c": temperature.round(1),
        "rain_mm": rain,
        "wind_kmh": rng.gamma(3, 4, days).round(1),
        "is_weekend": weekend,
        "station_count": rng.integers(40, 44, days),
        "rentals": rentals.round().astype(int),
    })  # fmt: skip


def churn(rows: int = 700) -> pa.Table:
    """Customers of a phone company and whether they left; the contract drives it (Title
    Case names with spaces)."""
    rng = np.random.default_rng(22)
    contract = rng.choice(["Monthly", "One Year", "Two Year"], rows, p=[0.5, 0.3, 0.2])
    calls = rng.poisson(1.5, rows)
    tenure = rng.integers(1, 72, rows)
    risk = (
        np.select([contract == "Monthly", contract == "One Year"], [2.2, 0.0], -1.5)
        + 0.25 * calls
        - 0.01 * tenure
        + rng.normal(0, 0.6, rows)
    )
    tier = rng.choice(["Basic", "Plus"], rows).astype(object)
    _, test = train_test_split(np.arange(rows), test_size=DEFAULT_TEST_SIZE,
                               random_state=DEFAULT_SEED)  # fmt: skip
    tier[int(test[0])] = "Platinum"
    return pa.table({
        "Customer ID": np.arange(5000, 5000 + rows),
        "Tenure Months": tenure,
        "Monthly Charge": rng.normal(55, 15, rows).clip(15).round(2),
        "Contract": contract,
        "Support Calls": calls,
        "Internet": rng.choice(["Fiber", "DSL", "None"], rows),
        "Plan Tier": tier.astype(str),
        "Churned": np.where(risk > 0.9, "Yes", "No"),
    })  # fmt: skip


PROBE_TABLES: dict[str, Callable[[], pa.Table]] = {"bikes": bikes, "churn": churn}


def write_probe_csvs(folder: Path) -> dict[str, Path]:
    """Each probe table as `<name>.csv` in `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in PROBE_TABLES.items():
        paths[name] = folder / f"{name}.csv"
        pacsv.write_csv(make(), paths[name])
    return paths


def probe_profiles() -> dict[str, DatasetProfile]:
    """Each probe table's profile, as an upload of it would have."""
    with tempfile.TemporaryDirectory() as folder:
        return {name: ingest_table(make(), Path(folder) / name).profile
                for name, make in PROBE_TABLES.items()}  # fmt: skip
