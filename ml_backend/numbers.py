"""Numbers as a person reads them: one set of rules for every summary, reply and log line.

`web/js/numbers.js` follows the very same rules (a browser test holds the two to one table of
cases), so a metric reads the same in the agent's words, the metrics table and the runs panel:
- a metric by its kind (`ml_backend.metrics.MetricKind`): shares and ratios to 3 decimals
  (0.986, -0.004), percent errors as 12.3%, errors and losses to 4 significant digits, never
  dropping a whole-number digit (1,235 and 12,346, not 1.235e4);
- any other number to 4 significant digits, whole numbers as they are, thousands grouped;
- a hyperparameter to 4 significant digits, whole numbers as they are, nothing grouped (a
  setting is read back and typed again: "n_estimators=3000, learning_rate=0.2481").
Rounding is half away from zero on the float's exact value, which is what JavaScript's
toFixed and toExponential do; Python's own format rounds ties to even, hence `Decimal`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ml_backend.metrics import MetricKind, metric_kind

MISSING_METRIC = "n/a"
"""A metric that could not be computed (an AUC on a split lacking a class)."""
MISSING_NUMBER = "—"

SIGNIFICANT = 4
METRIC_DECIMALS = 3
PERCENT_SIGNIFICANT = 3
_SMALLEST_FIXED_EXPONENT = -4
"""Below 0.0001 a number is written 1.2e-5, where a row of zeros would hide its size."""
_LARGEST_FIXED_EXPONENT = 14
"""From 1e15 on, 1.2e+15: past the digits a float holds exactly."""


def _exponent(value: float) -> int:
    # From the shortest repr, as JavaScript's toExponential() without digits gives it.
    return Decimal(repr(abs(value))).adjusted()


def _rounded(value: float, spec: str) -> str:
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return format(Decimal(value), spec)


def _grouped(text: str) -> str:
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, tail = whole[:-3], whole[-3:]
        groups.insert(0, tail)
    grouped = ",".join([whole, *groups])
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


def _unsigned_zero(text: str) -> str:
    # -0.0004 to 3 decimals is "-0.000": a sign on a zero says nothing true.
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def _trimmed(text: str) -> str:
    if "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def _scientific(value: float, digits: int) -> str:
    mantissa, _, exponent = _rounded(value, f".{digits - 1}e").partition("e")
    return f"{_trimmed(mantissa)}e{int(exponent):+d}"


def _significant(value: float, digits: int, *, group: bool) -> str:
    """`value` to `digits` significant digits, but whole-number digits are never dropped."""
    if value == 0:
        return "0"
    exponent = _exponent(value)
    if exponent < _SMALLEST_FIXED_EXPONENT or exponent > _LARGEST_FIXED_EXPONENT:
        return _scientific(value, digits)
    decimals = max(0, digits - 1 - exponent)
    text = _unsigned_zero(_trimmed(_rounded(value, f".{decimals}f")))
    return _grouped(text) if group else text


def _fixed(value: float, decimals: int) -> str:
    if abs(value) >= 10**_LARGEST_FIXED_EXPONENT:
        return _scientific(value, SIGNIFICANT)
    return _grouped(_unsigned_zero(_rounded(value, f".{decimals}f")))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole(value: float) -> bool:
    # A JSON number reaches the page as a float: 3000.0 and 3000 must read the same there.
    return abs(value) < 1e15 and (isinstance(value, int) or value.is_integer())


def format_number(value: Any) -> str:
    """Any number as a person reads it: 12,345 · 0.2481 · 1,235 · 1.2e-5; '—' for None."""
    if value is None:
        return MISSING_NUMBER
    if isinstance(value, bool):
        return "true" if value else "false"
    if not _is_number(value):
        return str(value)
    if not math.isfinite(value):
        return MISSING_NUMBER
    if _is_whole(value):
        return _grouped(str(int(value)))
    return _significant(float(value), SIGNIFICANT, group=True)


def format_metric(name: str, value: float | None) -> str:
    """A metric's value by its kind: accuracy 0.986, r2 -0.004, mape 12.3%, rmse 1,235;
    'n/a' when it could not be computed. Names may carry a prefix ('test/accuracy')."""
    if value is None or not _is_number(value) or not math.isfinite(value):
        return MISSING_METRIC
    kind = metric_kind(name)
    if kind is MetricKind.SHARE or kind is MetricKind.RATIO:
        return _fixed(float(value), METRIC_DECIMALS)
    if kind is MetricKind.PERCENT:
        return _significant(float(value) * 100, PERCENT_SIGNIFICANT, group=True) + "%"
    if kind is MetricKind.ERROR or kind is MetricKind.LOSS:
        return _significant(float(value), SIGNIFICANT, group=True)
    return format_number(value)


def format_param(value: Any) -> str:
    """A hyperparameter's value: 3000 · 0.2481 · 1e-5 · true · gini, ready to be typed back."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if not _is_number(value):
        return json.dumps(value, separators=(",", ":"))
    if not math.isfinite(value):
        return str(value)
    if _is_whole(value):
        return str(int(value))
    return _significant(float(value), SIGNIFICANT, group=False)


def format_params(params: Mapping[str, Any]) -> str:
    """Settings as 'n_estimators=300, learning_rate=0.2481'."""
    return ", ".join(f"{name}={format_param(value)}" for name, value in params.items())
