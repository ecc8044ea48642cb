"""Plotly figures as plain JSON: python lists and numbers, no typed arrays, no NaN."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

_TYPED_ARRAY_KEYS = frozenset({"dtype", "bdata", "shape"})


def plain(value: Any) -> Any:
    """`value` with numpy/pandas scalars as python ones, NaN and infinities as None."""
    if isinstance(value, Mapping):
        if _is_typed_array(value):
            return plain(_decode_typed_array(value))
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, np.ndarray | pd.Series | pd.Index):
        return [plain(item) for item in value.tolist()]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta | np.timedelta64):
        return str(pd.Timedelta(value))
    if isinstance(value, str):
        return value
    return str(value)


def figure_json(figure: go.Figure) -> dict[str, Any]:
    """The figure as Plotly JSON that any client can read: lists, numbers and None."""
    decoded: dict[str, Any] = plain(json.loads(figure.to_json()))
    return decoded


def _is_typed_array(value: Mapping[Any, Any]) -> bool:
    # plotly >= 6 writes numpy arrays as base64 typed arrays; not every client decodes them
    return "dtype" in value and "bdata" in value and set(value) <= _TYPED_ARRAY_KEYS


def _decode_typed_array(value: Mapping[Any, Any]) -> list[Any]:
    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    shape = value.get("shape")
    if shape:
        array = array.reshape([int(part) for part in str(shape).split(",")])
    decoded: list[Any] = array.tolist()
    return decoded
