"""Each guild rule with its expected figure worked out by hand in a comment."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from prodlib.guild import QUARANTINE_COLUMNS, validate_payroll
from prodlib.production import Production
from tests.payroll_frames import payroll

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",),
                       budget_tier="low")  # the writer's 80,000 flat is the low-tier minimum
GRIP = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01",
        "period_end": "2026-03-07"}


def tc(rows: list[tuple]) -> pd.DataFrame:
    cols = ["employee_id", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in", "wrap_time"]
    df = pd.DataFrame(rows, columns=cols)
    df["work_date"] = [date.fromisoformat(d) for d in df["work_date"]]
    return df


def reg(day: str, hours: str, amount: str, **kw: object) -> dict:
    return {**GRIP, "work_date": day, "earning_type": "REG", "hours": hours, "rate": "45", "amount": amount, **kw}


def reasons(df: pd.DataFrame, timecards: pd.DataFrame | None = None, prod: Production = PROD) -> dict[int, str]:
    valid, q = validate_payroll(df, timecards, prod)
    assert tuple(q.columns) == QUARANTINE_COLUMNS
    assert len(valid) + len(q) == len(df)  # conservation
    return dict(zip(q["source_line"].astype(int), q["reason"], strict=True))


def test_clean_sample_rows_pass() -> None:
    # Rate card minimums exactly: principal 1,246/day, director 23,000/week, writer 80,000 flat, grip 45/h.
    df = payroll([
        {"employee_id": "P", "union": "SAG-AFTRA", "classification": "Principal Performer", "cost_code": "1400-01",
         "period_end": "2026-03-07", "earning_type": "REG", "rate": "1246.00", "amount": "1246.00"},
        {"employee_id": "B", "union": "SAG-AFTRA", "classification": "Background Actor", "cost_code": "2100-01",
         "period_end": "2026-03-07", "earning_type": "REG", "rate": "216.00", "amount": "216.00"},
        {"employee_id": "D", "union": "DGA", "classification": "Director", "cost_code": "1300-01",
         "period_end": "2026-03-07", "earning_type": "FLAT", "rate": "23000.00", "amount": "23000.00"},
        {"employee_id": "W", "union": "WGA", "classification": "Writer", "cost_code": "1100-02",
         "period_end": "2026-03-07", "earning_type": "FLAT", "rate": "80000.00", "amount": "80000.00"},
        reg("2026-03-02", "8", "360.00"),
        {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "2", "rate": "67.5", "amount": "135.00"},
        {**GRIP, "work_date": "2026-03-02", "earning_type": "PER_DIEM", "amount": "60.00", "cost_code": "3800-03"},
    ])
    # 07:00 call, 13:00-13:30 meal, 17:30 wrap = 10 h: 8 REG + 2 OT_1_5 (2 x 67.50 = 135.00).
    assert reasons(df, tc([("G", "2026-03-02", "07:00", "13:00", "13:30", None, None, "17:30")])) == {}


def test_below_scale() -> None:
    # Grip scale 45.00/h; paid 44.00 -> BELOW_SCALE.
    df = payroll([{**reg("2026-03-02", "8", "352.00"), "rate": "44"}])
    assert reasons(df) == {2: "BELOW_SCALE"}


def test_unknown_classification_and_misclassified_position() -> None:
    df = payroll([
        {**reg("2026-03-02", "8", "360.00"), "classification": "Dolly Grip"},
        {**reg("2026-03-02", "8", "360.00"), "cost_code": "1400-01", "employee_id": "G2"},  # crew on ATL cast
        {"employee_id": "P", "union": "SAG-AFTRA", "classification": "Principal Performer", "cost_code": "2500-01",
         "period_end": "2026-03-07", "earning_type": "REG", "rate": "1246", "amount": "1246.00"},  # cast on crew
    ])
    assert reasons(df) == {2: "UNKNOWN_CLASSIFICATION", 3: "MISCLASSIFIED_POSITION", 4: "MISCLASSIFIED_POSITION"}


def test_missing_pp_date_and_no_schedule_in_force() -> None:
    sag = {"employee_id": "P", "union": "SAG-AFTRA", "classification": "Principal Performer",
           "cost_code": "1400-01", "period_end": "2026-03-07", "earning_type": "REG", "rate": "1246",
           "amount": "1246.00"}
    no_pp = Production(title="T", employer_code="EMP", pp_date=None)
    assert reasons(payroll([sag]), prod=no_pp) == {2: "MISSING_PP_DATE"}
    # PP 2017-01-01: the SAG-AFTRA file starts at 2017-07-01 -> nothing in force, never 0.00.
    old = Production(title="T", employer_code="EMP", pp_date=date(2017, 1, 1))
    valid, q = validate_payroll(payroll([sag]), None, old)
    assert q["reason"].tolist() == ["NO_SCHEDULE_IN_FORCE"] and valid.empty
    payload = json.loads(q["payload"][0])
    assert payload["amount"] == "1246.00" and payload["classification"] == "Principal Performer"


def test_negative_gross_vs_matched_reversal() -> None:
    # Line 3 reverses line 2 exactly (same person, type, date, amount): valid. Line 4 reverses nothing.
    df = payroll([reg("2026-03-02", "8", "360.00"), reg("2026-03-02", "-8", "-360.00"),
                  reg("2026-03-03", "8", "-360.00")])
    assert reasons(df) == {4: "NEGATIVE_GROSS"}


def test_overtime_underpaid() -> None:
    # 07:00-19:30 with a 30 min meal = 12 h: REG 8 x 45 = 360; OT_1_5 4 x 45 x 1.5 = 270.00 due; paid 200.00.
    df = payroll([reg("2026-03-02", "8", "360.00"),
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "4", "rate": "67.5",
                   "amount": "200.00"}])
    t = tc([("G", "2026-03-02", "07:00", "13:00", "13:30", None, None, "19:30")])
    assert reasons(df, t) == {3: "OVERTIME_UNDERPAID"}


def test_double_time_after_twelve_and_past_midnight_wrap() -> None:
    # 14:00-02:30 (next day) with a 30 min meal = 12 h -> no OT_2; 14:00-03:30 = 13 h -> OT_2 1 h x 90 = 90.00.
    df = payroll([reg("2026-03-02", "8", "360.00"),
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "4", "rate": "67.5",
                   "amount": "270.00"}])
    t = tc([("G", "2026-03-02", "14:00", "19:00", "19:30", None, None, "03:30")])
    assert reasons(df, t) == {2: "OVERTIME_UNDERPAID"}  # no OT_2 line: the day's REG line is quarantined


def test_meal_penalty_unpaid_and_paid() -> None:
    # Call 06:00, meal at 13:00: due by 12:00, 1 h late = 2 half hours -> 7.50 + 10.00 = 17.50.
    # 06:00-16:30 less 30 min = 10 h: REG 360, OT_1_5 2 x 67.50 = 135.
    base = [reg("2026-03-02", "8", "360.00"),
            {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "2", "rate": "67.5",
             "amount": "135.00"}]
    t = tc([("G", "2026-03-02", "06:00", "13:00", "13:30", None, None, "16:30")])
    assert reasons(payroll(base), t) == {2: "MEAL_PENALTY_UNPAID"}
    paid = base + [{**GRIP, "work_date": "2026-03-02", "earning_type": "MEAL_PENALTY", "amount": "17.50"}]
    assert reasons(payroll(paid), t) == {}
    short = base + [{**GRIP, "work_date": "2026-03-02", "earning_type": "MEAL_PENALTY", "amount": "7.50"}]
    assert reasons(payroll(short), t) == {4: "MEAL_PENALTY_UNPAID"}


def test_invaded_rest() -> None:
    # Day 1 wraps 22:00; day 2 calls 06:00 -> 8 h rest, 10 required -> 2 h invaded at 2x:
    # premium 2 h x 45 x (2 - 1) = 90.00 on top of day 2's REG 8 x 45 = 360 -> 450.00 due.
    day1 = [reg("2026-03-02", "8", "360.00"),
            {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "4", "rate": "67.5",
             "amount": "270.00"},
            {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_2", "hours": "1", "rate": "90",
             "amount": "90.00"}]
    t = tc([("G", "2026-03-02", "08:00", "14:00", "14:30", "20:00", "20:30", "22:00"),
            ("G", "2026-03-03", "06:00", "11:00", "11:30", None, None, "14:30")])
    # Day 1: 08:00-22:00 less two 30 min meals = 13 h: OT_1_5 4 h (270.00), OT_2 1 h x 90 = 90.00.
    unpaid = payroll(day1 + [reg("2026-03-03", "8", "360.00")])
    assert reasons(unpaid, t) == {5: "INVADED_REST"}
    paid = payroll(day1 + [reg("2026-03-03", "8", "360.00"),
                           {**GRIP, "work_date": "2026-03-03", "earning_type": "OT_2", "hours": "2", "rate": "45",
                            "amount": "90.00"}])
    assert reasons(paid, t) == {}


def test_sixth_day_premium() -> None:
    # Six 8 h days in the week of 2026-03-07; the 6th day (03-07) is due 8 x 45 x 1.5 = 540.00 as SIXTH_DAY.
    days = [f"2026-03-0{d}" for d in range(2, 8)]
    t = tc([("G", d, "07:00", "12:00", "12:30", None, None, "15:30") for d in days])
    rows = [reg(d, "8", "360.00") for d in days]
    assert reasons(payroll(rows), t) == {7: "SIXTH_SEVENTH_DAY_UNPAID"}
    rows[-1] = {**GRIP, "work_date": days[-1], "earning_type": "SIXTH_DAY", "hours": "8", "rate": "67.5",
                "amount": "540.00"}
    assert reasons(payroll(rows), t) == {}


def test_dga_extended_workday_and_turnaround() -> None:
    # 1st AD: weekly scale 6,200 -> daily 1,240. 06:00-21:30 less 30 min = 15 h > 14 -> 0.5 x 1,240 = 620.00.
    ad = {"employee_id": "A", "union": "DGA", "classification": "First Assistant Director", "cost_code": "2000-02",
          "period_end": "2026-03-07"}
    flat = {**ad, "earning_type": "FLAT", "rate": "6200", "amount": "6200.00"}
    t = tc([("A", "2026-03-02", "06:00", "12:00", "12:30", None, None, "21:30")])
    assert reasons(payroll([flat]), t) == {2: "DGA_EXTENDED_WORKDAY_UNPAID"}
    paid = [flat, {**ad, "work_date": "2026-03-02", "earning_type": "OT_1_5", "amount": "620.00"}]
    assert reasons(payroll(paid), t) == {}
    # Next day calls 08:00 after a 21:30 wrap: 10.5 h rest < 12 -> turnaround 1,240.00 due on 03-03.
    t2 = tc([("A", "2026-03-02", "06:00", "12:00", "12:30", None, None, "21:30"),
             ("A", "2026-03-03", "08:00", "13:00", "13:30", None, None, "18:00")])
    assert reasons(payroll(paid), t2) == {2: "DGA_TURNAROUND_UNPAID"}


def test_triple_time_after_fifteen_hours() -> None:
    # Call 06:00, meals 11:30-12:00 and 17:30-18:00, wrap 22:00 = 16 h less 1 h of meals = 15 h: no OT_3.
    # Wrap 23:00 instead = 16 h worked: REG 8 x 45 = 360.00, OT_1_5 4 x 67.50 = 270.00,
    # OT_2 3 x 90 = 270.00 and OT_3 (golden hours) 1 x 135 = 135.00.
    paid_to_15 = [reg("2026-03-02", "8", "360.00"),
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "4", "rate": "67.5",
                   "amount": "270.00"},
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_2", "hours": "3", "rate": "90",
                   "amount": "270.00"}]
    fifteen = tc([("G", "2026-03-02", "06:00", "11:30", "12:00", "17:30", "18:00", "22:00")])
    sixteen = tc([("G", "2026-03-02", "06:00", "11:30", "12:00", "17:30", "18:00", "23:00")])
    assert reasons(payroll(paid_to_15), fifteen) == {}
    assert reasons(payroll(paid_to_15), sixteen) == {2: "OVERTIME_UNDERPAID"}  # no OT_3 line: REG takes it
    at_double = paid_to_15 + [{**GRIP, "work_date": "2026-03-02", "earning_type": "OT_3", "hours": "1",
                               "rate": "90", "amount": "90.00"}]
    assert reasons(payroll(at_double), sixteen) == {5: "OVERTIME_UNDERPAID"}  # 90.00 < 135.00
    golden = paid_to_15 + [{**GRIP, "work_date": "2026-03-02", "earning_type": "OT_3", "hours": "1",
                            "rate": "135", "amount": "135.00"}]
    assert reasons(payroll(golden), sixteen) == {}
