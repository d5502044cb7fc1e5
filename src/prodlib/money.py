"""Exact money: one rounding rule, one parser, one column type.

Every amount in prodlib is a ``decimal.Decimal`` (scalars) or an Arrow ``decimal128(18, 2)``
column (DataFrames); the database stores integer cents. No float ever touches an amount.

The one rounding step is :func:`round_cents`: ROUND_HALF_UP (ties away from zero) to the cent.
Its vectorized twin is :func:`round_cents_column`, which uses Arrow's ``half_towards_infinity``
mode; Arrow's ``half_up`` rounds negative ties toward +infinity and is wrong for us.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    FloatOperation,
    InvalidOperation,
    Overflow,
)
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Context for every money computation: wide precision, half-up, and traps so that a float
#: mixed into a Decimal operation, an overflow or a division by zero raises instead of drifting.
MONEY_CONTEXT = Context(
    prec=38,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, Overflow, DivisionByZero, FloatOperation],
)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: Arrow type of a money column: 16 integer digits, 2 decimals (up to 9.9e15, far past any budget).
MONEY_TYPE = pa.decimal128(18, 2)
MONEY_DTYPE = pd.ArrowDtype(MONEY_TYPE)
#: Largest absolute amount a money column holds.
MONEY_MAX = Decimal("9999999999999999.99")

MoneyLocale = Literal["us", "eu"]
"""How a source writes amounts. "us": 1,234.56; "eu": 1.234,56. Declared per source, never
guessed per row, because "1,234" and "1.234" cannot be told apart."""


class MoneyFormatError(ValueError):
    """An amount string that is not money. ``reason`` is a short machine-readable cause."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"{value!r} is not an amount: {reason}")
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class FieldError:
    """A bad value located in its source: what a user needs to find and fix it."""

    file: str
    line: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, field {self.field!r}: {self.value!r} ({self.reason})"


def round_cents(amount: Decimal) -> Decimal:
    """THE rounding step: to the cent, ties away from zero (ROUND_HALF_UP)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"round_cents takes a Decimal, not {type(amount).__name__}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)


def money(value: str | int | Decimal) -> Decimal:
    """A Decimal amount from a clean literal ("12.50", 12, Decimal). Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money() refuses float: pass a string or a Decimal")
    d = value if isinstance(value, Decimal) else Decimal(value)
    if d != d.quantize(CENT, context=MONEY_CONTEXT):
        raise MoneyFormatError(str(value), "more than two decimals")
    return d.quantize(CENT, context=MONEY_CONTEXT)


# --- parsing ---------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:USD|EUR|GBP|CAD|US\$|\$|€|£)\s*|\s*(?:USD|EUR|GBP|CAD|\$|€|£)$")
_PLAIN = re.compile(r"^-?\d+(?:\.\d{1,2})?$")
_US_GROUPED = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$")
_EU_GROUPED = re.compile("^-?\\d{1,3}(?:[.\u00a0 ]\\d{3})+(?:,\\d{1,2})?$")
_EU_PLAIN = re.compile(r"^-?\d+(?:,\d{1,2})?$")


def parse_money(text: str | None, locale: MoneyLocale = "us") -> Decimal:
    """Parse one amount as exports write it; raise :class:`MoneyFormatError` if it is not one.

    Accepts a currency sign or code, thousands separators of the declared locale, a leading minus,
    a trailing minus ("12.00-") and accounting parentheses for credits ("(1,234.56)"). Refuses
    exponents, more than two decimals, stray characters and empty strings.
    """
    if text is None:
        raise MoneyFormatError("", "empty")
    s = text.strip()
    if not s:
        raise MoneyFormatError(text, "empty")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    elif s.endswith("-") and not s.startswith("-"):
        negative, s = True, s[:-1].strip()
    if s.startswith("-") and len(s) > 1 and not s[1].isdigit():  # "-$12.00"
        negative, s = not negative, s[1:]
    s = _CURRENCY.sub("", s).strip()
    if s.startswith("-"):
        if negative:
            raise MoneyFormatError(text, "two minus signs")
        negative, s = True, s[1:]
    if locale == "us":
        if _US_GROUPED.match(s):
            s = s.replace(",", "")
        elif not _PLAIN.match(s):
            raise MoneyFormatError(text, "not a US-format amount")
    elif locale == "eu":
        if _EU_GROUPED.match(s):
            s = s.replace(".", "").replace(" ", "").replace("\u00a0", "")
        elif not _EU_PLAIN.match(s):
            raise MoneyFormatError(text, "not a European-format amount")
        s = s.replace(",", ".")
    else:  # pragma: no cover - Literal guards callers
        raise ValueError(f"unknown money locale {locale!r}")
    amount = Decimal(s).quantize(CENT, context=MONEY_CONTEXT)
    if amount > MONEY_MAX:
        raise MoneyFormatError(text, "too large")
    return -amount if negative else amount


@dataclass(frozen=True)
class ParsedColumn:
    """Result of parsing a column: exact amounts (null where bad) and why each bad one failed."""

    amounts: pa.Array  # decimal128(18, 2), null where ``bad`` is true
    bad: np.ndarray  # bool mask: value present but not an amount
    empty: np.ndarray  # bool mask: value missing or blank


def parse_money_column(values: Iterable[str | None] | pa.Array, locale: MoneyLocale = "us") -> ParsedColumn:
    """Vectorized :func:`parse_money` with Arrow string kernels; equal to it on every value.

    Invalid values do not raise: they come back as null with ``bad`` set, so the caller can route
    each one to the quarantine with its line number.
    """
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    if arr.type != pa.string():
        arr = pc.cast(arr, pa.string())
    s = pc.utf8_trim_whitespace(arr)
    empty = pc.fill_null(pc.equal(s, ""), True)
    paren = pc.fill_null(pc.match_substring_regex(s, r"^\(.*\)$"), False)
    s = pc.if_else(paren, pc.utf8_slice_codeunits(s, 1, -1), s)
    s = pc.utf8_trim_whitespace(s)
    trailing = pc.fill_null(pc.match_substring_regex(s, r"^[^-].*-$"), False)
    s = pc.if_else(trailing, pc.utf8_slice_codeunits(s, 0, -1), s)
    s = pc.utf8_trim_whitespace(s)
    minus_cur = pc.fill_null(pc.match_substring_regex(s, r"^-[^0-9]"), False)
    s = pc.if_else(minus_cur, pc.utf8_slice_codeunits(s, 1), s)
    s = pc.replace_substring_regex(s, _CURRENCY.pattern, "")
    s = pc.utf8_trim_whitespace(s)
    lead = pc.fill_null(pc.starts_with(s, "-"), False)
    two_minus = pc.and_(lead, pc.or_(pc.or_(paren, trailing), minus_cur))
    s = pc.if_else(lead, pc.utf8_slice_codeunits(s, 1), s)
    if locale == "us":
        grouped = pc.match_substring_regex(s, _US_GROUPED.pattern)
        plain = pc.match_substring_regex(s, _PLAIN.pattern)
        s = pc.if_else(grouped, pc.replace_substring(s, ",", ""), s)
    elif locale == "eu":
        grouped = pc.match_substring_regex(s, _EU_GROUPED.pattern)
        plain = pc.match_substring_regex(s, _EU_PLAIN.pattern)
        s = pc.if_else(grouped, pc.replace_substring_regex(s, "[. \u00a0]", ""), s)
        s = pc.replace_substring(s, ",", ".")
    else:  # pragma: no cover
        raise ValueError(f"unknown money locale {locale!r}")
    good = pc.and_(pc.fill_null(pc.or_(grouped, plain), False), pc.invert(two_minus))
    # Longer than 16 integer digits does not fit decimal128(18, 2).
    too_long = pc.fill_null(pc.match_substring_regex(s, r"^0*[1-9]\d{16}"), False)
    good = pc.and_(pc.and_(good, pc.invert(empty)), pc.invert(too_long))
    safe = pc.if_else(good, s, "0")
    amounts = pc.cast(safe, MONEY_TYPE)
    negate = pc.xor(pc.xor(paren, trailing), pc.xor(minus_cur, lead))
    amounts = pc.if_else(negate, pc.negate(amounts), amounts)
    amounts = pc.if_else(good, amounts, pa.scalar(None, MONEY_TYPE))
    empty_np = empty.to_numpy(zero_copy_only=False)
    bad_np = ~good.to_numpy(zero_copy_only=False) & ~empty_np
    return ParsedColumn(amounts=amounts, bad=bad_np, empty=empty_np)


# --- columns ---------------------------------------------------------------------------------


def to_money_series(values: Iterable[Decimal | str | int] | pa.Array, index: pd.Index | None = None) -> pd.Series:
    """A pandas Series of exact amounts (``decimal128(18, 2)``) from Decimals or an Arrow array."""
    if isinstance(values, pa.Array):
        arr = values if values.type == MONEY_TYPE else round_cents_column(values)
    else:
        vals = list(values)
        if any(isinstance(v, float) for v in vals):
            raise TypeError("to_money_series refuses float values")
        arr = pa.array([None if v is None else Decimal(v) for v in vals], pa.decimal128(38, 10))
        arr = round_cents_column(arr)
    return pd.Series(arr, dtype=MONEY_DTYPE, index=index)


def round_cents_column(values: pa.Array | pa.ChunkedArray | pd.Series) -> pa.Array:
    """Vectorized :func:`round_cents`: any decimal column to ``decimal128(18, 2)``, ties away from zero."""
    arr = values
    if isinstance(arr, pd.Series):
        arr = pa.array(arr)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_decimal(arr.type):
        raise TypeError(f"round_cents_column takes a decimal column, not {arr.type}")
    if arr.type.scale > 2:
        arr = pc.round(arr, 2, round_mode="half_towards_infinity")
    return pc.cast(arr, MONEY_TYPE)


def multiply_rate(amounts: pd.Series | pa.Array, rate: Decimal) -> pa.Array:
    """Each amount times an exact rate, rounded once per line with :func:`round_cents`.

    The product is computed at full precision (decimal128(38, s)) and narrowed afterwards, so the
    Arrow result equals ``round_cents(amount * rate)`` on every row.
    """
    arr = pa.array(amounts) if isinstance(amounts, pd.Series) else amounts
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    exp = rate.as_tuple().exponent
    scale = max(0, -exp if isinstance(exp, int) else 0)
    rate_type = pa.decimal128(min(38, max(scale + 1, len(rate.as_tuple().digits))), scale)
    wide = pc.multiply_checked(pc.cast(arr, pa.decimal128(20, 2)), pa.scalar(rate, rate_type))
    return round_cents_column(wide)


def sum_money(values: pd.Series | pa.Array | Iterable[Decimal]) -> Decimal:
    """Exact total of a money column or of Decimals (0.00 for an empty column)."""
    if isinstance(values, pd.Series | pa.Array | pa.ChunkedArray):
        arr = pa.array(values) if isinstance(values, pd.Series) else values
        total = pc.sum(arr).as_py()
        return ZERO if total is None else round_cents(Decimal(total))
    total = sum(values, ZERO)
    return round_cents(total)


def to_cents(amount: Decimal) -> int:
    """Integer minor units for storage; refuses an amount that is not whole cents."""
    q = amount.quantize(CENT, context=MONEY_CONTEXT)
    if q != amount:
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(q.scaleb(2, context=MONEY_CONTEXT))


def from_cents(cents: int) -> Decimal:
    """Decimal amount from integer minor units."""
    return Decimal(int(cents)).scaleb(-2, context=MONEY_CONTEXT).quantize(CENT, context=MONEY_CONTEXT)


def format_money(amount: Decimal, parentheses: bool = True) -> str:
    """Accountant's display: 1,234.56 and (1,234.56) for negatives."""
    q = round_cents(amount)
    text = f"{abs(q):,.2f}"
    if q < 0:
        return f"({text})" if parentheses else f"-{text}"
    return text


# --- integer cents <-> decimal128, for the database and integer engines ------------------------


def cents_to_money_array(cents: np.ndarray | list[int], null: np.ndarray | None = None) -> pa.Array:
    """decimal128(18, 2) array whose unscaled values are ``cents`` (null where ``null``): no copy per value."""
    c = np.ascontiguousarray(np.asarray(cents, dtype=np.int64))
    if c.size and np.abs(c).max() > 999_999_999_999_999_999:
        raise OverflowError("amount too large for decimal128(18, 2)")
    buf = np.empty((c.size, 2), dtype=np.int64)
    buf[:, 0] = c
    buf[:, 1] = c >> 63  # sign extension to 128 bits
    validity = pa.array(~np.asarray(null, dtype=bool)).buffers()[1] if null is not None and np.any(null) else None
    return pa.Array.from_buffers(MONEY_TYPE, int(c.size), [validity, pa.py_buffer(buf)])


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
