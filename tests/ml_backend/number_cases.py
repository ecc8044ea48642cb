"""Values to format, shared by the Python tests and the browser test that holds
web/js/numbers.js to the same output: ties, signs, tiny and huge values, every metric kind."""

from __future__ import annotations

from typing import Any

METRIC_CASES: list[tuple[str, float | None]] = [
    ("accuracy", 0.9855),
    ("accuracy", 1.0),
    ("accuracy", 0.0625),  # an exact tie in binary: rounds away from zero in both languages
    ("accuracy", 0.5),
    ("test/accuracy", 0.98765),
    ("f1", 0.0),
    ("auc_roc", 0.99999),
    ("precision", None),
    ("r2", -0.004),
    ("r2", -0.0004),
    ("r2", 0.8421),
    ("r2", -12.345678),
    ("mape", 0.1234),
    ("mape", 0.00001234),
    ("mape", 2.5),
    ("smape", 0.015),
    ("rmse", 1234.5678),
    ("rmse", 12345678.9),
    ("rmse", 0.0123456),
    ("rmse", 9.99996),
    ("mae", 1e-7),
    ("mae", 207.08),
    ("log_loss", 0.031234),
    ("validation/rmse", 3.14159),
    ("validation/logloss", 0.1234567),
    ("best/r2", 0.9),
]

NUMBER_CASES: list[Any] = [
    12345,
    -3,
    1234.5678,
    0.125,
    0.24808324362608225,
    -0.0,
    1e-7,
    9.9996,
    207.08,
    3000.0,
    1e16,
    None,
]

PARAM_CASES: list[Any] = [
    0.24808324362608225,
    300,
    3000.0,
    1e-5,
    0.00012345,
    0.1,
    123456.789,
    True,
    "gini",
    None,
]
