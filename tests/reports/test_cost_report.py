"""Cost report builder on a small hand-made production; every expected figure worked out by hand.

The production (sample chart feature-us-sample):

budget                      actuals                        commitments      EFC given
1100-01  100,000.00         1100-01  100,000.00            1300-02 5,000.00  1300: 58,000.00
1100-02   20,000.00         1100-02    5,000.00            3300-02 8,000.00
1300      60,000.00 (bare)  1100-02   -1,000.00 (credit)   5100-02 12,500.00
2000-04    8,000.00         1300-01   45,000.00
3300-02   25,000.50         2000-04    9,100.25
5100-02   12,000.00         2100-01    1,500.00 (no budget)
6700-01    4,500.00         3300-02   10,000.00
8000-01   10,000.00         3300-02     -250.50 (credit)
8100-01    3,000.00         6800-03     -300.00 (credit, no budget)

Per account (B budget, A actual, C commitments, TC = A + C, EFC, ETC = EFC - TC, V = B - EFC, % = A / B):
1100  B 120,000.00  A 104,000.00  C 0         TC 104,000.00  EFC max(B,TC) 120,000.00  ETC 16,000.00  V 0.00      86.7
1300  B  60,000.00  A  45,000.00  C 5,000.00  TC  50,000.00  EFC given     58,000.00  ETC  8,000.00  V 2,000.00  75.0
  ATL B 180,000.00  A 149,000.00  C 5,000.00  TC 154,000.00  EFC 178,000.00  ETC 24,000.00  V 2,000.00  82.8 (82.777..)
2000  B   8,000.00  A   9,100.25  C 0         TC   9,100.25  EFC 9,100.25   ETC 0.00      V -1,100.25  113.8 (113.753..)
2100  B       0.00  A   1,500.00  C 0         TC   1,500.00  EFC 1,500.00   ETC 0.00      V -1,500.00  (none)
3300  B  25,000.50  A   9,749.50  C 8,000.00  TC  17,749.50  EFC 25,000.50  ETC 7,251.00  V 0.00       39.0 (38.997..)
  BTL B  33,000.50  A  20,349.75  C 8,000.00  TC  28,349.75  EFC 35,600.75  ETC 7,251.00  V -2,600.25  61.7 (61.665..)
5100  B  12,000.00  A 0  C 12,500.00  TC 12,500.00  EFC 12,500.00  ETC 0.00  V -500.00  0.0
  POST: the same as 5100
6700  B   4,500.00  A 0          TC 0        EFC 4,500.00  ETC 4,500.00  V 0.00  0.0
6800  B       0.00  A -300.00    TC -300.00  EFC max(0, -300) = 0.00  ETC 300.00  V 0.00  (none)
  OTHER B 4,500.00  A -300.00  C 0  TC -300.00  EFC 4,500.00  ETC 4,800.00  V 0.00  -6.7 (-6.666..)
Total above and below the line:
  B 229,500.50  A 169,049.75  C 25,500.00  TC 194,549.75  EFC 230,600.75  ETC 36,051.00  V -1,100.25  73.7 (73.659..)
8000  B 10,000.00  EFC 10,000.00  ETC 10,000.00  V 0.00  0.0
8100  B  3,000.00  EFC  3,000.00  ETC  3,000.00  V 0.00  0.0
Grand total:
  B 242,500.50  A 169,049.75  C 25,500.00  TC 194,549.75  EFC 243,600.75  ETC 49,051.00  V -1,100.25  69.7 (69.711..)
"""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from prodlib.money import MONEY_DTYPE, to_money_series
from prodlib.reports.cost import AMOUNT_COLUMNS, CostLine, cost_report, percent_spent
from prodlib.taxonomy import get_chart

CHART = get_chart("feature_us_sample")


def frame(rows, key="cost_code"):
    return pd.DataFrame({key: [r[0] for r in rows], "amount": to_money_series([r[1] for r in rows])})


BUDGET = frame([("1100-01", "100000.00"), ("1100-02", "20000.00"), ("1300", "60000.00"), ("2000-04", "8000.00"),
                ("3300-02", "25000.50"), ("5100-02", "12000.00"), ("6700-01", "4500.00"), ("8000-01", "10000.00"),
                ("8100-01", "3000.00")])
ACTUALS = frame([("1100-01", "100000.00"), ("1100-02", "5000.00"), ("1100-02", "-1000.00"), ("1300-01", "45000.00"),
                 ("2000-04", "9100.25"), ("2100-01", "1500.00"), ("3300-02", "10000.00"), ("3300-02", "-250.50"),
                 ("6800-03", "-300.00")])
COMMITMENTS = frame([("1300-02", "5000.00"), ("3300-02", "8000.00"), ("5100-02", "12500.00")])
EFC = frame([("1300", "58000.00")], key="account")


@pytest.fixture(scope="module")
def report():
    return cost_report(BUDGET, ACTUALS, CHART, COMMITMENTS, EFC)


def figures(line_or_row) -> tuple:
    get = (lambda c: getattr(line_or_row, c)) if isinstance(line_or_row, CostLine) else line_or_row.__getitem__
    return tuple(D(str(get(c))) for c in AMOUNT_COLUMNS) + (get("percent_spent"),)


def row(report, account):
    rec = report.accounts[report.accounts["account"] == account]
    assert len(rec) == 1, account
    return rec.iloc[0]


# (budget, actual, commitments, total_cost, etc, efc, variance, percent_spent), from the module docstring
EXPECTED_ACCOUNTS = {
    "1100": ("120000.00", "104000.00", "0.00", "104000.00", "16000.00", "120000.00", "0.00", "86.7"),
    "1300": ("60000.00", "45000.00", "5000.00", "50000.00", "8000.00", "58000.00", "2000.00", "75.0"),
    "2000": ("8000.00", "9100.25", "0.00", "9100.25", "0.00", "9100.25", "-1100.25", "113.8"),
    "2100": ("0.00", "1500.00", "0.00", "1500.00", "0.00", "1500.00", "-1500.00", None),
    "3300": ("25000.50", "9749.50", "8000.00", "17749.50", "7251.00", "25000.50", "0.00", "39.0"),
    "5100": ("12000.00", "0.00", "12500.00", "12500.00", "0.00", "12500.00", "-500.00", "0.0"),
    "6700": ("4500.00", "0.00", "0.00", "0.00", "4500.00", "4500.00", "0.00", "0.0"),
    "6800": ("0.00", "-300.00", "0.00", "-300.00", "300.00", "0.00", "0.00", None),
    "8000": ("10000.00", "0.00", "0.00", "0.00", "10000.00", "10000.00", "0.00", "0.0"),
    "8100": ("3000.00", "0.00", "0.00", "0.00", "3000.00", "3000.00", "0.00", "0.0"),
}
EXPECTED_SECTIONS = {
    "ATL": ("180000.00", "149000.00", "5000.00", "154000.00", "24000.00", "178000.00", "2000.00", "82.8"),
    "BTL": ("33000.50", "20349.75", "8000.00", "28349.75", "7251.00", "35600.75", "-2600.25", "61.7"),
    "POST": ("12000.00", "0.00", "12500.00", "12500.00", "0.00", "12500.00", "-500.00", "0.0"),
    "OTHER": ("4500.00", "-300.00", "0.00", "-300.00", "4800.00", "4500.00", "0.00", "-6.7"),
}
EXPECTED_ABOVE_BELOW = ("229500.50", "169049.75", "25500.00", "194549.75", "36051.00", "230600.75", "-1100.25", "73.7")
EXPECTED_GRAND = ("242500.50", "169049.75", "25500.00", "194549.75", "49051.00", "243600.75", "-1100.25", "69.7")


def expect(values: tuple) -> tuple:
    return tuple(D(v) for v in values[:-1]) + (None if values[-1] is None else D(values[-1]),)


def test_account_rows_in_chart_order_with_unbudgeted_and_credit_accounts(report):
    # every account with any figure appears, chart order; 2100 and 6800 have cost but no budget
    assert list(report.accounts["account"]) == list(EXPECTED_ACCOUNTS)
    assert list(report.accounts["section"]) == ["ATL", "ATL", "BTL", "BTL", "BTL", "POST", "OTHER", "OTHER",
                                                "BGT", "BGT"]
    for account, values in EXPECTED_ACCOUNTS.items():
        got = figures(row(report, account))
        pct = got[-1]
        got = got[:-1] + (None if pct is None or pct is pd.NA else D(str(pct)),)
        assert got == expect(values), account


def test_section_subtotals_total_and_grand_total(report):
    assert [s.key for s in report.sections] == ["ATL", "BTL", "POST", "OTHER"]
    for line in report.sections:
        assert figures(line) == expect(EXPECTED_SECTIONS[line.key]), line.key
    assert report.sections[0].label == "Total Above the line"
    assert figures(report.total_above_below) == expect(EXPECTED_ABOVE_BELOW)
    assert [b.key for b in report.below_grand_total] == ["8000", "8100"]
    assert figures(report.grand_total) == expect(EXPECTED_GRAND)


def test_grand_total_equals_independent_sums_of_inputs(report):
    # independent of the roll-up: plain Decimal sums of the input rows
    assert report.grand_total.budget == sum(D(str(v)) for v in BUDGET["amount"])
    assert report.grand_total.actual == sum(D(str(v)) for v in ACTUALS["amount"])
    assert report.grand_total.commitments == sum(D(str(v)) for v in COMMITMENTS["amount"])


def test_amount_columns_are_exact_money(report):
    for c in AMOUNT_COLUMNS:
        assert report.accounts[c].dtype == MONEY_DTYPE, c
    assert all(isinstance(getattr(report.grand_total, c), D) for c in AMOUNT_COLUMNS)


def test_table_layout_top_to_bottom(report):
    t = report.table()
    kinds = list(zip(t["kind"], t["key"], strict=True))
    assert kinds == [
        ("account", "1100"), ("account", "1300"), ("subtotal", "ATL"),
        ("account", "2000"), ("account", "2100"), ("account", "3300"), ("subtotal", "BTL"),
        ("account", "5100"), ("subtotal", "POST"),
        ("account", "6700"), ("account", "6800"), ("subtotal", "OTHER"),
        ("total", "ABOVE_BELOW"), ("below_grand_total", "8000"), ("below_grand_total", "8100"),
        ("grand_total", "GRAND_TOTAL"),
    ]
    assert t["efc"].dtype == MONEY_DTYPE
    assert D(str(t.iloc[-1]["variance"])) == D("-1100.25")


def test_include_empty_lists_every_chart_account_and_keeps_totals(report):
    full = cost_report(BUDGET, ACTUALS, CHART, COMMITMENTS, EFC, include_empty=True)
    assert list(full.accounts["account"]) == list(CHART.accounts_frame()["account"])
    assert figures(full.grand_total) == figures(report.grand_total)
    empty = full.accounts[full.accounts["account"] == "1200"].iloc[0]
    assert D(str(empty["efc"])) == D("0.00") and empty["percent_spent"] is pd.NA


def test_no_efc_no_commitments_defaults():
    # budget 1,000.00, actual 1,250.00: EFC = max(1,000.00, 1,250.00) = 1,250.00, ETC 0, variance -250.00
    r = cost_report(frame([("3700-01", "1000.00")]), frame([("3700-01", "1250.00")]), CHART)
    assert figures(r.grand_total) == expect(("1000.00", "1250.00", "0.00", "1250.00", "0.00", "1250.00",
                                             "-250.00", "125.0"))


def test_efc_below_cost_to_date_shows_negative_etc():
    # EFC given 900.00 below cost 1,250.00: ETC = 900.00 - 1,250.00 = -350.00, variance 1,000 - 900 = 100.00
    r = cost_report(frame([("3700-01", "1000.00")]), frame([("3700-01", "1250.00")]), CHART,
                    efc=frame([("3700", "900.00")], key="account"))
    assert (r.grand_total.etc, r.grand_total.variance) == (D("-350.00"), D("100.00"))


def test_unknown_code_is_an_error_never_dropped():
    with pytest.raises(ValueError, match="9999-01"):
        cost_report(BUDGET, frame([("9999-01", "5.00")]), CHART)
    with pytest.raises(ValueError, match="efc.*4242"):
        cost_report(BUDGET, ACTUALS, CHART, efc=frame([("4242", "5.00")], key="account"))


def test_float_amounts_are_refused():
    bad = pd.DataFrame({"cost_code": ["1100-01"], "amount": [12.5]})
    with pytest.raises(TypeError, match="float64"):
        cost_report(bad, ACTUALS, CHART)
    with pytest.raises(TypeError):
        cost_report(pd.DataFrame({"cost_code": ["1100-01"], "amount": [12.5]}, dtype=object), ACTUALS, CHART)


def test_missing_amount_is_an_error():
    bad = pd.DataFrame({"cost_code": ["1100-01", "1100-02"], "amount": to_money_series(["1.00", None])})
    with pytest.raises(ValueError, match="without an amount"):
        cost_report(bad, ACTUALS, CHART)


def test_decimal_object_column_is_accepted():
    b = pd.DataFrame({"cost_code": ["1100-01"], "amount": [D("10.10")]})
    a = pd.DataFrame({"cost_code": ["1100-01"], "amount": [D("2.02")]})
    r = cost_report(b, a, CHART)
    with pytest.raises(TypeError, match="str"):  # text is for the parser (prodlib.money), not the report
        cost_report(b, pd.DataFrame({"cost_code": ["1100-01"], "amount": ["2.02"]}), CHART)
    assert (r.grand_total.budget, r.grand_total.actual, r.grand_total.percent_spent) == (D("10.10"), D("2.02"),
                                                                                         D("20.0"))


@pytest.mark.parametrize(("actual", "budget", "expected"), [
    ("1.00", "16.00", "6.3"),  # 6.25 exactly: tie rounds away from zero
    ("-1.00", "16.00", "-6.3"),  # -6.25: away from zero
    ("2.00", "3.00", "66.7"),  # 66.666..
    ("0.00", "5.00", "0.0"),
])
def test_percent_spent_rounding(actual, budget, expected):
    assert percent_spent(D(actual), D(budget)) == D(expected)


def test_percent_spent_without_budget_is_none():
    assert percent_spent(D("5.00"), D("0.00")) is None


def test_empty_inputs_give_zero_report():
    empty = frame([])
    r = cost_report(empty, empty, CHART)
    assert len(r.accounts) == 0
    assert figures(r.grand_total) == expect(("0.00",) * 7 + (None,))
