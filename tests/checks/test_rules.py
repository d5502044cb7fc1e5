"""Each rule module on its own small frame, expected figures worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from prodlib.checks import (
    budget_tier,
    chart_resolution,
    dga_days,
    duplicate_invoice,
    known_classification,
    make_context,
    meal_penalties,
    misclassification,
    overtime,
    pp_date,
    priceable,
    rest,
    reversals,
    scale_minimum,
    schedule_in_force,
    sixth_seventh_day,
)
from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.production import Production
from tests.payroll_frames import payroll

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",), budget_tier="low")
CTX = make_context(PROD)
GRIP = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01",
        "period_end": "2026-03-07"}
SAG = {"employee_id": "P", "union": "SAG-AFTRA", "classification": "Principal Performer", "cost_code": "1400-01",
       "period_end": "2026-03-07", "earning_type": "REG", "rate": "1246", "amount": "1246.00"}


def reg(day: str, hours: str | None, amount: str, **kw: object) -> dict:
    return {**GRIP, "work_date": day, "earning_type": "REG", "hours": hours, "rate": "45", "amount": amount, **kw}


def tc(rows: list[tuple]) -> pd.DataFrame:
    cols = ["employee_id", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in", "wrap_time"]
    df = pd.DataFrame(rows, columns=cols)
    df["work_date"] = [date.fromisoformat(d) for d in df["work_date"]]
    return df


def refused(module, frame: pd.DataFrame, context=CTX) -> list[tuple[int, str, str, str]]:
    valid, q = module.check(frame, context)
    assert tuple(q.columns) == QUARANTINE_COLUMNS
    assert len(valid) + len(q) == len(frame) and not valid.index.intersection(q.index).size
    return [(int(s), r, f, d)
            for s, r, f, d in zip(q["source_line"], q["reason"], q["field"], q["detail"], strict=True)]


def test_chart_resolution() -> None:
    # 2500-01 is a detail code; 9999-99 is not in the chart; account 2500 alone has 4 details.
    frame = pd.DataFrame({"source_line": [2, 3, 4], "cost_code": ["2500-01", "9999-99", "2500"],
                          "description": [None, None, None]})
    assert refused(chart_resolution, frame) == [
        (3, "UNKNOWN_COST_CODE", "cost_code", "cost_code='9999-99': '9999-99' is not in chart feature-us-sample"),
        (4, "AMBIGUOUS_COST_CODE", "cost_code",
         "cost_code='2500': account 2500 has 4 detail codes; the line must name one"),
    ]


def test_duplicate_invoice() -> None:
    # Lines 2-3 are invoice A-1's block; line 4 is B-9; line 5 is A-1 again in a later block; line 6 is C-7,
    # posted in an earlier batch.
    frame = pd.DataFrame({"source_line": [2, 3, 4, 5, 6],
                          "vendor_id": ["A", "A", "B", "A", "C"],
                          "invoice_number": ["1", "1", "9", "1", "7"],
                          "row_hash": ["h1", "h2", "h3", "h1", "h4"]})
    context = make_context(PROD, posted_invoices={("C", "7")})
    assert refused(duplicate_invoice, frame, context) == [
        (5, "DUPLICATE_INVOICE", "invoice_number", "invoice 1 of A appears again in this file"),
        (6, "DUPLICATE_INVOICE", "invoice_number", "invoice 7 of C was posted in an earlier batch"),
    ]
    # A line repeated verbatim inside its own block (same row hash) is a duplicate too.
    same = pd.DataFrame({"source_line": [2, 3], "vendor_id": ["A", "A"], "invoice_number": ["1", "1"],
                         "row_hash": ["h1", "h1"]})
    assert [r[0] for r in refused(duplicate_invoice, same)] == [3]


def test_known_classification() -> None:
    df = payroll([reg("2026-03-02", "8", "360.00"), {**reg("2026-03-02", "8", "360.00"), "classification": "Wizard"}])
    assert refused(known_classification, df) == [
        (3, "UNKNOWN_CLASSIFICATION", "classification", "IATSE / 'Wizard' is not a classification in the scale rules")]


def test_misclassification() -> None:
    # A grip's wages on 1400-01 (cast, above the line) are refused; per diem on 3800-03 is not wages.
    df = payroll([reg("2026-03-02", "8", "360.00", cost_code="1400-01"),
                  {**GRIP, "earning_type": "PER_DIEM", "amount": "60.00", "cost_code": "3800-03"}])
    out = refused(misclassification, df)
    assert [(s, r, f) for s, r, f, _ in out] == [(2, "MISCLASSIFIED_POSITION", "cost_code")]
    assert out[0][3].startswith("Grip (IATSE) charged to 1400-01 in section ")


def test_pp_date() -> None:
    # SAG-AFTRA picks rates by PP date; the production has none.
    no_pp = make_context(Production(title="T", employer_code="EMP", pp_date=None))
    assert refused(pp_date, payroll([SAG]), no_pp) == [
        (2, "MISSING_PP_DATE", "period_end", "production.yaml has no principal_photography date")]
    assert refused(pp_date, payroll([SAG])) == []


def test_schedule_in_force() -> None:
    # PP 2017-01-01: the SAG-AFTRA rates start 2017-07-01, so no rate is in force.
    old = make_context(Production(title="T", employer_code="EMP", pp_date=date(2017, 1, 1)))
    out = refused(schedule_in_force, payroll([SAG]), old)
    assert [(s, r, f) for s, r, f, _ in out] == [(2, "NO_SCHEDULE_IN_FORCE", "period_end")]
    assert out[0][3].startswith("no rate of plan(s) SAG-AFTRA in force for SAG-AFTRA/Principal Performer/REG/CA")


def test_priceable_needs_hours_and_work_date() -> None:
    # MPI pension is the first MPI entry and is levied per hour: a REG line without hours cannot be priced.
    df = payroll([reg("2026-03-02", None, "360.00"), reg("2026-03-02", "8", "360.00")])
    assert refused(priceable, df) == [
        (2, "MISSING_FIELD", "hours", "MPI Pension is levied per hour: hours required")]
    # An on-call (FLAT) line under a per-hour fund is credited by days: it needs its work date.
    flat = payroll([{**GRIP, "earning_type": "FLAT", "rate": "2500", "amount": "2500.00"}])
    assert refused(priceable, flat)[0][1:3] == ("MISSING_FIELD", "work_date")


def test_budget_tier() -> None:
    # The WGA writer minimum is tiered; a production without tier or total cannot pick it.
    writer = {"employee_id": "W", "union": "WGA", "classification": "Writer", "cost_code": "1100-02",
              "period_end": "2026-03-07", "earning_type": "FLAT", "rate": "80000", "amount": "80000.00"}
    untiered = make_context(Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2)))
    out = refused(budget_tier, payroll([writer]), untiered)
    assert [(s, r, f) for s, r, f, _ in out] == [(2, "BUDGET_TIER_MISSING", "budget_tier")]
    assert refused(budget_tier, payroll([writer])) == []


def test_scale_minimum() -> None:
    # Grip scale 45.00/h: rate 44 is below; without a rate, 352.00 for 8 h < 45 x 8 = 360.00; 360.00 is not;
    # a negative line is a reversal (not this rule's), an OT line is checked against timecards.
    df = payroll([{**reg("2026-03-02", "8", "352.00"), "rate": "44"},
                  {**reg("2026-03-02", "8", "352.00"), "rate": None},
                  {**reg("2026-03-02", "8", "360.00"), "rate": None},
                  {**reg("2026-03-02", "-8", "-360.00"), "rate": "1"},
                  {**GRIP, "earning_type": "OT_1_5", "hours": "2", "rate": "1", "amount": "2.00"}])
    assert refused(scale_minimum, df) == [
        (2, "BELOW_SCALE", "rate", "rate 44.0000 < scale 45.00/hour for Grip"),
        (3, "BELOW_SCALE", "amount", "352.00 for 8.0000 h < scale 45.00/hour x 8.0000 for Grip"),
    ]


def test_reversals() -> None:
    # +360 on 03-02 is reversed once by -360 on 03-02 (line 3); a second -360 (line 4) reverses nothing;
    # -100 (line 5) matches no payment of 100.
    df = payroll([reg("2026-03-02", "8", "360.00"), reg("2026-03-02", "-8", "-360.00"),
                  reg("2026-03-02", "-8", "-360.00"), reg("2026-03-02", "-2", "-100.00")])
    assert refused(reversals, df) == [
        (4, "NEGATIVE_GROSS", "amount", "amount -360.00 reverses no REG payment of 360.00 to G"),
        (5, "NEGATIVE_GROSS", "amount", "amount -100.00 reverses no REG payment of 100.00 to G"),
    ]


def test_overtime() -> None:
    # 07:00-19:30 less 30 min = 19.5 - 7.0 - 0.5 = 12.0 h: OT_1_5 4 h x 45 x 1.5 = 270.00 due, 200.00 paid.
    df = payroll([reg("2026-03-02", "8", "360.00"),
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "4", "rate": "67.5",
                   "amount": "200.00"}])
    context = make_context(PROD, timecards=tc([("G", "2026-03-02", "07:00", "13:00", "13:30", None, None, "19:30")]))
    assert refused(overtime, df, context) == [
        (3, "OVERTIME_UNDERPAID", "amount",
         "G 2026-03-02: 12.0 h worked (normal #1); OT_1_5 due 270.00 at base 45.0000, paid 200.00")]
    for other in (sixth_seventh_day, rest, meal_penalties, dga_days):
        assert refused(other, df, context) == []


def test_sixth_seventh_day() -> None:
    # Six 8 h days in the period ending 03-07: the 6th (03-07) is due 8 x 45 x 1.5 = 540.00 as SIXTH_DAY, paid 0.
    days = [f"2026-03-0{d}" for d in range(2, 8)]
    context = make_context(PROD, timecards=tc([("G", d, "07:00", "12:00", "12:30", None, None, "15:30") for d in days]))
    out = refused(sixth_seventh_day, payroll([reg(d, "8", "360.00") for d in days]), context)
    assert [(s, r) for s, r, _, _ in out] == [(7, "SIXTH_SEVENTH_DAY_UNPAID")]
    assert "SIXTH_DAY due 540.00 at base 45.0000, paid 0" in out[0][3]


def test_rest() -> None:
    # Day 1 08:00-22:00 less 1 h of meals = 13 h (paid in full); day 2 calls 06:00: 8 h rest < 10,
    # 2 h invaded x 45 x (2 - 1) = 90.00 on top of REG 360.00 -> 450.00 due, 360.00 paid.
    day1 = [reg("2026-03-02", "8", "360.00"),
            {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "4", "rate": "67.5",
             "amount": "270.00"},
            {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_2", "hours": "1", "rate": "90", "amount": "90.00"}]
    context = make_context(PROD, timecards=tc([
        ("G", "2026-03-02", "08:00", "14:00", "14:30", "20:00", "20:30", "22:00"),
        ("G", "2026-03-03", "06:00", "11:00", "11:30", None, None, "14:30")]))
    out = refused(rest, payroll([*day1, reg("2026-03-03", "8", "360.00")]), context)
    assert [(s, r) for s, r, _, _ in out] == [(5, "INVADED_REST")]
    assert out[0][3].endswith("day's wages due 450.00, paid 360.00")


def test_meal_penalties() -> None:
    # Call 06:00, meal at 13:00: due by 12:00, 1 h late = 2 half hours -> 7.50 + 10.00 = 17.50, 7.50 paid.
    df = payroll([reg("2026-03-02", "8", "360.00"),
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "OT_1_5", "hours": "2", "rate": "67.5",
                   "amount": "135.00"},
                  {**GRIP, "work_date": "2026-03-02", "earning_type": "MEAL_PENALTY", "amount": "7.50"}])
    context = make_context(PROD, timecards=tc([("G", "2026-03-02", "06:00", "13:00", "13:30", None, None, "16:30")]))
    assert refused(meal_penalties, df, context) == [
        (4, "MEAL_PENALTY_UNPAID", "amount", "G 2026-03-02: meal penalty due 17.50, paid 7.50")]


def test_dga_days() -> None:
    # 1st AD weekly 6,200.00 -> daily 6,200.00 / 5 = 1,240.00;
    # 06:00-21:30 less 30 min = 15 h > 14 -> 0.5 x 1,240 = 620.00 due.
    ad = {"employee_id": "A", "union": "DGA", "classification": "First Assistant Director", "cost_code": "2000-02",
          "period_end": "2026-03-07", "earning_type": "FLAT", "rate": "6200", "amount": "6200.00"}
    context = make_context(PROD, timecards=tc([("A", "2026-03-02", "06:00", "12:00", "12:30", None, None, "21:30")]))
    out = refused(dga_days, payroll([ad]), context)
    assert [(s, r) for s, r, _, _ in out] == [(2, "DGA_EXTENDED_WORKDAY_UNPAID")]
    assert "extended workday due 620.00 (daily 1240.00 x 0.5), paid 0" in out[0][3]


def test_quarantine_keeps_the_canonical_row() -> None:
    _, q = known_classification.check(payroll([{**reg("2026-03-02", "8", "360.00"), "classification": "Wizard"}]),
                                      CTX)
    payload = json.loads(q["payload"].iloc[0])
    assert payload["classification"] == "Wizard" and payload["amount"] == "360.00" and "row_hash" not in payload


def test_every_guild_rule_takes_an_empty_frame() -> None:
    # A payroll file whose every row ingest quarantined reaches the guild phase with no rows: each rule
    # returns nothing either side (it used to raise in priceable's shape loop).
    from prodlib.checks import make_context, rules_of

    empty = payroll([{"union": "IATSE", "classification": "Grip", "period_end": "2026-03-07",
                      "cost_code": "2500-02", "earning_type": "REG", "hours": "8", "rate": "45.00",
                      "amount": "360.00"}]).iloc[0:0]
    context = make_context(Production(title="T", pp_date=date(2026, 3, 2), states=("CA",)))
    for r in rules_of("payroll", "guild"):
        valid, quarantine = r.check(empty, context)
        assert (len(valid), len(quarantine)) == (0, 0), r.name
