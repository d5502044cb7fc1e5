"""Vectorized cell formats of the sample exports: money, dates, times, codes, numbers.

Everything here turns numpy columns into Arrow string columns without a per-row Python loop
(values with few distinct members, such as dates, are formatted once per distinct value and
gathered back), so the studio scale (a million invoice lines) writes in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.sample.units import to_date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _str(a: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(a, pa.int64()), pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _pad(a: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(a, width, "0")


def group_thousands(n: np.ndarray, sep: str) -> pa.Array:
    """Non-negative integers with a thousands separator ("1,234,567"), up to 10^15."""
    n = np.asarray(n, dtype=np.int64)
    out = _str(n)
    for power in (3, 6, 9, 12):
        big = n >= 10**power
        if not big.any():
            break
        head = _str(n // 10**power)
        tail = [_pad(_str((n // 10**p) % 1000), 3) for p in range(power - 3, -1, -3)]
        grouped = pc.binary_join_element_wise(head, *tail, sep)
        out = pc.if_else(pa.array(big), grouped, out)
    return out


MONEY_STYLES = ("us_dollar", "us_grouped_paren", "plain_trim", "plain2", "eu", "trailing_minus")


def money_strings(cents: np.ndarray, style: str) -> pa.Array:
    """Amounts in integer cents written as an export of the given style would write them.

    us_dollar:        $1,234.56   credit -$1,234.56
    us_grouped_paren: 1,234.56    credit (1,234.56)
    plain_trim:       1234.5      credit -1234.5     (trailing zeros dropped: 1200.00 -> 1200)
    plain2:           1234.56     credit -1234.56
    eu:               1.234,56    credit -1.234,56
    trailing_minus:   1234.56     debit  1234.56-    (mainframe bank feeds)
    """
    cents = np.asarray(cents, dtype=np.int64)
    neg = pa.array(cents < 0)
    a = np.abs(cents)
    dollars, cc = a // 100, _pad(_str(a % 100), 2)
    if style == "us_dollar":
        body = _join("$", group_thousands(dollars, ","), ".", cc)
        return pc.if_else(neg, _join("-", body), body)
    if style == "us_grouped_paren":
        body = _join(group_thousands(dollars, ","), ".", cc)
        return pc.if_else(neg, _join("(", body, ")"), body)
    if style in ("plain_trim", "plain2", "trailing_minus"):
        body = _join(_str(dollars), ".", cc)
        if style == "plain_trim":
            body = pc.replace_substring_regex(body, r"\.00$", "")
            body = pc.replace_substring_regex(body, r"(\.\d)0$", r"\1")
        if style == "trailing_minus":
            return pc.if_else(neg, _join(body, "-"), body)
        return pc.if_else(neg, _join("-", body), body)
    if style == "eu":
        body = _join(group_thousands(dollars, "."), ",", cc)
        return pc.if_else(neg, _join("-", body), body)
    raise ValueError(f"unknown money style {style!r}")


def rate_strings(cents: np.ndarray) -> pa.Array:
    """Payroll rates in cents written with four decimals, as payroll registers print them."""
    cents = np.asarray(cents, dtype=np.int64)
    return _join(_str(cents // 100), ".", _pad(_str(cents % 100), 2), "00")


def hours_strings(quarters: np.ndarray) -> pa.Array:
    """Hours held as integer quarter hours, written with two decimals ("10.25")."""
    q = np.asarray(quarters, dtype=np.int64)
    sign = np.where(q < 0, "-", "")
    a = np.abs(q)
    return _join(pa.array(sign), _str(a // 4), ".", _pad(_str((a % 4) * 25), 2))


def _date_formatter(fmt: str) -> Callable[[date], str]:
    if fmt == "%d-%b-%y":  # spreadsheet style: day not padded, English month, two-digit year
        return lambda d: f"{d.day}-{MONTHS[d.month - 1]}-{d.year % 100:02d}"
    if "%b" in fmt or "%B" in fmt or "%a" in fmt:
        raise ValueError(f"locale-dependent date format {fmt!r}")
    return lambda d: d.strftime(fmt)


def date_strings(days: np.ndarray, fmt: str) -> pa.Array:
    """Day numbers written in a strptime format (formatted once per distinct day)."""
    days = np.asarray(days, dtype=np.int64)
    uniq, inv = np.unique(days, return_inverse=True)
    f = _date_formatter(fmt)
    table = pa.array([f(to_date(u)) for u in uniq], pa.string())
    return table.take(pa.array(inv.ravel()))


def format_date(d: date, fmt: str) -> str:
    return _date_formatter(fmt)(d)


def time_strings(minutes: np.ndarray) -> pa.Array:
    """Minutes after midnight of the work day as "HH:MM"; past midnight stays on the clock ("25:30")."""
    m = np.asarray(minutes, dtype=np.int64)
    return _join(_pad(_str(m // 60), 2), ":", _pad(_str(m % 60), 2))


def lookup(table: Sequence[str], idx: np.ndarray) -> pa.Array:
    """``table[idx]`` as an Arrow string column."""
    return pa.array(list(table), pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def code_spelling(code: str, spelling: str) -> str:
    """A detail code ("2100-01") or bare account ("2500") as a vendor's system spells it."""
    if "-" not in code:
        return code
    account, detail = code.split("-")
    if spelling == "dash":
        return code
    if spelling == "dot":
        return f"{account}.{detail}"
    if spelling == "compact":
        return f"{account}{detail}"
    raise ValueError(f"unknown code spelling {spelling!r}")


def int_strings(n: np.ndarray, width: int = 0, prefix: str = "") -> pa.Array:
    s = _str(n)
    if width:
        s = _pad(s, width)
    return _join(prefix, s) if prefix else s
