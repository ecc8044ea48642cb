"""Numbers as a person reads them: a metric by its kind, a setting short enough to retype."""

from __future__ import annotations

import pytest

from ml_backend.metrics import METRICS, MetricKind, metric_kind
from ml_backend.numbers import format_metric, format_number, format_param, format_params


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        # A share is a share: three decimals, never a percent, 1 still reads as a score.
        ("accuracy", 0.9855, "0.986"),
        ("accuracy", 1.0, "1.000"),
        ("auc_roc", 0.99, "0.990"),
        ("test/f1", 0.5, "0.500"),
        # r2 can be negative and is no percentage.
        ("r2", -0.004, "-0.004"),
        ("r2", -0.0004, "0.000"),
        # mape is said in percent.
        ("mape", 0.1234, "12.3%"),
        # An error is in the target's unit: 4 significant digits, big ones grouped and whole.
        ("rmse", 0.0123456, "0.01235"),
        ("rmse", 1234.5678, "1,235"),
        ("mae", 12345678.9, "12,345,679"),
        ("precision", None, "n/a"),
    ],
)
def test_a_metric_reads_by_its_kind(name: str, value: float | None, shown: str) -> None:
    assert format_metric(name, value) == shown


def test_every_metric_declares_its_kind() -> None:
    assert {m.kind for m in METRICS.values()} == set(MetricKind)
    assert metric_kind("xgboost/validation/rmse") is MetricKind.ERROR
    assert metric_kind("validation/mlogloss") is None


def test_a_tie_rounds_away_from_zero_as_javascript_does() -> None:
    # Python's own format gives 0.062 (ties to even); the page's toFixed gives 0.063.
    assert f"{0.0625:.3f}" == "0.062"
    assert format_metric("accuracy", 0.0625) == "0.063"


def test_tuned_settings_to_four_significant_digits_and_whole_numbers_as_they_are() -> None:
    tuned = {"learning_rate": 0.24808324362608225, "n_estimators": 300, "alpha": 1e-5}
    assert format_params(tuned) == "learning_rate=0.2481, n_estimators=300, alpha=1e-5"
    assert format_param(3000.0) == "3000"
    assert format_param(True) == "true"


def test_plain_numbers() -> None:
    assert format_number(12345) == "12,345"
    assert format_number(1234.5678) == "1,235"
    assert format_number(1e-7) == "1e-7"
    assert format_number(None) == "—"
