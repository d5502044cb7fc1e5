"""One rounding per (employee, plan, fund, period), allocated back to the rows by largest remainder.

Figures worked out by hand in the comments; both engines are run and must agree (``both``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.fringes import compute_fringes, fringe_postings
from prodlib.production import Episode, Production
from tests.payroll_frames import payroll

D = Decimal
PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",))
DIR = {"employee_id": "D", "union": "DGA", "classification": "Director", "cost_code": "1300-01", "earning_type": "FLAT"}
PA = {"union": "NON-UNION", "classification": "Production Assistant", "earning_type": "REG"}


def both(df: pd.DataFrame, prod: Production = PROD) -> pd.DataFrame:
    vec = compute_fringes(df, prod)
    pd.testing.assert_frame_equal(vec, compute_fringes(df, prod, engine="reference"))
    return vec


def rows(f: pd.DataFrame, cols: tuple[str, ...] = ("rate_id",), **kw: object) -> list[tuple]:
    m = pd.Series(True, index=f.index)
    for k, v in kw.items():
        m &= f[k].astype(str) == str(v)
    return [tuple(str(r[c]) for c in cols) + (D(str(r["contribution"])),) for _, r in f[m].iterrows()]


def test_dga_supplemental_band_crossing_rounds_once_per_fund() -> None:
    # Director: week 1 139,999.80, week 2 10,000.25 (calendar-year pension bands, 2021 rates).
    # Week 2 runs the total from 139,999.80 to 150,000.05:
    #   supp-1 2.2% of the part up to 150,000: 10,000.20 x 0.022 = 220.0044
    #   supp-2 8.5% of the part above 150,000:      0.05 x 0.085 =   0.00425
    #   Supplemental Pension, exact total 220.00865 -> rounded once: 220.01
    #   (rounding each band: 220.00 + 0.00 = 220.00, a cent short).
    #   Allocation: floors 220.00 and 0.00, one cent missing; remainders 0.0044 > 0.00425 -> supp-1.
    # Week 1: supp-1 139,999.80 x 0.022 = 3,079.9956 -> 3,080.00; supp-2 basis 0 -> 0.00.
    # Basic 6.3% (one row a week): 139,999.80 x 0.063 = 8,819.9874 -> 8,819.99;
    #   10,000.20 x 0.063 = 630.0126 -> 630.01.
    df = payroll([{**DIR, "period_end": "2026-03-07", "amount": "139999.80"},
                  {**DIR, "period_end": "2026-03-14", "amount": "10000.25"}])
    f = both(df)
    assert sorted(rows(f, ("period_end", "rate_id"), fund="Supplemental Pension")) == [
        ("2026-03-07", "dga-2021-supp-1", D("3080.00")), ("2026-03-07", "dga-2021-supp-2", D("0.00")),
        ("2026-03-14", "dga-2021-supp-1", D("220.01")), ("2026-03-14", "dga-2021-supp-2", D("0.00")),
    ]
    assert rows(f, ("period_end",), fund="Basic Pension") == [("2026-03-07", D("8819.99")), ("2026-03-14", D("630.01"))]
    # The postings carry the allocated rows: credits to FRINGE_PAYABLE:DGA for week 2's Supplemental = 220.01.
    p = fringe_postings(f)
    wk2 = p[(p["document_no"] == "DGA:Supplemental Pension:2026-03-14")]
    assert sum(D(str(a)) for a in wk2["amount"]) == D("220.01")


def test_two_labor_accounts_in_one_period() -> None:
    # A production assistant paid on 2000-04 (fringes to 4900-NN) and 5000-01 (to 5900-NN) in one week.
    # P1: 10.00 + 10.00. Medicare 1.45%: 0.145 + 0.145 = 0.29 exact -> 0.29 (per row it was 0.15 + 0.15 = 0.30).
    #   Floors 0.14 + 0.14, one cent missing, equal remainders 0.005: the first row in output order
    #   (debit 4900-01) gets it -> 0.15 and 0.14.
    #   Workers' comp 8810 0.35%: 0.035 + 0.035 = 0.07 -> floors 0.03 + 0.03, tie -> 4900-03: 0.04, 5900-01: 0.03.
    #   Social Security 6.2%: 0.62 + 0.62 exact, nothing to allocate.
    # P2: 10.00 on 2000-04 + 10.20 on 5000-01. Medicare 0.145 + 0.1479 = 0.2929 -> 0.29;
    #   floors 0.14 + 0.14, one cent to the larger remainder 0.0079 (5900-01) -> 0.14 and 0.15.
    #   WC 0.035 + 0.0357 = 0.0707 -> 0.07; the cent goes to 5900-01 (0.0057 > 0.005) -> 0.03 and 0.04.
    df = payroll([
        {**PA, "employee_id": "P1", "cost_code": "2000-04", "period_end": "2026-03-07", "amount": "10.00"},
        {**PA, "employee_id": "P1", "cost_code": "5000-01", "period_end": "2026-03-07", "amount": "10.00"},
        {**PA, "employee_id": "P2", "cost_code": "2000-04", "period_end": "2026-03-07", "amount": "10.00"},
        {**PA, "employee_id": "P2", "cost_code": "5000-01", "period_end": "2026-03-07", "amount": "10.20"},
    ])
    f = both(df)
    acct = ("debit_account",)  # x900-NN: the first of the plan's fringe details (WC: 03, 01) the chart has
    assert rows(f, acct, employee_id="P1", plan="FICA-MED") == [("4900-01", D("0.15")), ("5900-01", D("0.14"))]
    assert rows(f, acct, employee_id="P1", plan="WC") == [("4900-03", D("0.04")), ("5900-01", D("0.03"))]
    assert rows(f, acct, employee_id="P1", plan="FICA-SS") == [("4900-01", D("0.62")), ("5900-01", D("0.62"))]
    assert rows(f, acct, employee_id="P2", plan="FICA-MED") == [("4900-01", D("0.14")), ("5900-01", D("0.15"))]
    assert rows(f, acct, employee_id="P2", plan="WC") == [("4900-03", D("0.03")), ("5900-01", D("0.04"))]
    # Postings stay balanced per row and total the fund: Medicare for the week = 0.29 + 0.29 = 0.58.
    p = fringe_postings(f)
    assert sum(D(str(a)) for a in p.loc[p["document_no"] == "FICA-MED:HI:2026-03-07", "amount"]) == D("0.58")


def test_tv_episode_funds_round_per_episode_statutory_across_episodes() -> None:
    # TV: a performer paid 0.50 on E1 and 0.50 on E2 in one week (both episodes PP after 2022-07-01: 21%).
    # SAG-AFTRA prices by each episode's PP date, so each episode is its own unit:
    #   0.50 x 0.21 = 0.105 -> 0.11 on each (across episodes it would have been 0.21 -> 0.11 + 0.10).
    # Medicare rounds across episodes: 0.00725 + 0.00725 = 0.0145 -> 0.01; floors 0.00 + 0.00, tie ->
    #   the first row in output order (episode E1) -> 0.01 and 0.00.
    tv = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",),
                         episodes=(Episode("E1", date(2026, 3, 2)), Episode("E2", date(2026, 3, 9))))
    sag = {"employee_id": "S", "union": "SAG-AFTRA", "classification": "Principal Performer",
           "cost_code": "1400-01", "earning_type": "REG", "period_end": "2026-03-14", "amount": "0.50"}
    f = both(payroll([{**sag, "episode": "E1"}, {**sag, "episode": "E2"}]), tv)
    assert rows(f, ("episode",), plan="SAG-AFTRA") == [("E1", D("0.11")), ("E2", D("0.11"))]
    assert rows(f, ("episode",), plan="FICA-MED") == [("E1", D("0.01")), ("E2", D("0.00"))]
