"""Exact money: the parser, the one rounding step, and the vectorized twins proven equal to Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from prodlib.money import (
    MONEY_TYPE,
    MoneyFormatError,
    format_money,
    from_cents,
    multiply_rate,
    parse_money,
    parse_money_column,
    round_cents,
    round_cents_column,
    sum_money,
    to_cents,
    to_money_series,
)

# --- the formats vendors really send --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("$1,234.56", "us", "1234.56"),
        ("1234.5", "us", "1234.50"),
        ("(1,234.56)", "us", "-1234.56"),  # accounting credit
        ("-1,234.56", "us", "-1234.56"),
        ("1234.56-", "us", "-1234.56"),  # trailing minus, as some AP systems print
        ("-$5.00", "us", "-5.00"),
        ("USD 1,000,000.00", "us", "1000000.00"),
        (" 7 ", "us", "7.00"),
        ("1.234,56", "eu", "1234.56"),  # European vendor
        ("€ 12,5", "eu", "12.50"),
        ("(1.000,00)", "eu", "-1000.00"),
        ("1 234,56", "eu", "1234.56"),
        ("0,01", "eu", "0.01"),
    ],
)
def test_parses_vendor_formats_exactly(text: str, locale: str, expected: str) -> None:
    assert parse_money(text, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("1e3", "us"),  # exponent: Decimal would accept it, we do not
        ("12..50", "us"),
        ("$12.3.4", "us"),
        ("N/A", "us"),
        ("12.345", "us"),  # a third decimal is not money
        ("1,23", "us"),  # bad grouping
        ("--5", "us"),
        ("(-5)", "us"),
        ("", "us"),
        ("   ", "us"),
        ("1,234.56", "eu"),  # US text under a European declaration
        ("10000000000000000", "us"),  # 17 integer digits do not fit decimal128(18, 2)
        ("NaN", "us"),
        ("Infinity", "us"),
    ],
)
def test_rejects_what_is_not_money(text: str, locale: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_money(text, locale)


def test_round_cents_is_half_up_away_from_zero() -> None:
    # Ties go away from zero, both signs; banker's rounding would give 0.12 and -0.12.
    assert round_cents(Decimal("0.125")) == Decimal("0.13")
    assert round_cents(Decimal("-0.125")) == Decimal("-0.13")
    assert round_cents(Decimal("0.124999")) == Decimal("0.12")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")  # 2.675 is not exact in binary floats


def test_round_cents_refuses_float() -> None:
    with pytest.raises(TypeError):
        round_cents(2.675)  # type: ignore[arg-type]


def test_cents_round_trip_and_format() -> None:
    assert to_cents(Decimal("-1234.56")) == -123456
    assert from_cents(-123456) == Decimal("-1234.56")
    with pytest.raises(ValueError):
        to_cents(Decimal("0.005"))
    assert format_money(Decimal("-1234.5")) == "(1,234.50)"
    assert format_money(Decimal("1234567.891")) == "1,234,567.89"


# --- vectorized == Decimal reference --------------------------------------------------------

cents = st.integers(min_value=-(10**15), max_value=10**15)
thousandths = st.integers(min_value=-(10**15), max_value=10**15)


def _us_text(c: int, style: int) -> str:
    d = from_cents(c)
    body = f"{abs(d):,.2f}" if style % 2 else f"{abs(d):.2f}"
    if style == 2:
        body = "$" + body
    if c < 0:
        return f"({body})" if style == 3 else f"-{body}"
    return body


def _eu_text(c: int, grouped: bool) -> str:
    d = from_cents(c)
    body = f"{abs(d):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") if grouped else (
        f"{abs(d):.2f}".replace(".", ",")
    )
    return ("-" if c < 0 else "") + body


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(cents, st.integers(0, 3)), min_size=1, max_size=40))
def test_column_parser_equals_scalar_on_us_amounts(rows: list[tuple[int, int]]) -> None:
    texts = [_us_text(c, style) for c, style in rows]
    parsed = parse_money_column(texts, "us")
    assert not parsed.bad.any()
    assert parsed.amounts.to_pylist() == [from_cents(c) for c, _ in rows]
    assert parsed.amounts.to_pylist() == [parse_money(t, "us") for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(cents, st.booleans()), min_size=1, max_size=40))
def test_column_parser_equals_scalar_on_eu_amounts(rows: list[tuple[int, bool]]) -> None:
    texts = [_eu_text(c, g) for c, g in rows]
    parsed = parse_money_column(texts, "eu")
    assert parsed.amounts.to_pylist() == [from_cents(c) for c, _ in rows]


money_garbage = st.text(alphabet="0123456789.,-()$€ eEUSDNa", max_size=14)


@settings(max_examples=500, deadline=None)
@given(st.lists(money_garbage, min_size=1, max_size=30), st.sampled_from(["us", "eu"]))
@example(["1e3", "(-5)", "-$5.00", "5.00-", "$-5", "-(5)", "( 5 )", "-", "$", "()"], "us")
def test_column_parser_agrees_with_scalar_on_arbitrary_text(texts: list[str], locale: str) -> None:
    """Valid or not, the two parsers never disagree: same value, or both refuse."""
    parsed = parse_money_column(texts, locale)  # type: ignore[arg-type]
    for i, t in enumerate(texts):
        try:
            expected = parse_money(t, locale)  # type: ignore[arg-type]
        except MoneyFormatError:
            assert parsed.amounts[i].as_py() is None, t
            assert parsed.bad[i] or parsed.empty[i], t
        else:
            assert parsed.amounts[i].as_py() == expected, t
            assert not parsed.bad[i], t


@settings(max_examples=300, deadline=None)
@given(st.lists(thousandths, min_size=1, max_size=50))
@example([5, -5, 15, -15, 125, -125, 2675, -2675])  # exact half-cent ties, both signs
def test_round_cents_column_equals_decimal_reference(values: list[int]) -> None:
    decimals = [Decimal(v).scaleb(-3) for v in values]
    col = round_cents_column(pa.array(decimals, pa.decimal128(19, 3)))
    assert col.type == MONEY_TYPE
    assert col.to_pylist() == [d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for d in decimals]


rates = st.decimals(min_value=Decimal("-2"), max_value=Decimal("2"), places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(10**11), 10**11), min_size=1, max_size=50), rates)
@example([1, -1, 5, -5, 50, -50, 250, -250], Decimal("0.5"))  # 0.005 ties after the multiply
@example([10005, -10005], Decimal("0.2150"))  # 100.05 * 0.215 = 21.51075
def test_multiply_rate_equals_decimal_reference(amount_cents: list[int], rate: Decimal) -> None:
    amounts = [from_cents(c) for c in amount_cents]
    got = multiply_rate(pa.array(amounts, MONEY_TYPE), rate).to_pylist()
    assert got == [round_cents(a * rate) for a in amounts]


def test_sum_and_series_stay_exact() -> None:
    s = to_money_series(["0.10", "0.20", "-0.30", "1e-2"])
    assert str(s.dtype).startswith("decimal128(18, 2)")
    # 0.1 + 0.2 - 0.3 + 0.01 is exactly 0.01 in decimal (and 0.010000000000000009 in floats).
    assert sum_money(s) == Decimal("0.01")
    with pytest.raises(TypeError):
        to_money_series([0.1])  # type: ignore[list-item]
