"""Timecards vs payroll vs rates, worked out by hand (shipped work rules, schedule sample-2024:
REG 0-8 h x1, OT_1_5 8-12 h x1.5, OT_2 12-15 h x2; IATSE is hourly).

Grip E-1, REG rate 40.00, week ending Sat 2026-03-07:
  Mon 03-02  call 07:00, meal 13:00-13:30, wrap 18:30 -> 11.0 h worked
             expected REG 8 x 40.00 = 320.00, OT_1_5 3 x 40.00 x 1.5 = 180.00: 500.00
             paid REG 320.00 + OT_1_5 180.00 = 500.00: tied
  Tue 03-03  call 07:00, meal 13:00-13:30, wrap 19:00 -> 11.5 h
             expected 320.00 + 3.5 x 60.00 = 210.00: 530.00; paid 320.00 + OT 180.00 (3 h) = 500.00: 30.00 less
  Wed 03-04  call 07:00, meal 12:00-12:30, wrap 15:30 -> 8.0 h; no pay line: TIMECARD_WITHOUT_PAY
  Thu 03-05  no timecard; paid REG 8 h 320.00: PAY_WITHOUT_TIMECARD 320.00
  Fri 03-06  call 07:00, meal 13:00-13:30, wrap 15:30 -> 8.0 h; expected 320.00; paid 320.01: one cent, tied
Grip E-2, REG rate 33.33, Mon 03-02, 10.25 h (call 06:00, meal 12:00-12:30, wrap 16:45):
  expected REG 8 x 33.33 = 266.64, OT_1_5 2.25 x 33.33 x 1.5 = 112.48875 -> 112.49: 379.13
  paid REG 266.64 + OT_1_5 112.48 = 379.12: one cent short, tied
  Tue 03-03 same card, paid 379.11: two cents short, GROSS_NOT_TIMECARD 0.02
Director D-1 (DGA, weekly FLAT, no work date) has a timecard Mon 03-02: not paid from timecards, no finding.
Held: E-3's Mon 03-02 (its REG line is in the quarantine): neither its card nor its OT line is judged.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from prodlib.money import to_money_series
from prodlib.reasons import Reason
from prodlib.reconcile.timecards import reconcile_timecards
from prodlib.rules import load_work_rules
from tests.reconcile.builders import d

D = Decimal
WE = "2026-03-07"


def _cards(*rows: tuple) -> pd.DataFrame:
    """rows: (employee_id, work_date, call, meal1_out, meal1_in, wrap)."""
    return pd.DataFrame({
        "employee_id": [r[0] for r in rows], "work_date": [d(r[1]) for r in rows],
        "call_time": [r[2] for r in rows], "meal1_out": [r[3] for r in rows], "meal1_in": [r[4] for r in rows],
        "meal2_out": [None] * len(rows), "meal2_in": [None] * len(rows), "wrap_time": [r[5] for r in rows],
        "line": [f"tc:{i + 2}" for i in range(len(rows))]})


def _pay(*rows: tuple) -> pd.DataFrame:
    """rows: (employee_id, union, work_date or "", earning_type, hours or "", rate, amount)."""
    return pd.DataFrame({
        "employee_id": [r[0] for r in rows], "union": [r[1] for r in rows], "period_end": [d(WE)] * len(rows),
        "work_date": [d(r[2]) if r[2] else None for r in rows], "earning_type": [r[3] for r in rows],
        "hours": [D(r[4]) if r[4] else None for r in rows], "rate": [D(r[5]) for r in rows],
        "amount": to_money_series([D(r[6]) for r in rows]), "line": [f"pay:{i + 2}" for i in range(len(rows))]})


CARDS = _cards(("E-1", "2026-03-02", "07:00", "13:00", "13:30", "18:30"),
               ("E-1", "2026-03-03", "07:00", "13:00", "13:30", "19:00"),
               ("E-1", "2026-03-04", "07:00", "12:00", "12:30", "15:30"),
               ("E-1", "2026-03-06", "07:00", "13:00", "13:30", "15:30"),
               ("E-2", "2026-03-02", "06:00", "12:00", "12:30", "16:45"),
               ("E-2", "2026-03-03", "06:00", "12:00", "12:30", "16:45"),
               ("D-1", "2026-03-02", "06:00", "12:00", "12:30", "20:00"),
               ("E-3", "2026-03-02", "07:00", "13:00", "13:30", "18:30"))
PAY = _pay(("E-1", "IATSE", "2026-03-02", "REG", "8", "40.00", "320.00"),
           ("E-1", "IATSE", "2026-03-02", "OT_1_5", "3", "40.00", "180.00"),
           ("E-1", "IATSE", "2026-03-03", "REG", "8", "40.00", "320.00"),
           ("E-1", "IATSE", "2026-03-03", "OT_1_5", "3", "40.00", "180.00"),
           ("E-1", "IATSE", "2026-03-05", "REG", "8", "40.00", "320.00"),
           ("E-1", "IATSE", "2026-03-06", "REG", "8", "40.00", "320.01"),
           ("E-2", "IATSE", "2026-03-02", "REG", "8", "33.33", "266.64"),
           ("E-2", "IATSE", "2026-03-02", "OT_1_5", "2.25", "33.33", "112.48"),
           ("E-2", "IATSE", "2026-03-03", "REG", "8", "33.33", "266.64"),
           ("E-2", "IATSE", "2026-03-03", "OT_1_5", "2.25", "33.33", "112.47"),
           ("D-1", "DGA", "", "FLAT", "", "5000.00", "5000.00"),
           ("E-3", "IATSE", "2026-03-02", "OT_1_5", "3", "40.00", "180.00"))


def test_the_week_hand_worked() -> None:
    r = reconcile_timecards(CARDS, PAY, load_work_rules(), held={("E-3", d("2026-03-02"))})
    got = sorted((f.reason.value, f.documents[0], f.amount) for f in r.findings)
    assert got == [("GROSS_NOT_TIMECARD", "timecard E-1/2026-03-03", D("30.00")),
                   ("GROSS_NOT_TIMECARD", "timecard E-2/2026-03-03", D("0.02")),
                   ("PAY_WITHOUT_TIMECARD", "payroll E-1/2026-03-07", D("320.00")),
                   ("TIMECARD_WITHOUT_PAY", "timecard E-1/2026-03-04", D("0.00"))]
    tue = next(f for f in r.findings if f.documents[0] == "timecard E-1/2026-03-03")
    assert dict(tue.figures) == {"expected": D("530.00"), "paid": D("500.00"), "worked_hours": D("11.5"),
                                 "base_rate": D("40.00")}
    assert "sample-2024" in tue.detail and "OT_1_5 8-12 h x 1.5" in tue.detail  # the rule that priced it
    assert tue.lines == ("tc:3", "pay:4", "pay:5")
    no_card = next(f for f in r.findings if f.reason == Reason.PAY_WITHOUT_TIMECARD)
    assert no_card.lines == ("pay:6",)
    status = {(e, str(w)): s for e, w, s in zip(r.days["employee_id"], r.days["work_date"], r.days["status"],
                                                 strict=True)}
    assert status[("E-1", "2026-03-02")] == status[("E-1", "2026-03-06")] == status[("E-2", "2026-03-02")] == "tied"
    assert ("E-3", "2026-03-02") not in status and ("D-1", "2026-03-02") not in status


def test_a_timecard_of_someone_the_payroll_never_names_is_unpaid() -> None:
    r = reconcile_timecards(_cards(("X-9", "2026-03-02", "07:00", "13:00", "13:30", "15:30")), PAY.iloc[:0],
                            load_work_rules())
    assert [(f.reason, f.lines) for f in r.findings] == [(Reason.TIMECARD_WITHOUT_PAY, ("tc:2",))]
