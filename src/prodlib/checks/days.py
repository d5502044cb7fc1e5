"""The timecard day rules' shared evaluation: each employee-day of the timecards against its pay lines.

Per hourly day, in order, the first rule that fails is the day's one finding: the overtime bands
(OVERTIME_UNDERPAID, or SIXTH_SEVENTH_DAY_UNPAID on a 6th/7th day of the workweek), then the rest
before the day (INVADED_REST), then meal penalties (MEAL_PENALTY_UNPAID). DGA assistant directors'
days: extended workday, then short turnaround. Each day is checked by the work-rule schedule in force on
its work date; a day no schedule covers is NO_SCHEDULE_IN_FORCE (kept by ``schedule_in_force``).
Each rule module (overtime, sixth_seventh_day, rest, meal_penalties, dga_days) keeps the findings of
its reasons. Only the pay lines of people with timecards are read, one employee-day at a time (their bad lines are few).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from prodlib.checks.base import DAY_WAGES, CheckContext, Finding, memo_slot
from prodlib.checks.timecards import Day, day_kind, day_wages, meal_penalty_due, parse_day
from prodlib.money import round_cents
from prodlib.reasons import Reason
from prodlib.rules.work import WorkRules
from prodlib.values import column_values, py_date, py_decimal

TIMECARD_COLUMNS = ("employee_id", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in",
                    "wrap_time")
PAY_COLUMNS = ("employee_id", "union", "classification", "period_end", "work_date", "earning_type", "rate", "amount")

_DAYS = memo_slot()  # the day rules of a phase share one evaluation


def day_findings(frame: pd.DataFrame, context: CheckContext) -> list[Finding]:
    """Every employee-day's finding (at most one a day), positions into ``frame``."""
    if _DAYS and _DAYS[0][0] is frame and _DAYS[0][1] is context:
        return _DAYS[0][2]
    out = _evaluate(frame, context)
    _DAYS[:] = [(frame, context, out)]
    return out


def parse_days(timecards: pd.DataFrame) -> dict[tuple[str, date], Day]:
    """Every readable timecard of ``timecards`` as a :class:`Day`, by (employee id, work date) (an
    unreadable one is refused by ``timecard_readable`` and left out here)."""
    tc = {c: column_values(timecards, c) if c in timecards else [None] * len(timecards) for c in TIMECARD_COLUMNS}
    days: dict[tuple[str, date], Day] = {}
    for k in range(len(timecards)):
        wd = py_date(tc["work_date"][k])
        try:
            d = parse_day(str(tc["employee_id"][k]), wd, tc["call_time"][k], tc["meal1_out"][k], tc["meal1_in"][k],
                          tc["meal2_out"][k], tc["meal2_in"][k], tc["wrap_time"][k])
        except (ValueError, TypeError, AttributeError):
            continue  # refused before it gets here (checks.timecard_readable), its day's pay held (timecard_held)
        days[(d.employee_id, wd)] = d
    return days


def _pick(lines: list[int], recs: dict[int, dict[str, Any]], types: tuple[str, ...]) -> int:
    for t in types:
        for i in lines:
            if recs[i]["earning_type"] == t:
                return i
    return lines[0]


def _evaluate(frame: pd.DataFrame, context: CheckContext) -> list[Finding]:
    timecards, work, scale = context.timecards, context.work, context.scale
    if timecards is None or not len(timecards) or "employee_id" not in timecards or frame.empty:
        return []
    people = set(timecards["employee_id"].astype(str))
    mine = [int(p) for p in (frame["employee_id"].astype(str).isin(people)).to_numpy().nonzero()[0]]
    sub = frame.iloc[mine]
    cols = {c: column_values(sub, c) if c in sub else [None] * len(sub) for c in PAY_COLUMNS}
    recs = {p: {c: cols[c][k] for c in PAY_COLUMNS} for k, p in enumerate(mine)}
    days = parse_days(timecards)
    by_day: dict[tuple[str, date], list[int]] = defaultdict(list)
    by_period: dict[tuple[str, date | None], list[int]] = defaultdict(list)
    for i in mine:
        r = recs[i]
        wd = py_date(r["work_date"])
        if wd is not None:
            by_day[(str(r["employee_id"]), wd)].append(i)
        by_period[(str(r["employee_id"]), py_date(r["period_end"]))].append(i)

    # Workweek = payroll period: rank each employee's timecard days within the period.
    per_period_days: dict[tuple[str, date | None], list[date]] = defaultdict(list)
    periods_of: dict[str, list[date]] = defaultdict(list)
    for emp, pe in by_period:
        periods_of[emp].append(pe)
    for (emp, wd), _d in sorted(days.items()):
        lines = by_day.get((emp, wd))
        if lines:
            per_period_days[(emp, py_date(recs[lines[0]]["period_end"]))].append(wd)
        else:  # weekly people's lines carry no work date: the period whose week holds the day
            pe = next((p for p in sorted(periods_of.get(emp, [])) if p - timedelta(days=6) <= wd <= p), None)
            if pe is not None:
                per_period_days[(emp, pe)].append(wd)
    out: list[Finding] = []
    for (emp, pe), wds in per_period_days.items():
        plines = by_period[(emp, pe)]
        first = recs[plines[0]]
        union, cls = str(first["union"]), str(first["classification"])
        base = next((py_decimal(recs[i]["rate"]) for i in plines
                     if recs[i]["earning_type"] == "REG" and recs[i]["rate"] is not None), None)
        for k, wd in enumerate(sorted(wds), start=1):
            rules = work.in_force(wd)  # the schedule in force on the work date, never another one
            if rules is None:
                if any(union in w.hourly_unions or (union == "DGA" and cls in w.dga_classifications)
                       for w in work.schedules):
                    out.append(Finding((by_day.get((emp, wd)) or plines)[0], Reason.NO_SCHEDULE_IN_FORCE,
                                       "work_date", f"{emp} {wd}: no timecard rules are in force on the work date"))
                continue
            if union in rules.hourly_unions:
                if base is not None and by_day.get((emp, wd)):
                    out.extend(_hourly_day(emp, wd, k, base, days, by_day[(emp, wd)], recs, rules))
            elif union == "DGA" and cls in rules.dga_classifications:
                sm = scale.lookup(union, cls, pe)
                if sm is not None and sm.unit == "week":
                    out.extend(_dga_day(emp, wd, sm.minimum / 5, days, by_day.get((emp, wd), []), plines, recs,
                                        rules))
    return out


def _hourly_day(emp: str, wd: date, index: int, base: Decimal, days: dict, lines: list[int],
                recs: dict[int, dict[str, Any]], work: WorkRules) -> list[Finding]:
    day: Day = days[(emp, wd)]
    kind = day_kind(index, work)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for i in lines:
        paid[str(recs[i]["earning_type"])] += py_decimal(recs[i]["amount"]) or Decimal(0)
    required: dict[str, Decimal] = defaultdict(Decimal, day_wages(day.worked, base, work.bands[kind]))
    for band in work.bands[kind]:
        et = band.earning_type
        if (kind != "normal" or band.multiplier > 1) and required[et] > 0 and paid[et] < required[et]:
            reason = Reason.OVERTIME_UNDERPAID if kind == "normal" else Reason.SIXTH_SEVENTH_DAY_UNPAID
            return [Finding(_pick(lines, recs, (et, "REG")), reason, "amount",
                            f"{emp} {wd}: {day.worked} h worked ({kind.replace('_', ' ')} #{index}); {et} due "
                            f"{required[et]} at base {base}, paid {paid[et]}")]
    prev = days.get((emp, wd - timedelta(days=1)))
    if prev is not None:
        rest = day.call + 24 - prev.wrap
        if rest < work.rest_min:
            invaded = min(work.rest_min - rest, day.worked)
            need = sum(required.values(), Decimal(0)) + round_cents(invaded * base * (work.invaded_multiplier - 1))
            got = sum((v for k, v in paid.items() if k in DAY_WAGES), Decimal(0))
            if got < need:
                return [Finding(_pick(lines, recs, ("OT_2", "REG")), Reason.INVADED_REST, "amount",
                                f"{emp} {wd}: rest {rest} h < {work.rest_min} h; {invaded} h invaded; day's wages "
                                f"due {need}, paid {got}")]
    due = meal_penalty_due(day, work)
    if due > 0 and paid["MEAL_PENALTY"] < due:
        return [Finding(_pick(lines, recs, ("MEAL_PENALTY", "REG")), Reason.MEAL_PENALTY_UNPAID, "amount",
                        f"{emp} {wd}: meal penalty due {due}, paid {paid['MEAL_PENALTY']}")]
    return []


def _dga_day(emp: str, wd: date, daily: Decimal, days: dict, lines: list[int], period_lines: list[int],
             recs: dict[int, dict[str, Any]], work: WorkRules) -> list[Finding]:
    day: Day = days[(emp, wd)]
    frac = max((f for over, f in work.dga_extended if day.worked > over), default=Decimal(0))
    owed_ext = round_cents(daily * frac)
    owed_turn = Decimal(0)
    prev = days.get((emp, wd - timedelta(days=1)))
    if prev is not None and day.call + 24 - prev.wrap < work.dga_turnaround_rest:
        owed_turn = round_cents(daily * work.dga_turnaround_fraction)
    paid = sum(((py_decimal(recs[i]["amount"]) or Decimal(0)) for i in lines
                if recs[i]["earning_type"] in work.dga_paid_as), Decimal(0))
    # The day's premium line if there is one, else the person's weekly line for the period.
    target = (_pick(lines, recs, tuple(sorted(work.dga_paid_as)) + ("FLAT", "REG")) if lines
              else _pick(period_lines, recs, ("FLAT", "REG")))
    if paid < owed_ext:
        return [Finding(target, Reason.DGA_EXTENDED_WORKDAY_UNPAID, "amount",
                        f"{emp} {wd}: {day.worked} h worked; extended workday due {owed_ext} (daily {daily} x "
                        f"{frac}), paid {paid}")]
    if paid < owed_ext + owed_turn:
        return [Finding(target, Reason.DGA_TURNAROUND_UNPAID, "amount",
                        f"{emp} {wd}: short turnaround; due {owed_ext + owed_turn} (extended {owed_ext} + turnaround "
                        f"{owed_turn}), paid {paid}")]
    return []


def keep(frame: pd.DataFrame, context: CheckContext, reasons: tuple[Reason, ...]) -> list[Finding]:
    """The day findings of the given reasons (what one day-rule module refuses)."""
    return [f for f in day_findings(frame, context) if f.reason in reasons]
