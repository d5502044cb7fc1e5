"""Cell values of canonical frames as Python values: the one place that turns a column into dates,
Decimals and lists, shared by the fringe engines and the checks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa


def is_blank(value: Any) -> bool:
    """None, NaN and pandas' NA (a blank cell) are all "no value"."""
    return value is None or (not isinstance(value, (str, date, Decimal)) and bool(pd.isna(value)))


def py_date(value: Any) -> date | None:
    """A cell as a ``date`` (None when blank); timestamps and ISO strings are accepted."""
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def py_decimal(value: Any) -> Decimal | None:
    """A cell as an exact ``Decimal`` (None when blank); never through a float's binary value."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float) and value != value:
        return None
    return Decimal(str(value))


def column_values(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as a list of Python values (Arrow columns through Arrow, keeping Decimals and dates)."""
    s = frame[name]
    if isinstance(s.dtype, pd.ArrowDtype):
        return pa.array(s).to_pylist()
    return s.tolist()


def episode_text(value: Any) -> str:
    """An episode cell as text; "" when blank (a feature has no episodes)."""
    return "" if is_blank(value) else str(value)
