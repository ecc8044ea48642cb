"""Four tables for the second fresh, independent evaluation set (`fresh2_cases.jsonl`,
`fresh2_conversations.jsonl`), written without reading the planner: other domains and other
column-naming styles than the development, test, probe and first fresh tables.

- `bike_rentals`: a bike-share scheme's daily rentals over two years (snake_case with
  abbreviations: `temp_c`, `hum_pct`, `cnt`; a date column for forecasting); the temperature
  drives the rentals, the weather and working days move them, and `cnt` is `casual_cnt` +
  `reg_cnt`. A few humidity readings are missing (a sensor outage).
- `telco_churn`: a telecom operator's customers and whether they left ("Title Case With
  Spaces"); the number of support calls drives the churn, then the contract and the tenure.
  New customers have no total charges yet.
- `cafe_calidad`: green coffee lots and their cupping score (Spanish names with accents,
  spaces and units in brackets); the altitude drives the score, defects pull it down, and the
  quality class is the score cut at 80.
- `credit_lines`: consumer loans and whether they defaulted (UPPER_CASE names, a 0/1 flag as the
  target); the debt-to-income ratio drives the default, the credit score sets the interest
  rate.

Made by code with fixed seeds, so the repository holds no data files.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ml_backend.datasets import ingest_table
from ml_backend.schema import DatasetProfile

_HOLIDAYS = {(1, 1), (5, 27), (7, 4), (9, 2), (11, 28), (12, 25), (12, 26)}


def bike_rentals(days: int = 731) -> pa.Table:
    """A bike-share scheme's daily rentals, 2023-01-01 to 2024-12-31 (snake_case names)."""
    rng = np.random.default_rng(41)
    dates = [datetime.date(2023, 1, 1) + datetime.timedelta(days=d) for d in range(days)]
    day_of_year = np.array([d.timetuple().tm_yday for d in dates])
    month = np.array([d.month for d in dates])
    second_year = np.array([d.year == 2024 for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    holiday = np.array([(d.month, d.day) in _HOLIDAYS for d in dates])
    working = (weekday < 5) & ~holiday
    season = np.array(["winter", "spring", "summer", "fall"])[(month % 12) // 3]
    temp = 14 + 11 * np.sin(2 * np.pi * (day_of_year - 105) / 365) + rng.normal(0, 3, days)
    humidity = np.clip(rng.normal(64, 13, days), 22, 99)
    wind = rng.gamma(3.0, 4.5, days)
    weather = rng.choice(["clear", "mist", "light_rain", "heavy_rain"], days,
                         p=[0.6, 0.28, 0.1, 0.02])  # fmt: skip
    penalty = np.select(
        [weather == "mist", weather == "light_rain", weather == "heavy_rain"], [300, 1200, 2500], 0
    )
    registered = (1800 + 110 * temp + 900 * working + 500 * second_year - penalty
                  - 8 * (humidity - 64) - 12 * wind + rng.normal(0, 250, days))  # fmt: skip
    casual = (200 + 45 * temp + 600 * ~working - 0.3 * penalty
              + rng.normal(0, 120, days))  # fmt: skip
    registered = registered.clip(50).round().astype(int)
    casual = casual.clip(20).round().astype(int)
    outage = rng.random(days) < 0.03
    return pa.table({
        "obs_date": pa.array(dates, pa.date32()),
        "season": season,
        "mnth": month,
        "wkday": np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])[weekday],
        "is_holiday": holiday,
        "working_day": working,
        "weather_sit": weather,
        "temp_c": temp.round(1),
        "hum_pct": pa.array(humidity.round(1), mask=outage),
        "wind_kmh": wind.round(1),
        "casual_cnt": casual,
        "reg_cnt": registered,
        "cnt": casual + registered,
    })  # fmt: skip


def telco_churn(rows: int = 800) -> pa.Table:
    """A telecom operator's customers and whether they left ("Title Case With Spaces")."""
    rng = np.random.default_rng(42)
    tenure = rng.integers(0, 72, rows)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], rows, p=[0.5, 0.3, 0.2])
    internet = rng.choice(["DSL", "Fiber optic", "None"], rows, p=[0.35, 0.45, 0.2])
    streaming = np.where(internet == "None", "No", rng.choice(["Yes", "No"], rows))
    monthly = (20 + (internet == "DSL") * 25 + (internet == "Fiber optic") * 50
               + (streaming == "Yes") * 10 + rng.normal(0, 5, rows)).clip(18)  # fmt: skip
    total = monthly * tenure * rng.uniform(0.95, 1.05, rows)
    calls = rng.poisson(1.5, rows)
    risk = (0.9 * calls + (contract == "Month-to-month") * 1.0 - 0.03 * tenure
            + (internet == "Fiber optic") * 0.3 + rng.normal(0, 0.5, rows))  # fmt: skip
    return pa.table({
        "Customer ID": [f"C-{n}" for n in range(10001, 10001 + rows)],
        "Gender": rng.choice(["Female", "Male"], rows),
        "Senior Citizen": rng.choice(["Yes", "No"], rows, p=[0.16, 0.84]),
        "Partner": rng.choice(["Yes", "No"], rows),
        "Tenure Months": tenure,
        "Contract Type": contract,
        "Internet Service": internet,
        "Streaming TV": streaming,
        "Payment Method": rng.choice(
            ["Electronic check", "Mailed check", "Bank transfer", "Credit card"], rows
        ),
        "Paperless Billing": rng.choice(["Yes", "No"], rows, p=[0.6, 0.4]),
        "Monthly Charges": monthly.round(2),
        "Total Charges": pa.array(total.round(2), mask=tenure == 0),
        "Support Calls": calls,
        "Churned": np.where(risk > 1.6, "Yes", "No"),
    })  # fmt: skip


def cafe_calidad(rows: int = 480) -> pa.Table:
    """Green coffee lots and their cupping scores (Spanish names)."""
    rng = np.random.default_rng(43)
    country = rng.choice(["Colombia", "Etiopía", "Brasil", "Guatemala", "Kenia", "Perú"], rows)
    variety = rng.choice(["Caturra", "Bourbon", "Geisha", "Typica", "Catuaí"], rows,
                         p=[0.3, 0.25, 0.1, 0.15, 0.2])  # fmt: skip
    process = rng.choice(["Lavado", "Natural", "Honey"], rows, p=[0.5, 0.3, 0.2])
    altitude = rng.uniform(800, 2200, rows)
    defects = rng.poisson(3, rows)
    moisture = rng.normal(11, 0.8, rows)
    score = (80 + 0.0035 * (altitude - 1200) - 0.55 * defects + (variety == "Geisha") * 2.0
             + (process == "Lavado") * 0.6 + rng.normal(0, 0.8, rows))  # fmt: skip

    def cupping(noise: float) -> np.ndarray:
        return (7.5 + 0.15 * (score - 80) + rng.normal(0, noise, rows)).clip(6, 9.5).round(2)

    return pa.table({
        "Lote": [f"L{n:04d}" for n in range(1, rows + 1)],
        "País": country,
        "Variedad": variety,
        "Proceso": process,
        "Año cosecha": rng.integers(2019, 2024, rows),
        "Altitud (m)": altitude.round(),
        "Humedad (%)": pa.array(moisture.round(1), mask=rng.random(rows) < 0.05),
        "Defectos": defects,
        "Aroma": cupping(0.25),
        "Acidez": cupping(0.3),
        "Cuerpo": cupping(0.3),
        "Puntaje": score.round(2),
        "Calidad": np.where(score >= 80, "Especial", "Comercial"),
    })  # fmt: skip


def credit_lines(rows: int = 900) -> pa.Table:
    """Consumer loans and whether they defaulted (UPPER_CASE names, a 0/1 target)."""
    rng = np.random.default_rng(44)
    age = rng.integers(21, 70, rows)
    income = rng.lognormal(10.9, 0.45, rows).round(-2)
    amount = (rng.uniform(0.05, 0.6, rows) * income).round(-2).clip(1000)
    term = rng.choice([36, 60], rows, p=[0.65, 0.35])
    score = rng.normal(680, 60, rows).clip(450, 850).round()
    rate = (26 - 0.045 * (score - 450) + (term == 60) * 1.5 + rng.normal(0, 1.0, rows)).clip(4)
    dti = rng.beta(2.5, 5.0, rows) * 0.8
    employment = rng.integers(0, 30, rows)
    delinquencies = rng.poisson(0.4, rows)
    logit = (-1.5 + 16 * (dti - 0.28) - 0.008 * (score - 680) + 0.5 * delinquencies
             - 0.02 * employment + rng.normal(0, 0.3, rows))  # fmt: skip
    default = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return pa.table({
        "LOAN_ID": np.arange(500001, 500001 + rows),
        "APPLICANT_AGE": age,
        "ANNUAL_INCOME": income,
        "LOAN_AMOUNT": amount,
        "TERM_MONTHS": term,
        "INTEREST_RATE": rate.round(2),
        "CREDIT_SCORE": score.astype(int),
        "DTI_RATIO": dti.round(3),
        "EMPLOYMENT_YEARS": pa.array(employment, mask=rng.random(rows) < 0.04),
        "HOME_OWNERSHIP": rng.choice(["RENT", "OWN", "MORTGAGE"], rows, p=[0.45, 0.15, 0.4]),
        "LOAN_PURPOSE": rng.choice(
            ["DEBT_CONSOLIDATION", "CAR", "HOME_IMPROVEMENT", "EDUCATION", "MEDICAL"], rows
        ),
        "NUM_DELINQUENCIES": delinquencies,
        "DEFAULT_FLAG": default,
    })  # fmt: skip


FRESH2_TABLES: dict[str, Callable[[], pa.Table]] = {
    "bike_rentals": bike_rentals,
    "telco_churn": telco_churn,
    "cafe_calidad": cafe_calidad,
    "credit_lines": credit_lines,
}


def write_fresh2_csvs(folder: Path) -> dict[str, Path]:
    """Each table of the second fresh set as `<name>.csv` in `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in FRESH2_TABLES.items():
        paths[name] = folder / f"{name}.csv"
        pacsv.write_csv(make(), paths[name])
    return paths


def fresh2_profiles() -> dict[str, DatasetProfile]:
    """Each table's profile, as an upload of it would have."""
    with tempfile.TemporaryDirectory() as folder:
        return {name: ingest_table(make(), Path(folder) / name).profile
                for name, make in FRESH2_TABLES.items()}  # fmt: skip


if __name__ == "__main__":
    for name, make in FRESH2_TABLES.items():
        table = make()
        print(f"## {name} ({table.num_rows} rows)")
        for column in table.column_names:
            values = table.column(column).to_pylist()
            distinct = sorted({str(v) for v in values})
            shown = distinct[:6] if len(distinct) <= 6 else [str(v) for v in values[:4]]
            print(f"- {column!r} ({table.schema.field(column).type}): {', '.join(shown)}")
