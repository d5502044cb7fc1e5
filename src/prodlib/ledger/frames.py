"""Exact, vectorized conversion between money columns (decimal128(18, 2)) and integer cents.

The database stores BIGINT cents; frames carry ``MONEY_DTYPE``. Both directions go through the
Arrow buffer (a decimal128 value IS its unscaled integer), so they are exact and fast, and no
float is ever involved.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.money import MONEY_DTYPE, MONEY_TYPE, round_cents_column, to_money_series


def cents_to_money_array(cents: np.ndarray | list[int]) -> pa.Array:
    """decimal128(18, 2) array whose unscaled values are ``cents``."""
    c = np.ascontiguousarray(np.asarray(cents, dtype=np.int64))
    if c.size and np.abs(c).max() > 999_999_999_999_999_999:
        raise OverflowError("amount too large for decimal128(18, 2)")
    buf = np.empty((c.size, 2), dtype=np.int64)
    buf[:, 0] = c
    buf[:, 1] = c >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(MONEY_TYPE, int(c.size), [None, pa.py_buffer(buf)])


def cents_to_money(cents: np.ndarray | list[int], index: pd.Index | None = None) -> pd.Series:
    """A MONEY_DTYPE Series from integer cents."""
    return pd.Series(cents_to_money_array(cents), dtype=MONEY_DTYPE, index=index)


def money_to_cents(values: pd.Series | pa.Array | pa.ChunkedArray | list) -> np.ndarray:
    """int64 cents from a money column; refuses nulls, floats and sub-cent amounts."""
    if isinstance(values, pd.Series):
        if values.dtype == object or values.dtype.kind in "iu":
            if any(isinstance(v, float) for v in values):
                raise TypeError("money column holds floats: amounts must be Decimal or decimal128")
            values = to_money_series([v if isinstance(v, Decimal) else Decimal(v) for v in values])
        elif values.dtype.kind == "f" or (isinstance(values.dtype, pd.ArrowDtype)
                                          and pa.types.is_floating(values.dtype.pyarrow_dtype)):
            raise TypeError("money column holds floats: amounts must be Decimal or decimal128")
        arr = pa.array(values)
    elif isinstance(values, list):
        arr = pa.array(to_money_series(values))
    else:
        arr = values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], MONEY_TYPE)
    if not pa.types.is_decimal(arr.type):
        raise TypeError(f"money column must be decimal, not {arr.type}")
    if arr.null_count:
        raise ValueError("money column has missing amounts")
    if arr.type.scale > 2:
        rounded = round_cents_column(arr)
        if not pc.all(pc.equal(pc.cast(rounded, arr.type), arr)).as_py():
            raise ValueError("amount with more than two decimals")
        arr = rounded
    elif arr.type != MONEY_TYPE:
        arr = pc.cast(arr, MONEY_TYPE)
    raw = np.frombuffer(arr.buffers()[1], dtype=np.int64).reshape(-1, 2)
    return raw[arr.offset : arr.offset + len(arr), 0].copy()


def cents_to_text(cents: np.ndarray) -> list[str]:
    """Fixed-scale strings ("-12.30", "0.05") for the hash: Arrow's decimal-to-string cast."""
    return pc.cast(cents_to_money_array(cents), pa.string()).to_pylist()
