"""Foreign currency, as accountants do it: a declared, effective-dated rate table and one conversion.

A source may declare ``currency:`` (sources.yaml; default the production's). Its amounts are read in
that currency and converted to the production currency with the rate in force on each line's
document date, taken from ``fx_rates.csv`` in the input folder::

    date,currency,rate,source
    2026-03-02,EUR,1.0825,ECB reference rate 2026-03-02

``rate`` is production-currency units per one unit of ``currency`` (a plain decimal string, at most
10 decimals). **The rate in force** for a document date is the latest rate of the currency dated on
or before it, and only while it is at most :data:`MAX_RATE_AGE_DAYS` old: a line dated before the
first rate, or more than that many days after the latest one, has no rate in force and is quarantined
``FX_RATE_MISSING``; it is never summed as if it were in the production currency.

Conversion: ``amount = round_cents(original x rate)``, ROUND_HALF_UP, once per line. The column path
(:func:`convert_column`) multiplies exactly in Arrow ``decimal128`` (int64 cents times a rate scaled
by 10**10 can reach 10**21 and would overflow int64) and rounds with
:func:`prodlib.money.round_cents_column`; it is proven equal to :func:`convert` by property tests.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.errors import ConfigError
from prodlib.money import AMOUNT_BOUND, MONEY_CONTEXT, MONEY_DTYPE, MONEY_TYPE, round_cents, round_cents_column

#: The rate table's file, in the input folder beside sources.yaml.
FX_RATES_FILE = "fx_rates.csv"
#: The header fx_rates.csv must have, in this order.
FX_RATES_HEADER = ("date", "currency", "rate", "source")
#: How old (days after its date) a rate may be and still be in force. Rates are published every
#: business day; a week covers a long holiday weekend and a missed publication, and no longer: an
#: older rate is a rate nobody declared for the period, so the line waits for one (FX_RATE_MISSING).
MAX_RATE_AGE_DAYS = 7
#: Arrow type of a rate column: 9 integer digits, 10 decimals (exact; fits decimal128(38) products).
RATE_TYPE = pa.decimal128(19, 10)
#: The columns the conversion adds to a foreign-currency frame (the entry keeps them).
FX_COLUMNS = ("original_currency", "original_amount", "fx_rate")

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_RATE = re.compile(r"^[0-9]{1,9}(?:\.[0-9]{1,10})?$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def is_currency_code(text: str) -> bool:
    """An ISO 4217 code as written: three upper-case letters."""
    return bool(_CURRENCY.match(text))


def rate_text(rate: Decimal) -> str:
    """A rate as the ledger stores and seals it: plain decimal text, no exponent, no trailing zeros."""
    return format(rate.normalize(context=MONEY_CONTEXT), "f")


@dataclass(frozen=True)
class FxRate:
    """One row of fx_rates.csv.

    Attributes:
      date: from when the rate holds.
      currency: the foreign currency (ISO 4217).
      rate: production-currency units per one unit of ``currency`` (exact).
      source: where the rate comes from (a central bank's reference rate, the bank's deal slip).
      line: the row's line in fx_rates.csv (the header is line 1).
    """

    date: date
    currency: str
    rate: Decimal
    source: str
    line: int


@dataclass(frozen=True)
class RateTable:
    """The production's declared exchange rates, loaded once per run.

    Attributes:
      production_currency: the currency every rate converts into.
      rates: every rate, sorted by currency then date.
      file: where the table came from ("" when the input folder has no fx_rates.csv).
    """

    production_currency: str
    rates: tuple[FxRate, ...] = ()
    file: str = ""

    def of(self, currency: str) -> tuple[FxRate, ...]:
        """The rates of one currency, oldest first."""
        return tuple(r for r in self.rates if r.currency == currency)

    def rate_in_force(self, currency: str, on: date) -> FxRate | None:
        """The latest rate dated on or before ``on``, if at most MAX_RATE_AGE_DAYS old (the scalar rule)."""
        best = None
        for r in self.of(currency):
            if r.date <= on:
                best = r
        if best is None or (on - best.date).days > MAX_RATE_AGE_DAYS:
            return None
        return best


def parse_rate_table(text: str, production_currency: str, file: str = FX_RATES_FILE) -> RateTable:
    """fx_rates.csv's text as a :class:`RateTable`; a bad row is a ConfigError naming file, line, field."""
    lines = text.lstrip("\ufeff").splitlines()
    header = next(csv.reader([lines[0]])) if lines else []
    if tuple(h.strip() for h in header) != FX_RATES_HEADER:
        raise ConfigError(file, f"the header must be {','.join(FX_RATES_HEADER)}", line=1)
    seen: dict[tuple[date, str], int] = {}
    rates: list[FxRate] = []
    for n, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        try:
            cells = next(csv.reader([raw], strict=True))
        except csv.Error as exc:
            raise ConfigError(file, f"does not parse as CSV ({exc})", line=n) from None
        if len(cells) != len(FX_RATES_HEADER):
            raise ConfigError(file, f"has {len(cells)} fields, expected {len(FX_RATES_HEADER)}", line=n)
        d_text, cur, r_text, src = (c.strip() for c in cells)
        try:
            if not _ISO_DATE.match(d_text):
                raise ValueError
            day = date.fromisoformat(d_text)
        except ValueError:
            raise ConfigError(file, f"{d_text!r} is not a date YYYY-MM-DD", line=n, field="date") from None
        if not is_currency_code(cur):
            raise ConfigError(file, f"{cur!r} is not an ISO 4217 currency code (three capital letters)",
                              line=n, field="currency")
        if cur == production_currency:
            raise ConfigError(file, f"a rate for the production currency {cur} (it is 1 by definition)",
                              line=n, field="currency")
        if not _RATE.match(r_text) or Decimal(r_text) == 0:
            raise ConfigError(file, f"{r_text!r} is not a positive decimal rate with at most 10 decimals",
                              line=n, field="rate")
        if not src:
            raise ConfigError(file, "every rate needs its source (where the figure comes from)", line=n,
                              field="source")
        if (day, cur) in seen:
            raise ConfigError(file, f"a second {cur} rate for {day} (the first is on line {seen[day, cur]})",
                              line=n, field="date")
        seen[day, cur] = n
        rates.append(FxRate(day, cur, Decimal(r_text), src, n))
    rates.sort(key=lambda r: (r.currency, r.date))
    return RateTable(production_currency, tuple(rates), file)


def load_rate_table(folder: Path, production_currency: str) -> RateTable:
    """The input folder's fx_rates.csv (optional: no file is an empty table)."""
    path = Path(folder) / FX_RATES_FILE
    if not path.is_file():
        return RateTable(production_currency)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(FX_RATES_FILE, f"is not UTF-8 text (byte {exc.start})") from None
    return parse_rate_table(text, production_currency, FX_RATES_FILE)


def convert(original: Decimal, rate: Decimal) -> Decimal:
    """THE conversion of one amount: original x rate, rounded once to the cent (the scalar reference)."""
    return round_cents(MONEY_CONTEXT.multiply(original, rate))


@dataclass(frozen=True)
class Converted:
    """A column of amounts converted to the production currency.

    Attributes:
      amounts: ``decimal128(18, 2)``; null where ``out_of_bounds``.
      out_of_bounds: converted amounts beyond :data:`prodlib.money.AMOUNT_BOUND`.
    """

    amounts: pa.Array
    out_of_bounds: np.ndarray


def convert_column(originals: pa.Array | pd.Series, rates: pa.Array) -> Converted:
    """Vectorized :func:`convert`: exact decimal128 product, one ROUND_HALF_UP step per line."""
    arr = pa.array(originals) if isinstance(originals, pd.Series) else originals
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    wide = pc.multiply_checked(pc.cast(arr, MONEY_TYPE), pc.cast(rates, RATE_TYPE))  # decimal128(38, 12)
    beyond = pc.fill_null(pc.greater(pc.abs(wide), pa.scalar(AMOUNT_BOUND, pa.decimal128(38, 12))), False)
    safe = pc.if_else(beyond, pa.scalar(Decimal(0), wide.type), wide)
    rounded = round_cents_column(safe)
    return Converted(pc.if_else(beyond, pa.scalar(None, MONEY_TYPE), rounded),
                     beyond.to_numpy(zero_copy_only=False))


@dataclass(frozen=True)
class RatesInForce:
    """The rate in force for each of a column of document dates.

    Attributes:
      rates: ``RATE_TYPE``, null where ``missing``.
      rate_dates: the date of each rate used (null where ``missing``).
      texts: each rate as :func:`rate_text` writes it (null where ``missing``).
      missing: no rate in force (no date, before the first rate, or older than MAX_RATE_AGE_DAYS).
    """

    rates: pa.Array
    rate_dates: pa.Array
    texts: pa.Array
    missing: np.ndarray


def rates_in_force(table: RateTable, currency: str, dates: pd.Series | pa.Array) -> RatesInForce:
    """Vectorized :meth:`RateTable.rate_in_force` over document dates (sorted search, no loop)."""
    arr = pa.array(dates) if isinstance(dates, pd.Series) else dates
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.cast(arr, pa.date32())
    n = len(arr)
    own = table.of(currency)
    days = pc.fill_null(pc.cast(arr, pa.int32()), np.iinfo(np.int32).min).to_numpy(zero_copy_only=False)
    null = pc.is_null(arr).to_numpy(zero_copy_only=False)
    if not own:
        return RatesInForce(pa.nulls(n, RATE_TYPE), pa.nulls(n, pa.date32()), pa.nulls(n, pa.string()),
                            np.ones(n, dtype=bool))
    rate_days = pa.array([r.date for r in own], pa.date32())
    rate_int = pc.cast(rate_days, pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    at = np.searchsorted(rate_int, days.astype(np.int64), side="right") - 1
    clipped = np.clip(at, 0, len(own) - 1)
    missing = null | (at < 0) | (days.astype(np.int64) - rate_int[clipped] > MAX_RATE_AGE_DAYS)
    pick = pa.array(clipped)
    mask = pa.array(missing)

    def take(values: pa.Array) -> pa.Array:
        return pc.if_else(mask, pa.scalar(None, values.type), values.take(pick))

    return RatesInForce(take(pa.array([r.rate for r in own], RATE_TYPE)), take(rate_days),
                        take(pa.array([rate_text(r.rate) for r in own], pa.string())), missing)


@dataclass(frozen=True)
class FrameConversion:
    """A foreign-currency frame converted: the rows that converted and why the others did not.

    Attributes:
      frame: every row, ``amount`` in the production currency (null where refused), and the
        :data:`FX_COLUMNS` (``original_currency``, ``original_amount``, ``fx_rate`` as rate text).
      missing: rows with no rate in force (FX_RATE_MISSING).
      out_of_bounds: rows whose converted amount is beyond AMOUNT_BOUND (AMOUNT_OUT_OF_BOUNDS).
      rate_dates: the date of the rate each row used (null where missing).
    """

    frame: pd.DataFrame
    missing: np.ndarray
    out_of_bounds: np.ndarray
    rate_dates: pa.Array


def convert_frame(frame: pd.DataFrame, currency: str, date_column: str, table: RateTable) -> FrameConversion:
    """Convert a frame whose ``amount`` is in ``currency`` to the production currency, by document date."""
    found = rates_in_force(table, currency, frame[date_column])
    original = pa.array(frame["amount"].astype(MONEY_DTYPE))
    safe_rates = pc.fill_null(found.rates, pa.scalar(Decimal(0), RATE_TYPE))
    conv = convert_column(original, safe_rates)
    out = frame.copy()
    out["original_currency"] = pd.Series([currency] * len(frame), index=frame.index, dtype="string")
    out["original_amount"] = frame["amount"].astype(MONEY_DTYPE)
    out["amount"] = pd.Series(pc.if_else(pa.array(found.missing), pa.scalar(None, MONEY_TYPE), conv.amounts),
                              index=frame.index, dtype=MONEY_DTYPE)
    out["fx_rate"] = pd.Series(found.texts, index=frame.index, dtype="string")
    return FrameConversion(out, found.missing, conv.out_of_bounds & ~found.missing, found.rate_dates)
