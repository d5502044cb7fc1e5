"""Remittance files: totals recomputed independently from the payroll by hand; due dates and late charges."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from prodlib.fringes import compute_fringes
from prodlib.production import Production
from prodlib.remittance import due_date, late_charge, remittance_reports
from prodlib.rules import load_plans
from tests.payroll_frames import payroll

PROD = Production(title="The Long Take (sample)", employer_code="SAMPLE-EMP-001", pp_date=date(2026, 3, 2),
                       states=("CA",))
SAG = {"union": "SAG-AFTRA", "classification": "Principal Performer", "cost_code": "1400-01", "earning_type": "REG"}


def read(p: Path) -> list[dict[str, str]]:
    with p.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sag_remittance_detail_and_totals(tmp_path: Path) -> None:
    # Week of 03-07: A 200,000 + B 1,246 -> 201,246 subject; 21% -> A 42,000.00, B 261.66 (1,246 x 0.21).
    # Week of 03-14: A 50,000 but only 32,000 under the 232,000 ceiling -> 6,720.00.
    # Total remitted: 42,000.00 + 261.66 + 6,720.00 = 48,981.66.
    # Allocation of A's first contribution: health 42,000 x 0.495 = 20,790.00, retirement 21,210.00.
    df = payroll([{**SAG, "employee_id": "A", "period_end": "2026-03-07", "amount": "200000.00"},
                  {**SAG, "employee_id": "B", "period_end": "2026-03-07", "amount": "1246.00"},
                  {**SAG, "employee_id": "A", "period_end": "2026-03-14", "amount": "50000.00"}])
    paths = remittance_reports(compute_fringes(df, PROD), PROD, tmp_path)
    names = {p.name for p in paths}
    assert "SAG_AFTRA__P_H.csv" in names and "SAG_AFTRA__P_H__totals.csv" in names
    detail = read(tmp_path / "SAG_AFTRA__P_H.csv")
    assert [(r["person_id"], r["period_end"], r["gross_subject"], r["contribution"]) for r in detail] == [
        ("A", "2026-03-07", "200000.00", "42000.00"), ("B", "2026-03-07", "1246.00", "261.66"),
        ("A", "2026-03-14", "32000.00", "6720.00")]
    assert detail[0]["health_allocation"] == "20790.00" and detail[0]["retirement_allocation"] == "21210.00"
    assert detail[0]["employer_code"] == "SAMPLE-EMP-001" and detail[0]["pp_date"] == "2026-03-02"
    assert detail[0]["session_or_residual"] == "session" and detail[0]["agreement_subtype"] == "Theatrical"
    totals = read(tmp_path / "SAG_AFTRA__P_H__totals.csv")
    assert [(t["period_end"], t["people"], t["contribution"]) for t in totals] == [
        ("2026-03-07", "2", "42261.66"), ("2026-03-14", "1", "6720.00")]
    assert sum(Decimal(t["contribution"]) for t in totals) == Decimal("48981.66")
    # Due 30 calendar days after the period end (sample terms): 2026-03-07 + 30 = 2026-04-06.
    assert totals[0]["due_date"] == "2026-04-06"


def test_late_charges_and_due_dates() -> None:
    plans = load_plans()
    sag, wga = plans.plan("SAG-AFTRA").remittance, plans.plan("WGA").remittance
    due = date(2026, 4, 6)
    # SAG-AFTRA liquidated damages: 10% after 30 days late, 20% after 60.
    assert late_charge(sag, Decimal("1000.00"), due, date(2026, 5, 6)) == Decimal("0.00")  # 30 days: not after
    assert late_charge(sag, Decimal("1000.00"), due, date(2026, 5, 7)) == Decimal("100.00")  # 31 days
    assert late_charge(sag, Decimal("1000.00"), due, date(2026, 6, 6)) == Decimal("200.00")  # 61 days
    # WGA: 10 business days after the payroll week closing Sat 2026-03-07 -> Fri 2026-03-20.
    assert due_date(wga, date(2026, 3, 7)) == date(2026, 3, 20)
    # Interest 10% a year: 1,000 x 0.10 x 73 / 365 = 20.00.
    assert late_charge(wga, Decimal("1000.00"), date(2026, 3, 20), date(2026, 6, 1)) == Decimal("20.00")


def test_television_lines_are_reported_under_the_television_agreement(tmp_path: Path) -> None:
    # A one-hour series, PP 2022-08-01: the principal's 30,000.00 on E1 is capped at the TV ceiling
    # 24,500.00 x 21% = 5,145.00, and the detail line says agreement "Television" (the plan's TV form).
    from prodlib.production import Episode

    tv = Production(title="Night Shift", employer_code="EMP-T", pp_date=date(2022, 8, 1), states=("CA",),
                    episodes=(Episode("E1", date(2022, 8, 1)),), medium="television", program_length="one_hour")
    df = payroll([{**SAG, "employee_id": "A", "period_end": "2026-03-07", "amount": "30000.00", "episode": "E1"}])
    remittance_reports(compute_fringes(df, tv), tv, tmp_path)
    (row,) = read(tmp_path / "SAG_AFTRA__P_H.csv")
    assert (row["agreement_subtype"], row["rate_id"], row["gross_subject"], row["contribution"]) == (
        "Television", "sag-tv-2022-perf-hour", "24500.00", "5145.00")
