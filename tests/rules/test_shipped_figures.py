"""Every figure the rule files cover, priced through the fringe engine: hand-worked in the comments.

Each case prices payroll lines with ``prodlib.fringes.compute_fringes`` (vector engine, checked equal
to the reference engine) on the shipped plans, limited to the plans under test (the sample
workers'-comp and MPI schedules start in 2024 and would otherwise stop a 2022 line), and checks the
contribution of each rate line against the figure worked out by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from prodlib.fringes import NoScheduleError, compute_fringes
from prodlib.production import Production
from prodlib.rules import load_plans
from prodlib.rules.plans import PlanSet
from tests.payroll_frames import payroll

D = Decimal
CREW = {"union": "IATSE", "classification": "Grip", "cost_code": "2500-01", "earning_type": "REG"}


def plans(*ids: str) -> PlanSet:
    return PlanSet(tuple(p for p in load_plans().plans if p.plan in ids))


def price(rows: list[dict], plan_ids: tuple[str, ...], prod: Production | None = None) -> pd.DataFrame:
    prod = prod or Production(title="T", employer_code="EMP", pp_date=date(2022, 7, 1), states=("CA",))
    df = payroll(rows)
    vec = compute_fringes(df, prod, plans=plans(*plan_ids))
    pd.testing.assert_frame_equal(vec, compute_fringes(df, prod, plans=plans(*plan_ids), engine="reference"))
    return vec


def by_rate(f: pd.DataFrame) -> dict[str, list[Decimal]]:
    out: dict[str, list[Decimal]] = {}
    for r in f.sort_values(["period_end", "rate_id"], kind="stable").itertuples():
        out.setdefault(r.rate_id, []).append(D(str(r.contribution)))
    return out


def line(period_end: str, amount: str, state: str = "CA", emp: str = "E1", **kw: object) -> dict:
    return {**CREW, "employee_id": emp, "state": state, "period_end": period_end, "amount": amount, **kw}


# --- Social Security: 6.2% to the base of the period end's calendar year -------------------------

@pytest.mark.parametrize(("period_end", "amount", "rate_id", "expected"), [
    # 2022 base 147,000.00: 150,000.00 paid -> 6.2% x 147,000.00 = 9,114.00
    ("2022-06-04", "150000.00", "ss-2022", "9114.00"),
    # 2023 base 160,200.00: 170,000.00 -> 6.2% x 160,200.00 = 9,932.40
    ("2023-06-03", "170000.00", "ss-2023", "9932.40"),
    # 2024 base 168,600.00: 170,000.00 -> 6.2% x 168,600.00 = 10,453.20
    ("2024-06-01", "170000.00", "ss-2024", "10453.20"),
    # 2025 base 176,100.00: 180,000.00 -> 6.2% x 176,100.00 = 10,918.20
    ("2025-06-07", "180000.00", "ss-2025", "10918.20"),
    # 2026 base 184,500.00: 200,000.00 -> 6.2% x 184,500.00 = 11,439.00
    ("2026-06-06", "200000.00", "ss-2026", "11439.00"),
    # under the base: 1,234.56 x 0.062 = 76.54272 -> 76.54
    ("2023-03-04", "1234.56", "ss-2023", "76.54"),
])
def test_social_security_base_per_year(period_end: str, amount: str, rate_id: str, expected: str) -> None:
    f = price([line(period_end, amount)], ("FICA-SS",))
    assert by_rate(f) == {rate_id: [D(expected)]}


def test_social_security_base_resets_with_the_calendar_year() -> None:
    # 150,000.00 in the week ending 2022-12-31 hits the 2022 base: 147,000.00 x 0.062 = 9,114.00; the
    # week ending 2023-01-07 starts 2023 afresh: 10,000.00 x 0.062 = 620.00.
    f = price([line("2022-12-31", "150000.00"), line("2023-01-07", "10000.00")], ("FICA-SS",))
    assert by_rate(f) == {"ss-2022": [D("9114.00")], "ss-2023": [D("620.00")]}


def test_social_security_two_weeks_cross_the_2024_base() -> None:
    # 100,000.00 then 100,000.00 against 168,600.00: week 1 6,200.00; week 2 only 68,600.00 left
    # -> 68,600.00 x 0.062 = 4,253.20 (together 10,453.20 = 6.2% x 168,600.00).
    f = price([line("2024-03-02", "100000.00"), line("2024-03-09", "100000.00")], ("FICA-SS",))
    assert by_rate(f) == {"ss-2024": [D("6200.00"), D("4253.20")]}


# --- Medicare: 1.45%, no cap; the additional 0.9% is the employee's, not the employer's -----------

@pytest.mark.parametrize(("period_end", "rate_id"), [("2022-06-04", "med-2022"), ("2023-06-03", "med-2022"),
                                                     ("2024-06-01", "med-2024"), ("2026-06-06", "med-2024")])
def test_medicare_has_no_cap_and_no_employer_additional_tax(period_end: str, rate_id: str) -> None:
    # 250,000.00 (over the $200,000 additional-tax threshold) -> 1.45% x 250,000.00 = 3,625.00, no 0.9% more.
    f = price([line(period_end, "250000.00")], ("FICA-MED",))
    assert by_rate(f) == {rate_id: [D("3625.00")]}


# --- FUTA: 0.6% of the first $7,000; credit-reduction states add their reduction -----------------

@pytest.mark.parametrize(("state", "period_end", "expected"), [
    # 2022: CA, CT, IL, NY lose 0.3% of the credit: 0.6% x 7,000 = 42.00 plus 0.3% x 7,000 = 21.00
    ("CA", "2022-06-04", {"futa-2022": "42.00", "futa-cr-ca-2022": "21.00"}),
    ("CT", "2022-06-04", {"futa-2022": "42.00", "futa-cr-ct-2022": "21.00"}),
    ("IL", "2022-06-04", {"futa-2022": "42.00", "futa-cr-il-2022": "21.00"}),
    ("NY", "2022-06-04", {"futa-2022": "42.00", "futa-cr-ny-2022": "21.00"}),
    ("TX", "2022-06-04", {"futa-2022": "42.00"}),  # not a credit-reduction state
    # 2023: CA and NY 0.6% -> 42.00 more; IL repaid in 2023 -> 42.00 only
    ("CA", "2023-06-03", {"futa-2022": "42.00", "futa-cr-ca-2023": "42.00"}),
    ("NY", "2023-06-03", {"futa-2022": "42.00", "futa-cr-ny-2023": "42.00"}),
    ("IL", "2023-06-03", {"futa-2022": "42.00"}),
    # 2024: CA and NY 0.9% -> 0.9% x 7,000 = 63.00 more
    ("CA", "2024-06-01", {"futa-2024": "42.00", "futa-cr-ca-2024": "63.00"}),
    ("NY", "2024-06-01", {"futa-2024": "42.00", "futa-cr-ny-2024": "63.00"}),
    # 2025: CA 1.2% -> 1.2% x 7,000 = 84.00 more; NY repaid -> 42.00 only
    ("CA", "2025-06-07", {"futa-2024": "42.00", "futa-cr-ca-2025": "84.00"}),
    ("NY", "2025-06-07", {"futa-2024": "42.00"}),
    # 2026: CA's potential 1.5% (the statutory step; DOL's final list not read) -> 1.5% x 7,000 = 105.00
    # more; NY none shipped -> 42.00 only
    ("CA", "2026-06-06", {"futa-2024": "42.00", "futa-cr-ca-2026": "105.00"}),
    ("NY", "2026-06-06", {"futa-2024": "42.00"}),
])
def test_futa_and_credit_reductions(state: str, period_end: str, expected: dict[str, str]) -> None:
    f = price([line(period_end, "10000.00", state=state)], ("FUTA",))
    assert by_rate(f) == {k: [D(v)] for k, v in expected.items()}
    # one FUTA liability: the reduction is part of the FUTA fund (Form 940 Schedule A)
    assert set(f["fund"]) == {"FUTA"}


def test_futa_credit_reduction_counts_the_first_7000_of_the_year() -> None:
    # CA 2024: 5,000.00 then 5,000.00. Week 1: 0.6% x 5,000 = 30.00 and 0.9% x 5,000 = 45.00;
    # week 2: only 2,000.00 left of $7,000 -> 0.6% x 2,000 = 12.00 and 0.9% x 2,000 = 18.00.
    f = price([line("2024-03-02", "5000.00"), line("2024-03-09", "5000.00")], ("FUTA",))
    assert by_rate(f) == {"futa-2024": [D("30.00"), D("12.00")], "futa-cr-ca-2024": [D("45.00"), D("18.00")]}


# --- SUI: new-employer rate of the first wage base of the state's year ---------------------------

@pytest.mark.parametrize(("state", "period_end", "amount", "rate_id", "expected"), [
    # CA 3.4% of 7,000.00 = 238.00 (every year 2022-2026)
    ("CA", "2022-06-04", "10000.00", "sui-ca", "238.00"),
    ("CA", "2026-06-06", "10000.00", "sui-ca", "238.00"),
    # NY 4.1% of the year's base: 12,000 -> 492.00; 12,300 -> 504.30; 12,500 -> 512.50;
    # 12,800 -> 524.80; 17,600 -> 721.60
    ("NY", "2022-06-04", "20000.00", "sui-ny-2022", "492.00"),
    ("NY", "2023-06-03", "20000.00", "sui-ny-2023", "504.30"),
    ("NY", "2024-06-01", "20000.00", "sui-ny-2024", "512.50"),
    ("NY", "2025-06-07", "20000.00", "sui-ny-2025", "524.80"),
    ("NY", "2026-06-06", "20000.00", "sui-ny", "721.60"),
    # GA 2.7% of 9,500.00 = 256.50
    ("GA", "2023-06-03", "10000.00", "sui-ga", "256.50"),
    # NM 1.0%: 28,700 -> 287.00 (2022); 30,100 -> 301.00 (2023); 31,700 (sample base) -> 317.00
    ("NM", "2022-06-04", "40000.00", "sui-nm-2022", "287.00"),
    ("NM", "2023-06-03", "40000.00", "sui-nm-2023", "301.00"),
    ("NM", "2025-06-07", "40000.00", "sui-nm", "317.00"),
    # IL: 3.525% x 12,960 = 456.84; 3.95% x 13,271 = 524.2045 -> 524.20; 3.95% x 13,590 = 536.805 -> 536.81
    ("IL", "2022-06-04", "20000.00", "sui-il-2022", "456.84"),
    ("IL", "2023-06-03", "20000.00", "sui-il-2023", "524.20"),
    ("IL", "2024-06-01", "20000.00", "sui-il-2024", "536.81"),
    # TX 2.7% (the floor) of 9,000.00 = 243.00
    ("TX", "2024-06-01", "10000.00", "sui-tx", "243.00"),
])
def test_sui_rate_and_base(state: str, period_end: str, amount: str, rate_id: str, expected: str) -> None:
    f = price([line(period_end, amount, state=state)], ("SUI",))
    assert by_rate(f) == {rate_id: [D(expected)]}
    assert set(f["fund"]) == {state}


@pytest.mark.parametrize(("state", "period_end"), [("IL", "2025-06-07"), ("LA", "2025-06-07"),
                                                   ("CA", "2027-01-09")])
def test_sui_gaps_are_errors_not_zero(state: str, period_end: str) -> None:
    # No IL figure after 2024, no LA rate (industry average per employer), nothing after 2026.
    with pytest.raises(NoScheduleError):
        price([line(period_end, "1000.00", state=state)], ("SUI",))


# --- SAG-AFTRA theatrical, by PP date ------------------------------------------------------------

def sag(classification: str, amount: str, earning_type: str = "REG", emp: str = "P") -> dict:
    return {"employee_id": emp, "union": "SAG-AFTRA", "classification": classification, "cost_code": "1400-01",
            "state": "CA", "period_end": "2026-03-07", "earning_type": earning_type, "amount": amount}


@pytest.mark.parametrize(("pp", "perf", "bg", "resid", "supp"), [
    # PP 2017-08-01: 100,000 x 18.00% = 18,000.00; 1,000 x 17.50% = 175.00; residuals 10,000 x 17.50%
    # = 1,750.00 and 10,000 x 13.50% = 1,350.00
    (date(2017, 8, 1), "18000.00", "175.00", "1750.00", "1350.00"),
    # PP 2018-09-01: 18.50% -> 18,500.00; 18.00% -> 180.00; 18.00% -> 1,800.00; 13.50% -> 1,350.00
    (date(2018, 9, 1), "18500.00", "180.00", "1800.00", "1350.00"),
])
def test_sag_aftra_2017_and_2018_rates(pp: date, perf: str, bg: str, resid: str, supp: str) -> None:
    prod = Production(title="T", employer_code="EMP", pp_date=pp, states=("CA",))
    f = price([sag("Principal Performer", "100000.00"), sag("Background Actor", "1000.00", emp="B"),
               sag("Principal Performer", "10000.00", "RESIDUAL_THEATRICAL", emp="R"),
               sag("Principal Performer", "10000.00", "RESIDUAL_SUPP_HV", emp="S")], ("SAG-AFTRA",), prod)
    year = pp.year
    got = by_rate(f)
    assert got == {f"sag-{year}-perf": [D(perf)], f"sag-{year}-bg": [D(bg)], f"sag-{year}-resid": [D(resid)],
                   f"sag-{year}-supphv": [D(supp)]}


def test_sag_aftra_2018_ceiling() -> None:
    # PP 2018-09-01, 250,000.00 in one week: capped at 232,000.00 x 18.50% = 42,920.00.
    prod = Production(title="T", employer_code="EMP", pp_date=date(2018, 9, 1), states=("CA",))
    f = price([sag("Principal Performer", "250000.00")], ("SAG-AFTRA",), prod)
    assert by_rate(f) == {"sag-2018-perf": [D("42920.00")]}


# --- WGA: pension 8.5%, health 11.5% then 12% from 2024-05-02, $225,000 per picture ---------------

def writer(period_end: str, amount: str, emp: str) -> dict:
    return {"employee_id": emp, "union": "WGA", "classification": "Writer", "cost_code": "1100-02", "state": "CA",
            "period_end": period_end, "earning_type": "FLAT", "amount": amount}


def test_wga_health_rises_to_12_percent_on_2024_05_02() -> None:
    # Week ending 2024-04-27: 100,000 x 11.5% = 11,500.00 health, x 8.5% = 8,500.00 pension.
    # Week ending 2024-05-04 (another writer): health 12% -> 12,000.00, pension 8,500.00.
    # A third writer paid 250,000.00 in 2026: capped at 225,000.00 -> 19,125.00 and 27,000.00.
    f = price([writer("2024-04-27", "100000.00", "W1"), writer("2024-05-04", "100000.00", "W2"),
               writer("2026-06-06", "250000.00", "W3")], ("WGA",))
    got = {(r.employee_id, r.rate_id): D(str(r.contribution)) for r in f.itertuples()}
    assert got == {("W1", "wga-2019-health"): D("11500.00"), ("W1", "wga-2019-pension"): D("8500.00"),
                   ("W2", "wga-2024-health"): D("12000.00"), ("W2", "wga-2019-pension"): D("8500.00"),
                   ("W3", "wga-2024-health"): D("27000.00"), ("W3", "wga-2019-pension"): D("19125.00")}
