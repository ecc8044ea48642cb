"""Three tables for the fresh, independent evaluation set (`fresh_cases.jsonl`,
`fresh_conversations.jsonl`), written after the planner was tuned and apart from the
development, test and probe tables: other domains, other column-naming styles.

- `readmissions`: hospital stays and whether the patient came back within 30 days
  (camelCase); the number of prior admissions drives the readmission, the stay drives the
  charges.
- `garden_center`: one garden centre's weekly sales over three years (PascalCase, a date
  column for forecasting); the season and the promotions drive the sales.
- `molding`: an injection-moulding line's shots with sensor readings (lower case with units
  in square brackets); the mould temperature's distance from its set point drives defects.

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


def readmissions(rows: int = 640) -> pa.Table:
    """Hospital stays and 30-day readmissions (camelCase names)."""
    rng = np.random.default_rng(31)
    age = rng.integers(19, 95, rows)
    prior = rng.poisson(1.2, rows)
    admission = rng.choice(["Emergency", "Elective", "Urgent"], rows, p=[0.5, 0.3, 0.2])
    stay = np.clip(rng.gamma(2.0, 2.2, rows) + (admission == "Emergency") * 1.5, 1, 40).round()
    medications = rng.poisson(8 + age / 20, rows)
    hba1c = rng.choice(["Normal", "High", "NotTested"], rows, p=[0.35, 0.25, 0.4])
    risk = 0.9 * prior + 0.05 * stay + (hba1c == "High") * 0.4 + rng.normal(0, 0.7, rows)
    charges = 1800 * stay + 45 * medications + rng.normal(0, 900, rows)
    return pa.table({
        "admissionId": np.arange(90001, 90001 + rows),
        "patientAge": age,
        "genderCode": rng.choice(["F", "M"], rows),
        "admissionType": admission,
        "lengthOfStay": stay.astype(int),
        "numPriorAdmissions": prior,
        "numMedications": medications,
        "hba1cResult": hba1c,
        "insurancePlan": rng.choice(["Medicare", "Medicaid", "Private"], rows),
        "dischargeTo": rng.choice(["Home", "SkilledNursing", "Rehab"], rows, p=[0.7, 0.2, 0.1]),
        "totalCharges": charges.clip(500).round(2),
        "readmittedWithin30Days": np.where(risk > 1.6, "Yes", "No"),
    })  # fmt: skip


def garden_center(weeks: int = 156) -> pa.Table:
    """One garden centre's weekly sales over three years (PascalCase names)."""
    rng = np.random.default_rng(32)
    starts = [datetime.date(2022, 1, 3) + datetime.timedelta(weeks=w) for w in range(weeks)]
    season = np.sin(2 * np.pi * (np.arange(weeks) - 10) / 52.18)
    temperature = 11 + 9 * season + rng.normal(0, 2, weeks)
    promo = rng.random(weeks) < 0.2
    holiday = np.array([(d.month == 12 and d.day >= 18) or (d.month == 4 and d.day <= 14)
                        for d in starts])  # fmt: skip
    rainy = rng.integers(0, 8, weeks)
    footfall = (2500 + 1400 * season + 600 * promo + 300 * holiday - 60 * rainy
                + rng.normal(0, 180, weeks)).clip(300).round()  # fmt: skip
    units = (footfall * rng.uniform(0.55, 0.7, weeks)).round()
    sales = (units * rng.uniform(11, 14, weeks) + 0.02 * np.arange(weeks) * 1000).round(2)
    return pa.table({
        "WeekStart": pa.array(starts, pa.date32()),
        "Footfall": footfall.astype(int),
        "UnitsSold": units.astype(int),
        "GrossSales": sales,
        "AvgTemperature": temperature.round(1),
        "RainyDays": rainy,
        "PromoRunning": promo,
        "HolidayWeek": holiday,
        "StaffOnDuty": rng.integers(6, 14, weeks),
    })  # fmt: skip


def molding(rows: int = 720) -> pa.Table:
    """Injection-moulding shots, sensor readings and the quality verdict (units in square
    brackets)."""
    rng = np.random.default_rng(33)
    line = rng.choice(["L1", "L2", "L3"], rows)
    shift = rng.choice(["early", "late", "night"], rows, p=[0.4, 0.4, 0.2])
    mold_temp = rng.normal(62, 5, rows)
    pressure = rng.normal(1100, 60, rows)
    humidity = rng.uniform(25, 70, rows)
    tenure = rng.integers(1, 120, rows)
    cycle = 28 + 0.12 * (mold_temp - 62) + 0.004 * (pressure - 1100) + rng.normal(0, 0.6, rows)
    weight = 48 + 0.006 * (pressure - 1100) - 0.03 * (mold_temp - 62) + rng.normal(0, 0.25, rows)
    badness = (np.abs(mold_temp - 62) / 3 + 0.01 * (humidity - 45) + (shift == "night") * 0.3
               - 0.004 * tenure + rng.normal(0, 0.4, rows))  # fmt: skip
    return pa.table({
        "shot id": np.arange(1, rows + 1),
        "line": line,
        "shift": shift,
        "resin supplier": rng.choice(["Acme", "Borealis", "Cortex"], rows),
        "mold temp [°C]": mold_temp.round(1),
        "injection pressure [bar]": pressure.round(),
        "hold time [s]": rng.uniform(2, 6, rows).round(2),
        "cycle time [s]": cycle.round(2),
        "ambient humidity [%]": humidity.round(1),
        "operator tenure [months]": tenure,
        "part weight [g]": weight.round(2),
        "quality": np.where(badness > 1.3, "defect", "ok"),
    })  # fmt: skip


FRESH_TABLES: dict[str, Callable[[], pa.Table]] = {
    "readmissions": readmissions,
    "garden_center": garden_center,
    "molding": molding,
}


def write_fresh_csvs(folder: Path) -> dict[str, Path]:
    """Each fresh table as `<name>.csv` in `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in FRESH_TABLES.items():
        paths[name] = folder / f"{name}.csv"
        pacsv.write_csv(make(), paths[name])
    return paths


def fresh_profiles() -> dict[str, DatasetProfile]:
    """Each fresh table's profile, as an upload of it would have."""
    with tempfile.TemporaryDirectory() as folder:
        return {name: ingest_table(make(), Path(folder) / name).profile
                for name, make in FRESH_TABLES.items()}  # fmt: skip


if __name__ == "__main__":
    for name, make in FRESH_TABLES.items():
        table = make()
        print(f"## {name} ({table.num_rows} rows)")
        for column in table.column_names:
            values = table.column(column).to_pylist()
            distinct = sorted({str(v) for v in values})
            shown = distinct[:6] if len(distinct) <= 6 else [str(v) for v in values[:4]]
            print(f"- {column!r} ({table.schema.field(column).type}): {', '.join(shown)}")
