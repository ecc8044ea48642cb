"""Four tables for the third fresh, independent evaluation set (`fresh3_cases.jsonl`,
`fresh3_conversations.jsonl`), written without reading the planner: other domains and other
column-naming styles than the development, test, probe, first and second fresh tables.

- `shop_orders`: an online shop's orders (mixed names: dotted `order.value`, camelCase
  `shipDays`, snake_case `n_items`; an order date); slow shipping drives the returns, the
  number of items drives the order's value. Some ratings are missing (never given).
- `lycee_notes`: a French lycée's pupils and their final grade out of 20 (French names with
  accents and abbreviations); the weekly revision hours drive the grade, absences pull it
  down, and `admis` is the grade cut at 10.
- `air_quality`: one city's daily air-quality readings over two years (names with units and
  symbols: `PM2.5`, `NO2 (µg/m³)`; a date column for forecasting); the wind drives the fine
  particles, traffic and the winter push them up, the AQI category is PM2.5 cut into bands.
  A few PM10 readings are missing (a sensor outage).
- `home_sales`: one county's house sales (short cryptic names: `sqft`, `yr_built`,
  `lot_acres`, `price_usd`); the floor area drives the price, the lot and the HOA fee tell the
  building type apart.

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


def shop_orders(rows: int = 900) -> pa.Table:
    """An online shop's orders in 2024 (mixed dotted, camelCase and snake_case names)."""
    rng = np.random.default_rng(51)
    start = datetime.date(2024, 1, 1)
    dates = sorted(start + datetime.timedelta(days=int(d)) for d in rng.integers(0, 366, rows))
    channel = rng.choice(["web", "app", "marketplace"], rows, p=[0.5, 0.3, 0.2])
    segment = rng.choice(["consumer", "small_business", "corporate"], rows, p=[0.7, 0.2, 0.1])
    items = 1 + rng.poisson(2.2, rows) + (segment == "corporate") * rng.poisson(3, rows)
    category = rng.choice(["Electronics", "Fashion", "Home", "Books", "Toys"], rows,
                          p=[0.25, 0.3, 0.2, 0.15, 0.1])  # fmt: skip
    unit = np.select(
        [category == "Electronics", category == "Fashion", category == "Home",
         category == "Books"], [80.0, 50.0, 60.0, 35.0], 45.0,
    )  # fmt: skip
    value = items * unit * rng.uniform(0.7, 1.3, rows) + rng.normal(0, 8, rows)
    discount = rng.choice([0, 5, 10, 15, 20, 30], rows, p=[0.4, 0.15, 0.2, 0.1, 0.1, 0.05])
    ship_mode = rng.choice(["Standard", "Express", "Same-Day"], rows, p=[0.65, 0.28, 0.07])
    base_days = np.select([ship_mode == "Express", ship_mode == "Same-Day"], [2, 0], 5)
    ship_days = (
        base_days + rng.poisson(1.5, rows) + (rng.random(rows) < 0.12) * rng.integers(4, 12, rows)
    )
    first = rng.random(rows) < 0.35
    risk = (0.45 * (ship_days - 5) + (category == "Fashion") * 0.6 + 0.02 * discount
            + rng.normal(0, 0.7, rows))  # fmt: skip
    returned = risk > 1.2
    stars = np.clip(np.round(4.6 - 0.25 * ship_days + rng.normal(0, 0.6, rows)), 1, 5)
    return pa.table({
        "order.id": [f"SO-{n:06d}" for n in range(240001, 240001 + rows)],
        "order.date": pa.array(dates, pa.date32()),
        "channel": channel,
        "customerSegment": segment,
        "productCategory": category,
        "n_items": items,
        "order.value": value.clip(5).round(2),
        "discountPct": discount,
        "shipMode": ship_mode,
        "shipDays": ship_days,
        "is_first_order": first,
        "ratingStars": pa.array(stars.astype(int), mask=rng.random(rows) < 0.3),
        "returned": np.where(returned, "yes", "no"),
    })  # fmt: skip


def lycee_notes(rows: int = 560) -> pa.Table:
    """A French lycée's pupils and their final grades out of 20 (French names)."""
    rng = np.random.default_rng(52)
    track = rng.choice(["Générale", "Technologique", "Professionnelle"], rows, p=[0.55, 0.3, 0.15])
    hours = rng.gamma(3.0, 2.2, rows).clip(0, 25)
    absences = rng.poisson(4, rows) + (rng.random(rows) < 0.1) * rng.integers(5, 20, rows)
    tutoring = rng.random(rows) < 0.25
    sleep = rng.normal(7.4, 0.9, rows).clip(4.5, 10)
    parents = rng.choice(["CAP", "Bac", "Licence", "Master"], rows, p=[0.25, 0.35, 0.25, 0.15])
    sport = rng.random(rows) < 0.5
    grade = (6.0 + 0.75 * hours - 0.22 * absences + tutoring * 0.8 + 0.3 * (sleep - 7.4)
             + (parents == "Master") * 0.6 + rng.normal(0, 1.3, rows)).clip(0, 20)  # fmt: skip
    first_term = (grade + rng.normal(0, 2.6, rows)).clip(0, 20)
    return pa.table({
        "id_élève": [f"E{n:04d}" for n in range(1, rows + 1)],
        "sexe": rng.choice(["F", "M"], rows),
        "âge": rng.integers(15, 19, rows),
        "filière": track,
        "heures_révision_sem": hours.round(1),
        "absences_j": absences,
        "soutien_scolaire": np.where(tutoring, "oui", "non"),
        "sommeil_h": pa.array(sleep.round(1), mask=rng.random(rows) < 0.06),
        "niveau_parents": parents,
        "sport": np.where(sport, "oui", "non"),
        "note_1er_trim": first_term.round(1),
        "note_finale": grade.round(1),
        "admis": np.where(grade >= 10, "oui", "non"),
    })  # fmt: skip


def air_quality(days: int = 730) -> pa.Table:
    """One city's daily air quality, 2023-01-01 to 2024-12-30 (names with units and symbols)."""
    rng = np.random.default_rng(53)
    dates = [datetime.date(2023, 1, 1) + datetime.timedelta(days=d) for d in range(days)]
    day_of_year = np.array([d.timetuple().tm_yday for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    winter = np.cos(2 * np.pi * (day_of_year - 15) / 365)  # 1 in mid-January, -1 in July
    temp = 12 - 9 * winter + rng.normal(0, 2.5, days)
    wind = rng.gamma(2.5, 1.6, days)
    humidity = np.clip(70 + 10 * winter + rng.normal(0, 9, days), 25, 100)
    traffic = np.clip(100 - 35 * (weekday >= 5) + rng.normal(0, 8, days), 30, 140)
    pm25 = np.clip(3 + 45 / (1 + wind) + 5 * winter + 0.05 * traffic + rng.normal(0, 2.5, days),
                   2, None)  # fmt: skip
    pm10 = pm25 * rng.uniform(1.4, 1.9, days) + rng.normal(0, 2, days)
    no2 = np.clip(8 + 0.4 * traffic + 4 * winter - 1.2 * wind + rng.normal(0, 4, days), 3, None)
    o3 = np.clip(55 + 0.9 * temp - 0.2 * no2 + rng.normal(0, 6, days), 5, None)
    category = np.select([pm25 < 12, pm25 < 25], ["Good", "Moderate"], "Unhealthy")
    outage = np.zeros(days, dtype=bool)
    outage[rng.integers(0, days - 10, 3)[:, None] + np.arange(4)] = True
    return pa.table({
        "Date": pa.array(dates, pa.date32()),
        "Weekday": np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])[weekday],
        "PM2.5": pm25.round(1),
        "PM10": pa.array(pm10.round(1), mask=outage.ravel()),
        "NO2 (µg/m³)": no2.round(1),
        "O3 (µg/m³)": o3.round(1),
        "Temp (°C)": temp.round(1),
        "Wind speed (m/s)": wind.round(2),
        "Rel. humidity (%)": humidity.round().astype(int),
        "Traffic index": traffic.round(0).astype(int),
        "AQI category": category,
    })  # fmt: skip


def home_sales(rows: int = 720) -> pa.Table:
    """One county's house sales (short cryptic names)."""
    rng = np.random.default_rng(54)
    kind = rng.choice(["SFR", "Condo", "Townhouse"], rows, p=[0.55, 0.25, 0.2])
    sqft = np.select(
        [kind == "Condo", kind == "Townhouse"],
        [rng.normal(1000, 220, rows), rng.normal(1500, 300, rows)],
        rng.normal(2100, 550, rows),
    ).clip(450, 5200)
    lot = np.select(
        [kind == "Condo", kind == "Townhouse"],
        [np.zeros(rows), rng.uniform(0.03, 0.09, rows)],
        rng.gamma(2.0, 0.14, rows) + 0.08,
    )
    hoa = np.select(
        [kind == "Condo", kind == "Townhouse"],
        [rng.normal(380, 90, rows), rng.normal(190, 60, rows)],
        np.where(rng.random(rows) < 0.25, rng.normal(60, 20, rows), 0),
    ).clip(0)
    beds = np.clip(np.round(sqft / 650 + rng.normal(0, 0.6, rows)), 1, 7).astype(int)
    baths = np.clip(np.round(2 * (beds * 0.6 + rng.normal(0, 0.4, rows))) / 2, 1, 5)
    built = rng.integers(1948, 2024, rows)
    cond = rng.choice([1, 2, 3, 4, 5], rows, p=[0.05, 0.15, 0.45, 0.25, 0.1])
    dist = rng.gamma(2.2, 4.0, rows).clip(0.3, 45)
    garage = np.where(kind == "Condo", rng.choice([0, 1], rows, p=[0.6, 0.4]),
                      rng.choice([0, 1, 2, 3], rows, p=[0.1, 0.3, 0.5, 0.1]))  # fmt: skip
    pool = (kind == "SFR") & (rng.random(rows) < 0.2)
    price = (60_000 + 185 * sqft + 45_000 * lot + 9_000 * (cond - 3) - 3_200 * dist
             + 300 * (built - 1985) + 20_000 * pool + rng.normal(0, 28_000, rows))  # fmt: skip
    months = rng.integers(0, 24, rows)
    sold = [datetime.date(2023 + int(m) // 12, int(m) % 12 + 1, int(d))
            for m, d in zip(months, rng.integers(1, 29, rows), strict=True)]  # fmt: skip
    return pa.table({
        "apn": [f"{n // 1000:03d}-{n % 1000:03d}" for n in rng.choice(900_000, rows, False)],
        "sale_dt": pa.array(sold, pa.date32()),
        "bldg_type": kind,
        "sqft": sqft.round(-1).astype(int),
        "beds": beds,
        "baths": baths,
        "yr_built": built,
        "lot_acres": lot.round(3),
        "hoa_mo": hoa.round().astype(int),
        "garage_sp": garage,
        "pool": np.where(pool, "Y", "N"),
        "cond": cond,
        "dist_cbd_mi": dist.round(1),
        "price_usd": price.clip(80_000).round(-2).astype(int),
    })  # fmt: skip


FRESH3_TABLES: dict[str, Callable[[], pa.Table]] = {
    "shop_orders": shop_orders,
    "lycee_notes": lycee_notes,
    "air_quality": air_quality,
    "home_sales": home_sales,
}


def write_fresh3_csvs(folder: Path) -> dict[str, Path]:
    """Each table of the third fresh set as `<name>.csv` in `folder`; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in FRESH3_TABLES.items():
        paths[name] = folder / f"{name}.csv"
        pacsv.write_csv(make(), paths[name])
    return paths


def fresh3_profiles() -> dict[str, DatasetProfile]:
    """Each table's profile, as an upload of it would have."""
    with tempfile.TemporaryDirectory() as folder:
        return {name: ingest_table(make(), Path(folder) / name).profile
                for name, make in FRESH3_TABLES.items()}  # fmt: skip


if __name__ == "__main__":
    for name, make in FRESH3_TABLES.items():
        table = make()
        print(f"## {name} ({table.num_rows} rows)")
        for column in table.column_names:
            values = table.column(column).to_pylist()
            distinct = sorted({str(v) for v in values})
            shown = distinct[:6] if len(distinct) <= 6 else [str(v) for v in values[:4]]
            print(f"- {column!r} ({table.schema.field(column).type}): {', '.join(shown)}")
