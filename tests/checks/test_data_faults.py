"""Issue 8's data faults, each rule module on a small frame; expected outcomes worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import yaml

from prodlib.checks import (
    amount_hours_rate,
    duplicate_bank_transaction,
    duplicate_budget_line,
    impossible_timecard,
    make_context,
    negative_hours,
    repeated_receipt,
    rules_of,
    run_phase,
    timecard_held,
    timecard_readable,
)
from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.errors import RuleDataError
from prodlib.money import MONEY_DTYPE, MONEY_TYPE
from prodlib.production import Production
from prodlib.rules.work import WORK_FILE, load_work_rules
from tests.payroll_frames import payroll

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",), budget_tier="low")
CTX = make_context(PROD)
GRIP = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01",
        "period_end": "2026-03-07"}


def line(day: str | None, et: str, hours: str | None, rate: str | None, amount: str, **kw: object) -> dict:
    return {**GRIP, "work_date": day, "earning_type": et, "hours": hours, "rate": rate, "amount": amount, **kw}


def refused(module, frame: pd.DataFrame, context=CTX) -> list[tuple[int, str, str, str]]:
    valid, q = module.check(frame, context)
    assert tuple(q.columns) == QUARANTINE_COLUMNS
    assert len(valid) + len(q) == len(frame) and not valid.index.intersection(q.index).size
    return [(int(s), r, f, d) for s, r, f, d in zip(q["source_line"], q["reason"], q["field"], q["detail"],
                                                    strict=True)]


def booked(rows: list[dict], money: tuple[str, ...] = ("amount",), dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """A canonical frame of any kind: bookkeeping columns, source lines from 2, money and date columns typed."""
    df = pd.DataFrame([{"source_id": "src", "source_file": "f.csv", "source_line": i + 2, "row_hash": f"h{i}", **r}
                       for i, r in enumerate(rows)])
    for c in money:
        df[c] = pd.Series(pa.array([Decimal(v) for v in df[c]], MONEY_TYPE), dtype=MONEY_DTYPE)
    for c in dates:
        df[c] = pd.Series(pa.array([date.fromisoformat(v) for v in df[c]], pa.date32()),
                          dtype=pd.ArrowDtype(pa.date32()))
    return df


def cards(rows: list[tuple]) -> pd.DataFrame:
    cols = ["employee_id", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in", "wrap_time"]
    return booked([dict(zip(cols, r, strict=True)) for r in rows], money=(), dates=("work_date",))


# --- 1. negative hours -------------------------------------------------------------------------------


def test_negative_hours_only_on_a_reversal() -> None:
    # line 2: REG 8 h x 45 = 360.00, posted.  line 3: its reversal, -8 h and -360.00: negative hours with a
    # negative amount is a reversal's mark (reversals judges whether it reverses something): passes here.
    # line 4: -8 h on +360.00: negative hours on a positive amount -> NEGATIVE_HOURS.
    # line 5: -2 h on 0.00: no reversal has a zero amount -> NEGATIVE_HOURS. line 6: hours blank: passes.
    frame = payroll([line("2026-03-03", "REG", "8", "45", "360.00"), line("2026-03-03", "REG", "-8", "45", "-360.00"),
                     line("2026-03-04", "REG", "-8", "45", "360.00"), line("2026-03-05", "REG", "-2", "45", "0.00"),
                     line(None, "KIT_RENTAL", None, None, "50.00")])
    got = refused(negative_hours, frame)
    assert [(s, r, f) for s, r, f, _ in got] == [(4, "NEGATIVE_HOURS", "hours"), (5, "NEGATIVE_HOURS", "hours")]
    assert "hours -8.0000 on an amount of 360.00" in got[0][3]


# --- 6. amount is hours x rate --------------------------------------------------------------------------


def test_amount_is_hours_times_rate_within_a_cent() -> None:
    # Multipliers from work_rules.yaml's bands: REG 1.0, OT_1_5 1.5, OT_2 2.0, SIXTH_DAY 1.5.
    # line 2: REG 8 x 45.25 = 362.00 exactly: passes.
    # line 3: OT_1_5 2.5 x 45.25 x 1.5 = 169.6875 -> 169.69 (half up); paid 169.68: one cent off: passes.
    # line 4: OT_1_5 at the premium rate as registers print it: 2 x 67.50 = 135.00: passes (k = 1).
    # line 5: OT_2 1 x 45.25 x 2 = 90.50; paid 90.48: two cents off, and 1 x 45.25 = 45.25 is not it either
    #         -> AMOUNT_NOT_HOURS_TIMES_RATE.
    # line 6: REG 8 x 45 = 360.00; paid 400.00 -> AMOUNT_NOT_HOURS_TIMES_RATE.
    # line 7: SIXTH_DAY 10 x 45 x 1.5 = 675.00: passes.  line 8: FLAT (not hourly): never checked.
    # line 9: REG with no hours (a day player's REG): not checked.
    frame = payroll([
        line("2026-03-03", "REG", "8", "45.25", "362.00"),
        line("2026-03-03", "OT_1_5", "2.5", "45.25", "169.68"),
        line("2026-03-04", "OT_1_5", "2", "67.50", "135.00"),
        line("2026-03-04", "OT_2", "1", "45.25", "90.48"),
        line("2026-03-05", "REG", "8", "45", "400.00"),
        line("2026-03-07", "SIXTH_DAY", "10", "45", "675.00"),
        line(None, "FLAT", None, "4150", "9999.00"),
        line("2026-03-06", "REG", None, "45", "1.00"),
        # line 10: 9,999,999,999 h x 9,999,999,999 = about 1e20: beyond any amount's bound (and the money
        # type's 16 integer digits): refused, not an overflow.
        line("2026-03-06", "REG", "9999999999", "9999999999", "100.00"),
    ])
    got = refused(amount_hours_rate, frame)
    assert [(s, r, f) for s, r, f, _ in got] == [(5, "AMOUNT_NOT_HOURS_TIMES_RATE", "amount"),
                                               (6, "AMOUNT_NOT_HOURS_TIMES_RATE", "amount"),
                                               (10, "AMOUNT_NOT_HOURS_TIMES_RATE", "amount")]
    assert got[0][3] == "OT_2: 1.0000 h x 45.2500 = 45.25, x 2.0 = 90.50; the line pays 90.48"
    assert got[1][3] == "REG: 8.0000 h x 45.0000 = 360.00; the line pays 400.00"


# --- 5. unreadable timecards, and the pay lines that wait with them ----------------------------------


def test_unreadable_timecard() -> None:
    # line 2: a full card: readable.  line 3: meal 1 out 12:00 with a blank meal in -> unreadable (meal1_in).
    # line 4: meal 2 in with no meal 2 out -> unreadable (meal2_out).  line 5: call "7h00" is no clock time.
    frame = cards([("G", "2026-03-03", "07:00", "12:00", "12:30", None, None, "18:00"),
                   ("G", "2026-03-04", "07:00", "12:00", None, None, None, "18:00"),
                   ("G", "2026-03-05", "07:00", "12:00", "12:30", None, "17:00", "19:00"),
                   ("G", "2026-03-06", "7h00", None, None, None, None, "18:00")])
    got = refused(timecard_readable, frame)
    assert [(s, r, f) for s, r, f, _ in got] == [(3, "TIMECARD_UNREADABLE", "meal1_in"),
                                               (4, "TIMECARD_UNREADABLE", "meal2_out"),
                                               (5, "TIMECARD_UNREADABLE", "call_time")]
    assert got[0][3] == "meal 1 has an out time and no in time (meal1_in=)"


def test_pay_lines_wait_with_their_quarantined_timecard() -> None:
    # The timecard of G for 2026-03-04 is quarantined at "tc.csv, line 3". Its day's lines (REG, OT_1_5 of
    # 03-04: lines 3, 4) wait; 03-03's line 2 does not. Weekly D (no work dates) has a held day 2026-03-05:
    # its FLAT line for the week ending 03-07 (03-01 .. 03-07 holds 03-05) waits (line 5); its FLAT line for
    # the week ending 03-14 does not (line 6); G's KIT_RENTAL without a work date is no wage: passes (7).
    held = {("G", date(2026, 3, 4)): "tc.csv, line 3: TIMECARD_UNREADABLE",
            ("D", date(2026, 3, 5)): "tc.csv, line 9: IMPOSSIBLE_TIMECARD"}
    ctx = replace(make_context(PROD), held_days=held)
    dga = {"employee_id": "D", "union": "DGA", "classification": "Second Assistant Director", "cost_code": "1600-03"}
    frame = payroll([line("2026-03-03", "REG", "8", "45", "360.00"), line("2026-03-04", "REG", "8", "45", "360.00"),
                     line("2026-03-04", "OT_1_5", "2", "45", "135.00"),
                     {**dga, "period_end": "2026-03-07", "earning_type": "FLAT", "rate": "4150", "amount": "4150.00"},
                     {**dga, "period_end": "2026-03-14", "earning_type": "FLAT", "rate": "4150", "amount": "4150.00"},
                     line(None, "KIT_RENTAL", None, None, "50.00")])
    got = refused(timecard_held, frame, ctx)
    assert [(s, r, f) for s, r, f, _ in got] == [(3, "TIMECARD_QUARANTINED", "work_date"),
                                               (4, "TIMECARD_QUARANTINED", "work_date"),
                                               (5, "TIMECARD_QUARANTINED", "work_date")]
    assert got[0][3] == "the timecard of G for 2026-03-04 is in the quarantine (tc.csv, line 3: TIMECARD_UNREADABLE)"
    assert got[2][3] == "the timecard of D for 2026-03-05 is in the quarantine (tc.csv, line 9: IMPOSSIBLE_TIMECARD)"
    # First in the guild phase: the held line's reason is the timecard, not what a later rule would say.
    _, q = run_phase(rules_of("payroll", "guild"), frame, ctx)
    assert set(q.loc[q["source_line"].isin([3, 4, 5]), "reason"]) == {"TIMECARD_QUARANTINED"}


# --- 4. impossible timecards -------------------------------------------------------------------------


def test_impossible_timecards() -> None:
    # line 2: 07:00, meal 13:00-13:30, wrap 18:30: possible.
    # line 3: meal 1 out 13:00, in 12:30 (both after call 07:00, same day): ends before it starts.
    # line 4: call 00:00, wrap 94:00: span 94 h > max_span_hours 24.
    # line 5: call 07:00 = wrap 07:00 with a meal 12:00-12:30: span 0, meals 30 min -> worked -30 min.
    # line 6: call 06:00, meal 12:00-13:00, wrap 11:00: the meal ends 13:00 after wrap 11:00.
    # line 7: night: call 18:00, meal 23:45-00:15 (00:15 is 24:15, the next day), wrap 04:00 (28:00): possible.
    frame = cards([("G", "2026-03-03", "07:00", "13:00", "13:30", None, None, "18:30"),
                   ("G", "2026-03-04", "07:00", "13:00", "12:30", None, None, "18:30"),
                   ("G", "2026-03-05", "00:00", None, None, None, None, "94:00"),
                   ("G", "2026-03-06", "07:00", "12:00", "12:30", None, None, "07:00"),
                   ("G", "2026-03-07", "06:00", "12:00", "13:00", None, None, "11:00"),
                   ("H", "2026-03-03", "18:00", "23:45", "00:15", None, None, "04:00")])
    got = refused(impossible_timecard, frame)
    assert [(s, r, f, d) for s, r, f, d in got] == [
        (3, "IMPOSSIBLE_TIMECARD", "meal1_in", "meal 1 ends (12:30) before it starts (13:00)"),
        (4, "IMPOSSIBLE_TIMECARD", "wrap_time", "call 00:00 to wrap 94:00 spans 94:00 h, more than max_span_hours 24"),
        (5, "IMPOSSIBLE_TIMECARD", "wrap_time",
         "meals of 30 min are longer than the day of 0 min (call 07:00, wrap 07:00): negative worked time"),
        (6, "IMPOSSIBLE_TIMECARD", "meal1_in", "meal 1 ends at 13:00, after wrap 11:00"),
    ]


def test_max_span_hours_is_rule_data(tmp_path: Path) -> None:
    assert load_work_rules().max_span_hours == Decimal("24")
    doc = yaml.safe_load(WORK_FILE.read_text(encoding="utf-8"))
    doc["max_span_hours"] = "16"
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    # With a 16 h bound, 06:00 .. 22:30 (16.5 h) is impossible; 06:00 .. 22:00 (16 h) is not.
    ctx = make_context(PROD, work=load_work_rules(str(path)))
    frame = cards([("G", "2026-03-03", "06:00", None, None, None, None, "22:30"),
                   ("G", "2026-03-04", "06:00", None, None, None, None, "22:00")])
    assert [s for s, *_ in refused(impossible_timecard, frame, ctx)] == [2]
    del doc["max_span_hours"]
    missing = tmp_path / "missing.yaml"  # another path: load_work_rules caches by path
    missing.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(RuleDataError, match="max_span_hours"):
        load_work_rules(str(missing))


# --- 3. duplicates ---------------------------------------------------------------------------------------


def test_repeated_receipt_quarantines_the_second_copy() -> None:
    # Lines 2 and 4: envelope ENV-1, 2026-03-03, 12.50, "Coffee": line 4 repeats line 2 -> DUPLICATE_RECEIPT.
    # Line 3: same envelope and date, 12.50, "Ice": another description: passes. Line 5: ENV-2, same
    # receipt as line 2: another envelope: passes.
    rows = [{"envelope_id": e, "custodian": "C", "receipt_date": d, "description": t, "amount": a}
            for e, d, t, a in (("ENV-1", "2026-03-03", "Coffee", "12.50"), ("ENV-1", "2026-03-03", "Ice", "12.50"),
                               ("ENV-1", "2026-03-03", "Coffee", "12.50"), ("ENV-2", "2026-03-03", "Coffee", "12.50"))]
    got = refused(repeated_receipt, booked(rows, dates=("receipt_date",)))
    assert got == [(4, "DUPLICATE_RECEIPT", "amount",
                    "envelope ENV-1: receipt of 2026-03-03 for 12.50 (Coffee) repeats line 2")]


def test_duplicate_bank_transaction_in_the_file_and_before_it() -> None:
    # T1 on lines 2 and 4: line 4 repeats it. T9 was read in an earlier bank file: line 5. T2 (line 3): new.
    rows = [{"transaction_id": t, "posted_date": "2026-03-03", "amount": a}
            for t, a in (("T1", "-100.00"), ("T2", "50.00"), ("T1", "-100.00"), ("T9", "10.00"))]
    ctx = replace(CTX, seen_bank_transactions={"T9"})
    got = refused(duplicate_bank_transaction, booked(rows, dates=("posted_date",)), ctx)
    assert got == [
        (4, "DUPLICATE_BANK_TRANSACTION", "transaction_id", "transaction T1 repeats line 2 of this file"),
        (5, "DUPLICATE_BANK_TRANSACTION", "transaction_id", "transaction T9 was read in an earlier bank file"),
    ]


def test_a_budget_code_listed_twice_holds_every_line_of_it() -> None:
    # 2500-01 on lines 2 and 4 (10,000.00 and 12,000.00): which is the budget cannot be told: both wait.
    # 2500-02 (line 3) posts.
    rows = [{"cost_code": c, "description": "", "amount": a}
            for c, a in (("2500-01", "10000.00"), ("2500-02", "5000.00"), ("2500-01", "12000.00"))]
    got = refused(duplicate_budget_line, booked(rows))
    assert got == [
        (2, "DUPLICATE_BUDGET_LINE", "cost_code", "cost code 2500-01 is listed 2 times in this budget (lines 2, 4); "
                                                  "amount 10000.00"),
        (4, "DUPLICATE_BUDGET_LINE", "cost_code", "cost code 2500-01 is listed 2 times in this budget (lines 2, 4); "
                                                  "amount 12000.00"),
    ]


def test_an_empty_payroll_passes_every_guild_rule() -> None:
    # Every line of a payroll file refused by ingest leaves an empty frame; the guild phase must accept it
    # (priceable used to zip one empty shape part against no shapes and raise).
    frame = payroll([line("2026-03-03", "REG", "8", "45", "360.00")]).iloc[:0]
    valid, q = run_phase(rules_of("payroll", "guild"), frame, CTX)
    assert valid.empty and q.empty
