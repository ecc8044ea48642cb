"""Seven tables for the agent's evaluation, none of them a built-in sample.

Made by code with fixed seeds (so the repository holds no data files), in the column-naming
styles people upload: snake_case, Title Case with spaces, camelCase, units in brackets.
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


def _days(start: datetime.date, count: int) -> list[datetime.date]:
    return [start + datetime.timedelta(days=i) for i in range(count)]


def loans(rows: int = 600) -> pa.Table:
    """Loan applications and whether they defaulted (snake_case)."""
    rng = np.random.default_rng(11)
    income = rng.lognormal(10.8, 0.4, rows).round(-2)
    credit = rng.normal(680, 60, rows).clip(300, 850).round()
    amount = (income * rng.uniform(0.1, 0.6, rows)).round(-2)
    risk = (amount / income) * 3 - (credit - 680) / 60 + rng.normal(0, 1, rows)
    return pa.table({
        "applicant_age": rng.integers(21, 70, rows),
        "annual_income": income,
        "loan_amount": amount,
        "credit_score": credit.astype(int),
        "employment_years": rng.integers(0, 35, rows),
        "home_ownership": rng.choice(["RENT", "OWN", "MORTGAGE"], rows),
        "purpose": rng.choice(["car", "education", "home_improvement", "business", "debt"], rows),
        "interest_rate": (5 + risk.clip(-2, 4) * 2 + rng.normal(0, 0.5, rows)).round(2),
        "defaulted": np.where(risk > 1.2, "yes", "no"),
    })  # fmt: skip


def energy(days: int = 730) -> pa.Table:
    """A household's daily electricity use over two years (units in the names)."""
    rng = np.random.default_rng(12)
    dates = _days(datetime.date(2022, 1, 1), days)
    season = np.cos(2 * np.pi * np.arange(days) / 365.25)
    temp = 12 - 9 * season + rng.normal(0, 3, days)
    holiday = rng.random(days) < 0.04
    kwh = 18 + 6 * season + 0.4 * np.abs(temp - 18) + 3 * holiday + rng.normal(0, 1.5, days)
    return pa.table({
        "date": pa.array(dates, pa.date32()),
        "kwh": kwh.round(2),
        "temp_c": temp.round(1),
        "humidity_pct": rng.uniform(30, 95, days).round(),
        "is_holiday": holiday,
        "occupants": rng.choice([2, 3, 4], days, p=[0.2, 0.5, 0.3]),
    })  # fmt: skip


def retail(weeks: int = 104) -> pa.Table:
    """Weekly sales of four stores (Title Case names with spaces)."""
    rng = np.random.default_rng(13)
    stores = ["North", "South", "East", "West"]
    rows = [(week, store) for week in range(weeks) for store in stores]
    n = len(rows)
    promo = rng.random(n) < 0.25
    discount = np.where(promo, rng.uniform(5, 30, n), 0).round(1)
    units = (200 + 40 * np.sin(np.array([w for w, _ in rows]) / 8) + 3 * discount
             + rng.normal(0, 20, n)).round()  # fmt: skip
    revenue = (units * rng.uniform(18, 22, n)).round(2)
    return pa.table({
        "Week": pa.array([datetime.date(2023, 1, 2) + datetime.timedelta(weeks=w)
                          for w, _ in rows], pa.date32()),
        "Store": [s for _, s in rows],
        "Region": ["Coast" if s in ("South", "West") else "Inland" for _, s in rows],
        "Units Sold": units.astype(int),
        "Revenue": revenue,
        "Profit": (revenue * rng.uniform(0.05, 0.25, n) - discount * 10).round(2),
        "On Promotion": promo,
        "Discount (%)": discount,
    })  # fmt: skip


def employees(rows: int = 500) -> pa.Table:
    """Staff and whether they left (camelCase names)."""
    rng = np.random.default_rng(14)
    overtime = rng.random(rows) < 0.3
    satisfaction = rng.integers(1, 6, rows)
    years = rng.integers(0, 30, rows)
    leave = overtime * 1.2 - satisfaction * 0.5 - years * 0.05 + rng.normal(0.8, 0.8, rows)
    return pa.table({
        "employeeId": np.arange(1000, 1000 + rows),
        "department": rng.choice(["Sales", "Engineering", "Support", "Finance", "HR"], rows),
        "jobLevel": rng.integers(1, 6, rows),
        "monthlySalary": rng.normal(4200, 1300, rows).clip(1800).round(),
        "yearsAtCompany": years,
        "overTime": overtime,
        "satisfactionScore": satisfaction,
        "distanceFromHomeKm": rng.gamma(2, 6, rows).round(1),
        "leftCompany": np.where(leave > 0.5, "Yes", "No"),
    })  # fmt: skip


def patients(rows: int = 450) -> pa.Table:
    """Clinic patients (abbreviations and units in brackets)."""
    rng = np.random.default_rng(15)
    age = rng.integers(18, 90, rows)
    bmi = rng.normal(27, 5, rows).clip(15, 50).round(1)
    glucose = (90 + 0.6 * (bmi - 25) * 4 + 0.3 * age + rng.normal(0, 15, rows)).round()
    return pa.table({
        "patient_id": np.arange(1, rows + 1),
        "Age": age,
        "Sex": rng.choice(["F", "M"], rows),
        "BMI": bmi,
        "Systolic BP (mmHg)": (110 + 0.4 * age + rng.normal(0, 12, rows)).round(),
        "Cholesterol (mg/dL)": rng.normal(200, 35, rows).round(),
        "Smoker": rng.choice(["yes", "no"], rows, p=[0.25, 0.75]),
        "Glucose": glucose,
        "Diabetic": np.where(glucose > 140, 1, 0),
        "Length of Stay (days)": rng.poisson(3 + age / 30, rows),
    })  # fmt: skip


def cars(rows: int = 400) -> pa.Table:
    """Used-car listings with prices (mixed: lowercase with spaces)."""
    rng = np.random.default_rng(16)
    year = rng.integers(2005, 2024, rows)
    mileage = ((2024 - year) * rng.normal(14000, 4000, rows)).clip(500).round(-2)
    engine = rng.choice([1.0, 1.4, 1.6, 2.0, 2.5, 3.0], rows)
    price = (30000 * 0.88 ** (2024 - year) * (1 + 0.15 * (engine - 1.6))
             - mileage * 0.02 + rng.normal(0, 1500, rows)).clip(800).round(-1)  # fmt: skip
    return pa.table({
        "make": rng.choice(["Toyota", "Ford", "BMW", "Renault", "Skoda", "Fiat"], rows),
        "model year": year,
        "mileage km": mileage,
        "engine size": engine,
        "fuel": rng.choice(["petrol", "diesel", "hybrid", "electric"], rows),
        "gearbox": rng.choice(["manual", "automatic"], rows),
        "previous owners": rng.integers(0, 5, rows),
        "price eur": price,
    })  # fmt: skip


def survey(rows: int = 360) -> pa.Table:
    """Shop visits and how satisfied the customer was (long snake_case names)."""
    rng = np.random.default_rng(17)
    wait = rng.gamma(2, 4, rows).round(1)
    friendly = rng.integers(1, 11, rows)
    score = (6 + 0.4 * friendly - 0.15 * wait + rng.normal(0, 1, rows)).clip(0, 10).round(1)
    return pa.table({
        "visit_date": pa.array(_days(datetime.date(2024, 1, 1), rows), pa.date32()),
        "store": rng.choice(["Lisbon", "Porto", "Madrid", "Lyon", "Berlin"], rows),
        "channel": rng.choice(["in store", "online", "phone"], rows),
        "wait_time_minutes": wait,
        "staff_friendliness": friendly,
        "basket_value": rng.lognormal(3.5, 0.6, rows).round(2),
        "sales": rng.poisson(3, rows),
        "customer_satisfaction_score": score,
    })  # fmt: skip


TABLES: dict[str, Callable[[], pa.Table]] = {
    "loans": loans,
    "energy": energy,
    "retail": retail,
    "employees": employees,
    "patients": patients,
    "cars": cars,
    "survey": survey,
}


def write_csvs(folder: Path) -> dict[str, Path]:
    """Every table as `<name>.csv` in `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in TABLES.items():
        paths[name] = folder / f"{name}.csv"
        pacsv.write_csv(make(), paths[name])
    return paths


def profiles() -> dict[str, DatasetProfile]:
    """Every table's profile, as an upload of it would have."""
    with tempfile.TemporaryDirectory() as folder:
        return {name: ingest_table(make(), Path(folder) / name).profile
                for name, make in TABLES.items()}  # fmt: skip


def schema_text() -> str:
    """Each table's columns with a few values, for people writing evaluation cases."""
    lines = []
    for name, make in TABLES.items():
        table = make()
        lines.append(f"## {name} ({table.num_rows} rows)")
        for column in table.column_names:
            values = table.column(column).to_pylist()
            distinct = sorted({str(v) for v in values})
            shown = distinct[:6] if len(distinct) <= 6 else [str(v) for v in values[:4]]
            lines.append(f"- {column!r} ({table.schema.field(column).type}): {', '.join(shown)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(schema_text())
