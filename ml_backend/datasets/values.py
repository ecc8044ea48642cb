"""Turning Arrow values into plain, JSON-friendly Python values."""

from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal
from typing import Any

JsonValue = str | int | float | bool | None


def json_value(value: Any) -> JsonValue:
    """A JSON-friendly form of one Python value from Arrow's `as_py()`/`to_pylist()`.

    NaN and infinities become None (JSON has no such numbers); dates and times become ISO
    strings; Decimals become floats; bytes become UTF-8 text, or base64 when they are not text.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return json_value(float(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    # pandas.Timestamp and numpy scalars: both offer a plain-Python view of themselves.
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if hasattr(value, "item"):
        return json_value(value.item())
    return str(value)
