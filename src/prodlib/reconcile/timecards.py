"""Timecards against payroll against the rates: every day worked is paid, every hourly pay line has its
day, and the day's gross is what its hours earn.

For the hourly unions (``work_rules.yaml``'s ``hourly_unions`` of the schedule in force on the work
date), per employee-day:

- a timecard with no hourly pay line (REG, OT_1_5, OT_2, OT_3, SIXTH_DAY, SEVENTH_DAY) of its
  employee and date is ``TIMECARD_WITHOUT_PAY`` (a timecard whose employee the payroll never names
  is one too, whatever the union);
- hourly pay lines with hours and no timecard of their employee and date are ``PAY_WITHOUT_TIMECARD``
  (the day's lines, one finding);
- both present: the expected gross is the day's worked hours (wrap - call - meals) through the bands
  of the schedule in force (normal, 6th or 7th day of the workweek = payroll period) at the person's
  REG rate of the period, rounded per band: :func:`prodlib.checks.timecards.day_wages`, the calculator
  the overtime rules use. Paid is the day's lines of the band earning types. More than a cent apart
  either way is ``GROSS_NOT_TIMECARD``, showing both figures and the schedule and bands that produced
  the expected one. Meal penalties, rest and DGA premiums are the pipeline's day rules, not compared.

A day whose timecard or any pay line is in the quarantine (``held``) is not judged: it waits in the
queue already. Amounts are exact (Decimal).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.checks.amount_hours_rate import HOURLY_EARNINGS
from prodlib.checks.days import parse_days
from prodlib.checks.timecards import day_kind, day_wages
from prodlib.money import CENT, cents_to_money, money_to_cents
from prodlib.reasons import Reason
from prodlib.reconcile.findings import Finding
from prodlib.rules.work import WorkRuleBook, WorkRules
from prodlib.values import column_values, py_date, py_decimal

#: Columns this module reads of the pay lines (canonical ``payroll`` columns plus ``line``).
PAY_COLUMNS = ("employee_id", "union", "period_end", "work_date", "earning_type", "hours", "rate", "amount", "line")


@dataclass(frozen=True)
class TimecardReconciliation:
    """What the timecard-vs-payroll run produced.

    Attributes:
      days: one row per employee-day judged: employee_id, work_date, period_end, worked (hours),
        expected, paid, difference (paid - expected), status (tied | differs | no_pay | no_timecard).
      findings: every finding, in (employee, date) order.
    """

    days: pd.DataFrame
    findings: tuple[Finding, ...]


def _bands_text(rules: WorkRules, kind: str) -> str:
    parts = [f"{b.earning_type} {b.start}-{'' if b.end is None else b.end} h x {b.multiplier}"
             for b in rules.bands[kind]]
    return (f"work_rules schedule {rules.id or rules.effective_from} ({rules.source}; "
            f"{'verified' if rules.verified else 'not verified'}), {kind.replace('_', ' ')}: " + ", ".join(parts))


def reconcile_timecards(timecards: pd.DataFrame, pay: pd.DataFrame, work: WorkRuleBook,
                        held: set[tuple[str, date]] | frozenset = frozenset()) -> TimecardReconciliation:
    """Timecards (``checks.days.TIMECARD_COLUMNS`` + ``line``) against pay lines (:data:`PAY_COLUMNS`)."""
    if not {"employee_id", "work_date", "line"} <= set(timecards.columns):
        timecards = pd.DataFrame({c: pd.Series(dtype=object) for c in ("employee_id", "work_date", "line")})
    if not {"employee_id", "earning_type", "amount"} <= set(pay.columns):
        pay = pd.DataFrame({c: pd.Series(dtype=object) for c in PAY_COLUMNS})
    days = parse_days(timecards)
    card_line = {}
    for e, w, ln in zip(column_values(timecards, "employee_id"), column_values(timecards, "work_date"),
                        column_values(timecards, "line"), strict=True):
        card_line.setdefault((str(e), py_date(w)), str(ln))
    cols = {c: column_values(pay, c) if c in pay else [None] * len(pay) for c in PAY_COLUMNS}
    union_of: dict[str, str] = {}
    by_day: dict[tuple[str, date], list[int]] = defaultdict(list)
    base_of: dict[tuple[str, date | None], Decimal] = {}
    period_of: dict[tuple[str, date], date | None] = {}
    for k in range(len(pay)):
        emp, et = str(cols["employee_id"][k]), str(cols["earning_type"][k])
        union_of.setdefault(emp, str(cols["union"][k]))
        pe, wd = py_date(cols["period_end"][k]), py_date(cols["work_date"][k])
        if et == "REG" and cols["rate"][k] is not None and not pd.isna(cols["rate"][k]):
            base_of.setdefault((emp, pe), py_decimal(cols["rate"][k]))
        hours = cols["hours"][k]
        if et in HOURLY_EARNINGS and wd is not None and hours is not None and not pd.isna(hours):
            by_day[(emp, wd)].append(k)
            period_of[(emp, wd)] = pe

    def hourly(emp: str, wd: date) -> WorkRules | None:
        rules = work.in_force(wd)
        return rules if rules is not None and union_of.get(emp) in rules.hourly_unions else None

    rows: list[tuple] = []
    findings: list[Finding] = []
    # Rank each employee's timecard days within their payroll period (the workweek).
    ranked: dict[tuple[str, date], int] = {}
    per_period: dict[tuple[str, date | None], list[date]] = defaultdict(list)
    for (emp, wd) in sorted(days):
        if (emp, wd) in period_of:
            per_period[(emp, period_of[(emp, wd)])].append(wd)
    for (emp, _), wds in per_period.items():
        for i, wd in enumerate(sorted(wds), start=1):
            ranked[(emp, wd)] = i
    for key in sorted(set(days) | set(by_day)):
        emp, wd = key
        if key in held:
            continue
        lines = by_day.get(key, [])
        paid = sum((py_decimal(cols["amount"][k]) for k in lines), Decimal(0))
        pay_lines = tuple(sorted(str(cols["line"][k]) for k in lines))
        pe = period_of.get(key)
        docs = (f"timecard {emp}/{wd}", *((f"payroll {emp}/{pe}",) if lines else ()))
        if key in days and not lines:
            if emp in union_of and hourly(emp, wd) is None:
                continue  # not paid from timecards (a weekly deal): the day rules judge it, not this
            findings.append(Finding(
                "timecard", Reason.TIMECARD_WITHOUT_PAY, Decimal("0.00"), docs[:1],
                f"{emp} worked {wd} ({days[key].worked} h on the timecard) and no hourly pay line pays the day",
                (("worked_hours", days[key].worked),), (card_line.get(key, ""),)))
            rows.append((emp, wd, None, days[key].worked, None, Decimal("0.00"), None, "no_pay"))
            continue
        if key not in days:
            if hourly(emp, wd) is None:
                continue
            findings.append(Finding(
                "timecard", Reason.PAY_WITHOUT_TIMECARD, abs(paid), (f"payroll {emp}/{pe}",),
                f"{emp} is paid {paid} in hourly lines for {wd} and has no timecard for the day",
                (("paid", paid),), pay_lines))
            rows.append((emp, wd, pe, None, None, paid, None, "no_timecard"))
            continue
        rules = hourly(emp, wd)
        base = base_of.get((emp, pe))
        if rules is None or base is None:
            continue  # no hourly schedule, or no REG rate to price the day at: the pipeline's rules say so
        kind = day_kind(ranked.get(key, 1), rules)
        due = day_wages(days[key].worked, base, rules.bands[kind])
        expected = sum(due.values(), Decimal("0.00"))
        diff = paid - expected
        status = "differs" if abs(diff) > CENT else "tied"
        rows.append((emp, wd, pe, days[key].worked, expected, paid, diff, status))
        if status == "differs":
            how = ", ".join(f"{t} {v}" for t, v in due.items())
            findings.append(Finding(
                "timecard", Reason.GROSS_NOT_TIMECARD, abs(diff), docs,
                f"{emp} {wd}: {days[key].worked} h on the timecard at base {base} earn {expected} ({how}); the "
                f"payroll pays {paid}, {abs(diff)} {'more' if diff > 0 else 'less'}; expected by "
                f"{_bands_text(rules, kind)}",
                (("expected", expected), ("paid", paid), ("worked_hours", days[key].worked), ("base_rate", base)),
                (card_line.get(key, ""), *pay_lines)))
    frame = pd.DataFrame({
        "employee_id": pd.Series([r[0] for r in rows], dtype=object),
        "work_date": pd.Series([r[1] for r in rows], dtype=object),
        "period_end": pd.Series([r[2] for r in rows], dtype=object),
        "worked": pd.Series([r[3] for r in rows], dtype=object),
        "expected": pd.Series([r[4] for r in rows], dtype=object),
        "paid": cents_to_money(money_to_cents(pd.Series([r[5] for r in rows], dtype=object)) if rows else []),
        "difference": pd.Series([r[6] for r in rows], dtype=object),
        "status": pd.Series([r[7] for r in rows], dtype=object),
    })
    return TimecardReconciliation(frame, tuple(findings))
