"""Exact money: the parser, the one rounding step, and the vectorized twins proven equal to Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from prodlib.money import (
    AMOUNT_BOUND,
    AMOUNT_BOUND_CENTS,
    MONEY_TYPE,
    QUANTITY_TYPE,
    CurrencyMismatchError,
    MoneyFormatError,
    format_money,
    from_cents,
    multiply_rate,
    parse_money,
    parse_money_column,
    parse_quantity,
    parse_quantity_column,
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


# --- one grammar for amounts and quantities, in the source's locale and currency (issue 8) ------

def _reference_text(units: int, places: int, shown: int, locale: str, grouped: bool, sign: int, mark: int) -> str:
    """An independent writer of a value as exports write it (the parsers' inverse, no prodlib code).

    ``units`` is the value in 10**-places; ``shown`` decimals are written (trailing zeros dropped);
    sign 0: leading minus, 1: parentheses, 2: trailing minus; mark 0: none, 1: "$" before, 2: " USD" after.
    """
    whole, frac = divmod(abs(units), 10**places)
    digits = str(whole)
    if grouped:
        groups = []
        while len(digits) > 3:
            digits, tail = digits[:-3], digits[-3:]
            groups.insert(0, tail)
        digits = (("," if locale == "us" else ".").join([digits, *groups]))
    point = "." if locale == "us" else ","
    body = digits + (point + str(frac).rjust(places, "0")[:shown] if shown else "")
    body = ("$" + body) if mark == 1 else (body + " USD") if mark == 2 else body
    if units < 0:
        body = f"-{body}" if sign == 0 else f"({body})" if sign == 1 else f"{body}-"
    return body


@st.composite
def written_values(draw, places: int, max_units: int):
    shown = draw(st.integers(0, places))
    step = 10 ** (places - shown)  # only values that the shown decimals represent exactly
    units = draw(st.integers(-max_units // step, max_units // step)) * step
    locale = draw(st.sampled_from(["us", "eu"]))
    text = _reference_text(units, places, shown, locale, draw(st.booleans()), draw(st.integers(0, 2)),
                           draw(st.integers(0, 2)))
    return text, locale, Decimal(units).scaleb(-places)


@settings(max_examples=400, deadline=None)
@given(st.lists(written_values(2, 10**17), min_size=1, max_size=20))
def test_amounts_as_exports_write_them_parse_to_the_exact_value(rows) -> None:
    for text, locale, value in rows:
        assert parse_money(text, locale, "USD") == value, text
    for locale in ("us", "eu"):
        mine = [(t, v) for t, loc, v in rows if loc == locale]
        parsed = parse_money_column([t for t, _ in mine], locale, "USD")  # type: ignore[arg-type]
        assert parsed.amounts.to_pylist() == [v for _, v in mine]
        assert not parsed.bad.any()
        # The bound: a reference comparison on the exact value.
        assert list(parsed.out_of_bounds) == [abs(v) > Decimal("1000000000.00") for _, v in mine]


@settings(max_examples=400, deadline=None)
@given(st.lists(written_values(4, 10**13), min_size=1, max_size=20))
def test_quantities_as_payroll_writes_them_parse_to_the_exact_value(rows) -> None:
    for text, locale, value in rows:
        assert parse_quantity(text, locale, "USD") == value, text
    for locale in ("us", "eu"):
        mine = [(t, v) for t, loc, v in rows if loc == locale]
        parsed = parse_quantity_column([t for t, _ in mine], locale, "USD")  # type: ignore[arg-type]
        assert parsed.amounts.type == QUANTITY_TYPE
        assert parsed.amounts.to_pylist() == [v for _, v in mine]


value_garbage = st.text(alphabet="0123456789.,-() $€£CUSDEGBPN\u00a0\t", max_size=16)


@settings(max_examples=600, deadline=None)
@given(st.lists(value_garbage, min_size=1, max_size=30), st.sampled_from(["us", "eu"]),
       st.sampled_from([None, "USD", "EUR"]), st.booleans())
@example(["0,005", "€63.65", "EUR 63.65", "63.65 GBP", "$63.65", "C$5", "(-$5)", "1.234 567,00"], "us", "USD", False)
def test_any_text_parses_exactly_or_is_refused_the_same_way_by_both_parsers(texts, locale, currency, quantity) -> None:
    """Scalar and column parsers agree on every text: same exact value, or both refuse for the same cause."""
    scalar, column = (parse_quantity, parse_quantity_column) if quantity else (parse_money, parse_money_column)
    parsed = column(texts, locale, currency)
    for i, t in enumerate(texts):
        try:
            expected = scalar(t, locale, currency)
        except CurrencyMismatchError:
            assert parsed.foreign[i] and parsed.bad[i] and parsed.amounts[i].as_py() is None, t
        except MoneyFormatError:
            assert not parsed.foreign[i], t
            assert parsed.amounts[i].as_py() is None and (parsed.bad[i] or parsed.empty[i]), t
        else:
            assert parsed.amounts[i].as_py() == expected and not parsed.bad[i] and not parsed.foreign[i], t


@pytest.mark.parametrize(
    ("text", "locale"),
    [("0,005", "us"), ("0,005.00", "us"), ("00,005", "us"), ("1,0005", "us"), ("1,23,456.00", "us"),
     ("0.005", "eu"), ("0.005,00", "eu"), ("1.234 567,00", "eu"), ("1,23", "us")],
)
def test_a_thousands_group_is_three_digits_after_a_head_without_a_leading_zero(text: str, locale: str) -> None:
    # "0,005" is neither 5.00 (the old reading) nor 0.005: it is refused.
    with pytest.raises(MoneyFormatError):
        parse_money(text, locale, "USD")
    with pytest.raises(MoneyFormatError):
        parse_quantity(text, locale, "USD")


@pytest.mark.parametrize("text", ["€63.65", "EUR 63.65", "63.65 GBP", "£63.65", "C$63.65", "63.65€", "JPY 63"])
def test_another_currency_in_a_usd_source_is_a_mismatch(text: str) -> None:
    with pytest.raises(CurrencyMismatchError):
        parse_money(text, "us", "USD")
    assert parse_money_column([text], "us", "USD").foreign.tolist() == [True]


@pytest.mark.parametrize(("text", "expected"), [("$63.65", "63.65"), ("USD 63.65", "63.65"), ("63.65 USD", "63.65"),
                                                ("US$1,000.00", "1000.00"), ("-$5.00", "-5.00"), ("$-5.00", "-5.00")])
def test_the_production_currency_own_marks_are_accepted(text: str, expected: str) -> None:
    assert parse_money(text, "us", "USD") == Decimal(expected)


def test_quantities_follow_the_locale_like_money() -> None:
    # Eight hours written the European way are eight hours; the old reader made them 800.
    assert parse_quantity("8,00", "eu") == Decimal("8.0000")
    assert parse_quantity("1.234,5678", "eu") == Decimal("1234.5678")
    assert parse_quantity("45.1250", "us") == Decimal("45.1250")
    with pytest.raises(MoneyFormatError):
        parse_quantity("8,00", "us")  # bad grouping in a US file, not 800
    with pytest.raises(MoneyFormatError):
        parse_quantity("1.23456", "us")  # a fifth decimal


def test_the_amount_bound_keeps_every_aggregate_of_a_large_ledger_in_int64() -> None:
    # 10**11 cents = $1,000,000,000.00; int64 holds 9,223,372,036,854,775,807 cents, so 92,233,720
    # lines at the bound still sum inside int64 (9,223,372,000,000,000,000) and one more line would not.
    assert to_cents(AMOUNT_BOUND) == AMOUNT_BOUND_CENTS == 10**11
    assert 92_233_720 * AMOUNT_BOUND_CENTS <= 2**63 - 1 < 92_233_721 * AMOUNT_BOUND_CENTS
    parsed = parse_money_column(["1,000,000,000.00", "1,000,000,000.01", "(1,000,000,000.01)"], "us", "USD")
    assert parsed.out_of_bounds.tolist() == [False, True, True]
