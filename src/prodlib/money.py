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
#: Arrow type of a quantity column (payroll hours, unit rates): 10 integer digits, 4 decimals.
QUANTITY_TYPE = pa.decimal128(14, 4)
QUANTITY_DTYPE = pd.ArrowDtype(QUANTITY_TYPE)

#: Largest absolute amount ingest accepts on one line: $1,000,000,000.00 (10**11 cents).
#: Why this bound: the ledger stores integer cents in int64 (at most 9.22e18), so with every line
#: within 10**11 cents any sum of up to 92 million lines fits, about 90 times the lines of a
#: studio-sized sample ledger (about 1 million), and no total, balance or trial balance can wrap.
#: No real line comes near it (the largest film budgets are a few hundred million dollars in all).
#: Ingest quarantines a larger amount as AMOUNT_OUT_OF_BOUNDS instead of posting it.
AMOUNT_BOUND = Decimal("1000000000.00")
AMOUNT_BOUND_CENTS = 10**11

MoneyLocale = Literal["us", "eu"]
"""How a source writes amounts. "us": 1,234.56; "eu": 1.234,56. Declared per source, never
guessed per row, because "1,234" and "1.234" cannot be told apart."""


class MoneyFormatError(ValueError):
    """An amount string that is not money. ``reason`` is a short machine-readable cause.

    Attributes:
      value: the text as read.
      reason: why it was refused.
    """

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"{value!r} is not an amount: {reason}")
        self.value = value
        self.reason = reason


class CurrencyMismatchError(MoneyFormatError):
    """A well-formed value carrying the mark of a currency that is not the source's.

    Attributes:
      mark: the currency sign or code found ("€", "GBP").
      currency: the source's currency (ISO 4217).
    """

    def __init__(self, value: str, mark: str, currency: str) -> None:
        super().__init__(value, f"currency {mark} is not the source's {currency}")
        self.mark = mark
        self.currency = currency


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

#: Blanks trimmed around a value, spelled out so that the scalar parser (Python ``re``) and the
#: column parser (Arrow's RE2) trim exactly the same characters.
_BLANK = "[\\t\\n\\v\\f\\r \u00a0\u2007\u202f]"
#: A currency mark: an ISO 4217 code, a dollar with its country prefix (US$, C$, A$), or a symbol.
_MARK = "[A-Z]{3}|[A-Z]{1,2}\\$|[$\u20ac\u00a3\u00a5\u20b9\u20a9\u20bd\u20aa\u20ba\u20b4\u20a6\u20b1\u20ab\u00a2]"
#: The shape of every amount or quantity: optional accounting parentheses, one optional minus
#: (before or after the currency mark, or trailing), the currency mark before or after the digits.
#: Which separators the digits may hold is the locale's business (below).
_SHAPE = (
    f"^(?P<open>\\()?{_BLANK}*(?P<m1>-)?{_BLANK}*(?:(?P<pre>{_MARK}){_BLANK}*)?(?P<m2>-)?{_BLANK}*"
    f"(?P<num>[0-9](?:[0-9.,  \u00a0\u202f]*[0-9])?)(?:{_BLANK}*(?P<post>{_MARK}))?{_BLANK}*(?P<m3>-)?"
    f"{_BLANK}*(?P<close>\\))?$"
)
_SHAPE_RE = re.compile(_SHAPE)
_TRIM = f"^{_BLANK}+|{_BLANK}+$"
_TRIM_RE = re.compile(_TRIM)
_EU_GROUP_SEPARATORS = "[. \u00a0\u202f]"


def _digits(locale: str, places: int) -> tuple[str, str]:
    """(grouped, plain) patterns of a locale's digits with at most ``places`` decimals.

    A thousands group is exactly three digits after a head of one to three digits that does not
    start with 0: "0,005" is not five dollars in a US file, and not 0.005 either; it is refused.
    """
    if locale == "us":
        return (f"^[1-9][0-9]{{0,2}}(?:,[0-9]{{3}})+(?:\\.[0-9]{{1,{places}}})?$",
                f"^[0-9]+(?:\\.[0-9]{{1,{places}}})?$")
    if locale == "eu":
        groups = "|".join(f"(?:{sep}[0-9]{{3}})+" for sep in ("\\.", " ", "\u00a0", "\u202f"))
        return (f"^[1-9][0-9]{{0,2}}(?:{groups})(?:,[0-9]{{1,{places}}})?$",
                f"^[0-9]+(?:,[0-9]{{1,{places}}})?$")
    raise ValueError(f"unknown money locale {locale!r}")


#: The marks a source written in a currency may carry; any other mark is another currency.
CURRENCY_MARKS: dict[str, frozenset[str]] = {
    "USD": frozenset({"USD", "$", "US$"}),
    "CAD": frozenset({"CAD", "$", "C$", "CA$"}),
    "AUD": frozenset({"AUD", "$", "A$", "AU$"}),
    "NZD": frozenset({"NZD", "$", "NZ$"}),
    "EUR": frozenset({"EUR", "\u20ac"}),
    "GBP": frozenset({"GBP", "\u00a3"}),
}


def currency_marks(currency: str) -> frozenset[str]:
    """The marks that mean ``currency`` (its ISO code, and its symbols when prodlib knows them)."""
    return CURRENCY_MARKS.get(currency, frozenset({currency}))


@dataclass(frozen=True)
class DecimalGrammar:
    """How one kind of value is written and held: money (2 decimals) or a quantity (4 decimals).

    Attributes:
      places: the most decimals a value may have; fewer are padded ("12.5" is 12.50).
      integer_digits: the most integer digits the Arrow type holds.
      arrow_type: the exact column type values are cast to.
      what: the name used in refusals ("amount", "quantity").
    """

    places: int
    integer_digits: int
    arrow_type: pa.DataType
    what: str


MONEY_GRAMMAR = DecimalGrammar(2, 16, MONEY_TYPE, "amount")
QUANTITY_GRAMMAR = DecimalGrammar(4, 10, QUANTITY_TYPE, "quantity")


def _parse_decimal(text: str | None, locale: MoneyLocale, currency: str | None, grammar: DecimalGrammar) -> Decimal:
    """The scalar reference parser behind :func:`parse_money` and :func:`parse_quantity`."""
    s = _TRIM_RE.sub("", text or "")
    if not s:
        raise MoneyFormatError(text or "", "empty")
    m = _SHAPE_RE.match(s)
    if m is None:
        raise MoneyFormatError(text or "", f"not a {grammar.what}")
    g = {k: v or "" for k, v in m.groupdict().items()}
    signs = [g["open"] and g["close"], g["m1"], g["m2"], g["m3"]]
    if bool(g["open"]) != bool(g["close"]) or sum(1 for x in signs if x) > 1:
        raise MoneyFormatError(text or "", "unbalanced parentheses or more than one sign")
    grouped, plain = _digits(locale, grammar.places)
    num = g["num"]
    if re.match(grouped, num):
        num = num.replace(",", "") if locale == "us" else re.sub(_EU_GROUP_SEPARATORS, "", num)
    elif not re.match(plain, num):
        raise MoneyFormatError(text or "", f"not a {'US' if locale == 'us' else 'European'}-format {grammar.what}")
    if locale == "eu":
        num = num.replace(",", ".")
    for mark in (g["pre"], g["post"]):
        if mark and currency is not None and mark not in currency_marks(currency):
            raise CurrencyMismatchError(text or "", mark, currency)
    integer = num.split(".")[0].lstrip("0")
    if len(integer) > grammar.integer_digits:
        raise MoneyFormatError(text or "", "too large")
    value = Decimal(num).quantize(Decimal(1).scaleb(-grammar.places), context=MONEY_CONTEXT)
    return -value if any(signs) else value


def parse_money(text: str | None, locale: MoneyLocale = "us", currency: str | None = None) -> Decimal:
    """Parse one amount as exports write it; raise :class:`MoneyFormatError` if it is not one.

    Accepts a currency sign or code, thousands separators of the declared locale, a leading minus,
    a trailing minus ("12.00-") and accounting parentheses for credits ("(1,234.56)"). Refuses
    exponents, more than two decimals, a thousands group with a leading zero, stray characters,
    empty strings, and (when ``currency`` is given: the source's currency) the mark of another
    currency, with :class:`CurrencyMismatchError`. ``currency=None`` accepts any mark: for a value
    whose currency the caller does not know.
    """
    return _parse_decimal(text, locale, currency, MONEY_GRAMMAR)


def parse_quantity(text: str | None, locale: MoneyLocale = "us", currency: str | None = None) -> Decimal:
    """Parse one quantity (payroll hours, a unit rate): the money grammar with four decimals.

    Quantities follow the source's declared locale exactly like its amounts: "8,00" hours in a
    European file are eight hours, and in a US file they are refused (bad grouping), never 800.
    """
    return _parse_decimal(text, locale, currency, QUANTITY_GRAMMAR)


@dataclass(frozen=True)
class ParsedColumn:
    """Result of parsing a column of amounts or quantities: exact values and why each bad one failed.

    Attributes:
      amounts: the exact values (``decimal128(18, 2)`` for money, ``decimal128(14, 4)`` for
        quantities), null where ``bad`` or ``empty``.
      bad: value present but refused (not a value of the locale, or another currency's mark).
      empty: value missing or blank.
      foreign: the part of ``bad`` that is a well-formed value carrying another currency's mark.
      out_of_bounds: a parsed amount beyond :data:`AMOUNT_BOUND` (money only; the value is kept).
    """

    amounts: pa.Array
    bad: np.ndarray
    empty: np.ndarray
    foreign: np.ndarray
    out_of_bounds: np.ndarray


def _parse_decimal_column(
    values: Iterable[str | None] | pa.Array, locale: MoneyLocale, currency: str | None, grammar: DecimalGrammar
) -> ParsedColumn:
    """Vectorized :func:`_parse_decimal` with Arrow string kernels; equal to it on every value."""
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    if arr.type != pa.string():
        arr = pc.cast(arr, pa.string())
    grouped_pat, plain_pat = _digits(locale, grammar.places)
    s = pc.replace_substring_regex(arr, _TRIM, "")
    empty = pc.fill_null(pc.equal(s, ""), True)
    shape = pc.extract_regex(s, _SHAPE)
    shaped = pc.is_valid(shape)

    def part(name: str) -> pa.Array:
        return pc.fill_null(pc.struct_field(shape, name), "")

    def present(name: str) -> pa.Array:
        return pc.not_equal(part(name), "")

    nsigns = pc.add(pc.add(pc.cast(present("open"), pa.int8()), pc.cast(present("m1"), pa.int8())),
                    pc.add(pc.cast(present("m2"), pa.int8()), pc.cast(present("m3"), pa.int8())))
    signs_ok = pc.and_(pc.equal(present("open"), present("close")), pc.less_equal(nsigns, 1))
    num = part("num")
    grouped = pc.match_substring_regex(num, grouped_pat)
    plain = pc.match_substring_regex(num, plain_pat)
    if locale == "us":
        clean = pc.if_else(grouped, pc.replace_substring(num, ",", ""), num)
    else:
        clean = pc.replace_substring(pc.if_else(grouped, pc.replace_substring_regex(num, _EU_GROUP_SEPARATORS, ""),
                                                num), ",", ".")
    formed = pc.fill_null(pc.and_(pc.and_(shaped, signs_ok), pc.or_(grouped, plain)), False)
    if currency is None:
        foreign = pa.array(np.zeros(len(arr), dtype=bool))
    else:
        marks = pa.array(sorted(currency_marks(currency)), pa.string())
        foreign = pc.and_(formed, pc.or_(pc.and_(present("pre"), pc.invert(pc.is_in(part("pre"), value_set=marks))),
                                         pc.and_(present("post"), pc.invert(pc.is_in(part("post"), value_set=marks)))))
    too_long = pc.match_substring_regex(clean, f"^0*[1-9][0-9]{{{grammar.integer_digits}}}")
    good = pc.and_(pc.and_(formed, pc.invert(foreign)), pc.and_(pc.invert(too_long), pc.invert(empty)))
    safe = pc.if_else(good, pc.replace_substring_regex(clean, "^0+([0-9])", "\\1"), "0")
    values_out = pc.cast(safe, grammar.arrow_type)
    values_out = pc.if_else(pc.greater(nsigns, 0), pc.negate(values_out), values_out)
    values_out = pc.if_else(good, values_out, pa.scalar(None, grammar.arrow_type))
    if grammar is MONEY_GRAMMAR:
        beyond = pc.fill_null(pc.greater(pc.abs(values_out), pa.scalar(AMOUNT_BOUND, MONEY_TYPE)), False)
        out_of_bounds = beyond.to_numpy(zero_copy_only=False)
    else:
        out_of_bounds = np.zeros(len(arr), dtype=bool)
    empty_np = empty.to_numpy(zero_copy_only=False)
    return ParsedColumn(amounts=values_out, bad=~good.to_numpy(zero_copy_only=False) & ~empty_np, empty=empty_np,
                        foreign=foreign.to_numpy(zero_copy_only=False), out_of_bounds=out_of_bounds)


def parse_money_column(
    values: Iterable[str | None] | pa.Array, locale: MoneyLocale = "us", currency: str | None = None
) -> ParsedColumn:
    """Vectorized :func:`parse_money` with Arrow string kernels; equal to it on every value.

    Invalid values do not raise: they come back as null with ``bad`` set (and ``foreign`` for
    another currency's mark), so the caller can route each one to the quarantine with its line
    number; ``out_of_bounds`` marks amounts beyond :data:`AMOUNT_BOUND`.
    """
    return _parse_decimal_column(values, locale, currency, MONEY_GRAMMAR)


def parse_quantity_column(
    values: Iterable[str | None] | pa.Array, locale: MoneyLocale = "us", currency: str | None = None
) -> ParsedColumn:
    """Vectorized :func:`parse_quantity` (``decimal128(14, 4)``); equal to it on every value."""
    return _parse_decimal_column(values, locale, currency, QUANTITY_GRAMMAR)


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


def cents_to_money_array(cents: np.ndarray | list[int], null: np.ndarray | None = None,
                         type_: pa.DataType = MONEY_TYPE) -> pa.Array:
    """decimal128(18, 2) array whose unscaled values are ``cents`` (null where ``null``): no copy per value.

    ``type_``: another decimal128(18, s) whose unscaled values these are (the fringe engine's hours at
    1e-4). Arrow's int64 -> decimal128(19, 0) cast writes the 128-bit values (exact: every int64 fits),
    whose buffer is then read as ``type_``: several times faster than sign-extending in numpy."""
    arr = pa.array(np.ascontiguousarray(np.asarray(cents, dtype=np.int64)))
    if len(arr):
        mm = pc.min_max(arr)
        if max(mm["max"].as_py(), -mm["min"].as_py()) > 999_999_999_999_999_999:
            raise OverflowError(f"amount too large for {type_}")
    dec = pc.cast(arr, pa.decimal128(19, 0))
    validity = pa.array(~np.asarray(null, dtype=bool)).buffers()[1] if null is not None and np.any(null) else None
    return pa.Array.from_buffers(type_, len(dec), [validity, dec.buffers()[1]])


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
