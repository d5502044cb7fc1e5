"""P&H remittance builder: tie-out to the ledger, due dates, payments and late charges, worked by hand.

Plan terms used (shipped plan files, sample figures):
  MPI        due 15 calendar days after period end; interest 10 % a year, day count 365
  SAG-AFTRA  due 30 calendar days after;            liquidated damages 10 % if > 30 days late, 20 % if > 60
  WGA        due 10 business days after;            interest 10 % a year, day count 365

Hand production (remittance totals):
  MPI Pension        2026-03-07  gross 4,000.00  contribution   276.00  due 03-22
  MPI Active Health  2026-03-07  gross 4,000.00  contribution 1,300.00  due 03-22
  SAG-AFTRA P&H      2026-03-07  gross 10,000.00 contribution 2,100.00  due 04-06
  WGA Pension        2026-03-06  gross 20,000.00 contribution 1,700.00  due: Fri 03-06 + 10 business days
                     = Mon 03-09 .. Fri 03-13 (5), Mon 03-16 .. Fri 03-20 (10) -> 2026-03-20
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pandas as pd
import pytest

from prodlib.money import MONEY_DTYPE, to_money_series
from prodlib.reports.demo import demo_fringe_ledger_lines, demo_remittance_detail, demo_remittance_totals
from prodlib.reports.pnh import parse_document_no, pnh_remittance
from prodlib.rules.plans import load_plans

PLANS = load_plans()
TOTALS = [("MPI", "Pension", "2026-03-07", "2026-03-22", "4000.00", "276.00"),
          ("MPI", "Active Health", "2026-03-07", "2026-03-22", "4000.00", "1300.00"),
          ("SAG-AFTRA", "P&H", "2026-03-07", "2026-04-06", "10000.00", "2100.00"),
          ("WGA", "Pension", "2026-03-06", "2026-03-20", "20000.00", "1700.00")]


def totals(rows=TOTALS) -> pd.DataFrame:
    return pd.DataFrame({"plan": [r[0] for r in rows], "fund": [r[1] for r in rows],
                         "period_end": [r[2] for r in rows], "due_date": [r[3] for r in rows], "people": "1",
                         "gross_subject": [r[4] for r in rows], "contribution": [r[5] for r in rows]})


def entries(rows) -> pd.DataFrame:
    """rows: (entry_id, date, account, amount debit-positive, document_no)."""
    return pd.DataFrame({"entry_id": [r[0] for r in rows], "entry_date": [r[1] for r in rows],
                         "account": [r[2] for r in rows], "amount": to_money_series([r[3] for r in rows]),
                         "document_no": [r[4] for r in rows]})


def posted(rows=TOTALS, cents_off: dict | None = None):
    """A fringe entry per totals row (debit cost, credit FRINGE_PAYABLE:<plan>), optionally off by some amount."""
    out, cents_off = [], cents_off or {}
    for i, (plan, fund, period, _due, _g, c) in enumerate(rows, start=1):
        amount = D(c) - cents_off.get((plan, fund), D(0))
        doc = f"{plan}:{fund}:{period}"
        out += [(i, period, "1900-03", str(amount), doc), (i, period, f"FRINGE_PAYABLE:{plan}", str(-amount), doc)]
    return out


def test_everything_ties_to_the_cent():
    r = pnh_remittance(totals(), entries(posted()), PLANS, "2026-03-15")
    assert r.ties and len(r.exceptions) == 0 and bool(r.funds["tie"].all())
    # 276.00 + 1,300.00 + 2,100.00 + 1,700.00 = 5,376.00 on both sides
    assert r.total_contribution == D("5376.00") == r.total_ledger
    assert r.funds["contribution"].dtype == MONEY_DTYPE and r.plans["ledger"].dtype == MONEY_DTYPE
    mpi = r.plans.set_index("plan").loc["MPI"]
    assert (mpi["funds"], mpi["periods"], D(mpi["contribution"])) == (2, 2, D("1576.00"))
    # as of 03-15 nothing is due yet (earliest due 03-20) and nothing was paid
    assert set(r.funds["status"]) == {"not yet due"} and r.total_late_charge == D("0.00")
    assert r.total_outstanding == D("5376.00")


def test_one_cent_mismatch_is_an_exception_line_naming_the_difference():
    r = pnh_remittance(totals(), entries(posted(cents_off={("MPI", "Active Health"): D("0.01")})), PLANS, "2026-03-15")
    assert not r.ties
    assert len(r.exceptions) == 1
    e = r.exceptions.iloc[0]
    assert (e["kind"], e["plan"], e["fund"], e["period_end"]) == ("remittance_vs_ledger", "MPI", "Active Health",
                                                                  date(2026, 3, 7))
    assert (D(e["remittance"]), D(e["ledger"]), D(e["difference"])) == (D("1300.00"), D("1299.99"), D("0.01"))
    assert "remittance 1,300.00, ledger 1,299.99; difference 0.01" in e["detail"]
    row = r.funds[(r.funds["plan"] == "MPI") & (r.funds["fund"] == "Active Health")].iloc[0]
    assert not row["tie"] and D(row["difference"]) == D("0.01")
    plan = r.plans.set_index("plan")
    assert not plan.loc["MPI", "tie"] and plan.loc["SAG-AFTRA", "tie"]
    assert r.total_ledger == D("5375.99")


def test_one_sided_and_unattributed_lines():
    lines = posted(TOTALS[:3]) + [  # WGA row never posted
        (10, "2026-03-14", "1900-03", "50.00", "MPI:Pension:2026-03-14"),  # in the ledger, not in the files
        (10, "2026-03-14", "FRINGE_PAYABLE:MPI", "-50.00", "MPI:Pension:2026-03-14"),
        (11, "2026-03-20", "1900-03", "12.34", "JE-77"),  # a manual accrual naming no fund
        (11, "2026-03-20", "FRINGE_PAYABLE:SAG-AFTRA", "-12.34", "JE-77"),
    ]
    r = pnh_remittance(totals(), entries(lines), PLANS, "2026-03-15")
    kinds = r.exceptions.set_index("kind")
    assert set(kinds.index) == {"missing_in_ledger", "missing_in_remittance", "unattributed_ledger"}
    assert D(kinds.loc["missing_in_ledger", "difference"]) == D("1700.00")  # 1,700.00 - 0
    assert D(kinds.loc["missing_in_remittance", "difference"]) == D("-50.00")  # 0 - 50.00
    assert D(kinds.loc["unattributed_ledger", "ledger"]) == D("12.34")
    assert "entry 11 (JE-77) 12.34" in kinds.loc["unattributed_ledger", "detail"]
    # SAG-AFTRA: remittance 2,100.00; ledger 2,100.00 + 12.34 unattributed = 2,112.34 -> difference -12.34
    sag = r.plans.set_index("plan").loc["SAG-AFTRA"]
    assert (D(sag["ledger"]), D(sag["difference"]), bool(sag["tie"])) == (D("2112.34"), D("-12.34"), False)
    # totals: remittance 5,376.00; ledger 276 + 1,300 + 50 + 2,100 + 12.34 = 3,738.34
    assert (r.total_contribution, r.total_ledger) == (D("5376.00"), D("3738.34"))


def test_detail_that_does_not_add_up_and_a_wrong_due_date():
    t = totals(TOTALS[:1])
    t.loc[0, "due_date"] = "2026-03-23"  # the plan's terms give 03-07 + 15 days = 03-22
    detail = pd.DataFrame({"plan": ["MPI", "MPI"], "fund": ["Pension", "Pension"],
                           "period_end": ["2026-03-07"] * 2, "gross_subject": ["2000.00", "2000.00"],
                           "contribution": ["138.00", "137.99"]})
    r = pnh_remittance(t, entries(posted(TOTALS[:1])), PLANS, "2026-03-15", detail=detail)
    kinds = r.exceptions.set_index("kind")
    assert set(kinds.index) == {"detail_vs_totals", "due_date"}
    assert D(kinds.loc["detail_vs_totals", "difference"]) == D("0.01")  # 276.00 - (138.00 + 137.99)
    assert "the plan's terms give 2026-03-22" in kinds.loc["due_date", "detail"]


def test_late_charges_interest_and_liquidated_damages():
    # as of 2026-05-10, nothing paid:
    # MPI Pension: due 03-22 -> 49 days late; 276.00 x 0.10 x 49 / 365 = 1,352.40 / 365 = 3.7052.. -> 3.71
    # MPI Active Health: 1,300.00 x 0.10 x 49 / 365 = 6,370 / 365 = 17.4520.. -> 17.45
    # SAG-AFTRA: due 04-06 -> 34 days late > 30: 10 % of 2,100.00 = 210.00
    # WGA: due 03-20 -> 51 days late; 1,700.00 x 0.10 x 51 / 365 = 8,670 / 365 = 23.7534.. -> 23.75
    r = pnh_remittance(totals(), entries(posted()), PLANS, "2026-05-10")
    f = r.funds.set_index(["plan", "fund"])
    assert f.loc[("MPI", "Pension"), "days_late"] == 49 and D(f.loc[("MPI", "Pension"), "late_charge"]) == D("3.71")
    assert D(f.loc[("MPI", "Active Health"), "late_charge"]) == D("17.45")
    assert f.loc[("SAG-AFTRA", "P&H"), "days_late"] == 34
    assert D(f.loc[("SAG-AFTRA", "P&H"), "late_charge"]) == D("210.00")
    assert f.loc[("WGA", "Pension"), "due_date"] == date(2026, 3, 20)
    assert D(f.loc[("WGA", "Pension"), "late_charge"]) == D("23.75")
    assert r.total_late_charge == D("254.91")  # 3.71 + 17.45 + 210.00 + 23.75
    # 65 days late (as of 06-10) crosses SAG-AFTRA's 60-day step: 20 % = 420.00
    later = pnh_remittance(totals(), entries(posted()), PLANS, "2026-06-10")
    assert D(later.funds.set_index(["plan", "fund"]).loc[("SAG-AFTRA", "P&H"), "late_charge"]) == D("420.00")
    # on the due date itself: not late
    on_due = pnh_remittance(totals(), entries(posted()), PLANS, "2026-03-22").funds.set_index(["plan", "fund"])
    assert on_due.loc[("MPI", "Pension"), "status"] == "not yet due"


def test_payments_named_fifo_and_after_the_as_of_date():
    pays = [(20, "2026-03-25", "FRINGE_PAYABLE:MPI", "1000.00", "CHK-1"),
            (20, "2026-03-25", "CASH", "-1000.00", "CHK-1"),
            (21, "2026-04-01", "FRINGE_PAYABLE:WGA", "1700.00", "WGA:Pension:2026-03-06"),
            (21, "2026-04-01", "CASH", "-1700.00", "WGA:Pension:2026-03-06"),
            (22, "2026-05-20", "FRINGE_PAYABLE:SAG-AFTRA", "2100.00", "CHK-3"),  # after the as-of date
            (22, "2026-05-20", "CASH", "-2100.00", "CHK-3")]
    r = pnh_remittance(totals(), entries(posted() + pays), PLANS, "2026-05-10")
    assert r.ties  # payments are not contributions: the tie-out is unchanged
    f = r.funds.set_index(["plan", "fund"])
    # MPI 1,000.00 naming no fund: both MPI rows are due 03-22; by fund name Active Health (1,300.00) first
    assert D(f.loc[("MPI", "Active Health"), "paid"]) == D("1000.00")
    assert D(f.loc[("MPI", "Active Health"), "outstanding"]) == D("300.00")
    # 300.00 x 0.10 x 49 / 365 = 1,470 / 365 = 4.0274.. -> 4.03
    assert D(f.loc[("MPI", "Active Health"), "late_charge"]) == D("4.03")
    assert D(f.loc[("MPI", "Pension"), "paid"]) == D("0.00")
    assert f.loc[("WGA", "Pension"), "status"] == "paid" and D(f.loc[("WGA", "Pension"), "late_charge"]) == D("0.00")
    assert D(f.loc[("SAG-AFTRA", "P&H"), "paid"]) == D("0.00")  # paid 05-20, after 05-10
    # outstanding 300.00 + 276.00 + 2,100.00 + 0 = 2,676.00
    assert r.total_outstanding == D("2676.00")
    assert D(r.plans.set_index("plan").loc["MPI", "paid"]) == D("1000.00")


def test_demo_figures():
    """The figures listed in prodlib.reports.demo's docstring, worked there by hand."""
    r = pnh_remittance(demo_remittance_totals(), demo_fringe_ledger_lines(), PLANS, "2026-04-30",
                       demo_remittance_detail())
    assert (r.total_contribution, r.total_ledger) == (D("6709.00"), D("6708.99"))
    assert list(r.exceptions["kind"]) == ["remittance_vs_ledger"]
    # outstanding 1,462.50 + 310.50 + 1,260.00; late 146.25 x 32/365 = 12.82, 31.05 x 32/365 = 2.72
    assert (r.total_outstanding, r.total_late_charge) == (D("3033.00"), D("15.54"))


def test_money_is_never_float_and_document_numbers_parse():
    bad = totals(TOTALS[:1])
    bad["contribution"] = [276.0]
    with pytest.raises(TypeError, match="float"):
        pnh_remittance(bad, None, PLANS, "2026-03-15")
    assert parse_document_no("SAG-AFTRA", "SAG-AFTRA:P&H:2026-03-07") == ("P&H", date(2026, 3, 7))
    assert parse_document_no("MPI", "MPI:Pension") is None and parse_document_no("MPI", None) is None
    assert parse_document_no("MPI", "DGA:Health:2026-03-07") is None


def test_no_remittance_files_is_reported_not_fatal():
    r = pnh_remittance(None, entries(posted(TOTALS[:1])), PLANS, "2026-03-15",
                       notes=("no remittance folder at /nowhere",))
    assert set(r.exceptions["kind"]) == {"input", "missing_in_remittance"}
    assert r.total_contribution == D("0.00") and r.total_ledger == D("276.00")
