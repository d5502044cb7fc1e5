"""Payroll and timecard validation against the guild rules: each failing line is quarantined with a reason.

Nothing defaults to zero: an unknown classification, a missing PP date, no schedule in force, a
tiered (WGA) minimum with no budget tier declared, a negative gross, a below-scale rate, unpaid
overtime/meal/rest/6th-7th-day/DGA premiums all send the line to the quarantine with its payload
kept; everything else is returned as ``valid``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from prodlib.columns import BOOKKEEPING, QUARANTINE_COLUMNS
from prodlib.fringes.common import debit_account
from prodlib.fringes.reference import _col, _py_date
from prodlib.guild.timecards import Day, band_hours, meal_penalty_due, parse_day
from prodlib.money import round_cents
from prodlib.production import Production
from prodlib.reasons import Reason
from prodlib.rules.plans import PlanSet, load_plans
from prodlib.rules.scale import ScaleTable, load_scale
from prodlib.rules.work import WorkRuleBook, WorkRules, load_work_rules
from prodlib.taxonomy import ChartOfAccounts, get_chart

WAGES = frozenset({"REG", "OT_1_5", "OT_2", "OT_3", "MEAL_PENALTY", "SIXTH_DAY", "SEVENTH_DAY", "FLAT"})
DAY_WAGES = frozenset({"REG", "OT_1_5", "OT_2", "OT_3", "SIXTH_DAY", "SEVENTH_DAY"})


def _dec(v: Any) -> Decimal | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, float) and v != v:
        return None
    return Decimal(str(v))


def _payload(rec: dict[str, Any]) -> str:
    return json.dumps({k: (None if v is None else str(v)) for k, v in rec.items() if k not in BOOKKEEPING},
                      sort_keys=True)


class _Flags:
    def __init__(self) -> None:
        self.first: dict[int, tuple[Reason, str, str]] = {}

    def add(self, i: int, reason: Reason, field: str, detail: str) -> None:
        self.first.setdefault(i, (reason, field, detail))


def validate_payroll(
    payroll: pd.DataFrame,
    timecards: pd.DataFrame | None,
    production: Production,
    *,
    plans: PlanSet | None = None,
    scale: ScaleTable | None = None,
    work: WorkRuleBook | None = None,
    chart: ChartOfAccounts | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split canonical payroll into (valid, quarantine); quarantine columns per ARCHITECTURE.md.

    ``production`` is a :class:`Production` or production.yaml's mapping. ``timecards`` may be
    None or empty (no timecard rules are then checked).
    """
    facts = production
    plans = plans or load_plans()
    scale = scale or load_scale()
    work = work or load_work_rules()
    chart = chart or get_chart(facts.chart)
    n = len(payroll)
    cols = list(payroll.columns)
    data = {c: _col(payroll, c) for c in cols}
    recs = [{c: data[c][i] for c in cols} for i in range(n)]
    flags = _Flags()

    for i, r in enumerate(recs):
        _check_line(i, r, facts, plans, scale, chart, flags)
    _check_reversals(recs, flags)
    if timecards is not None and len(timecards):
        _check_timecards(recs, timecards, scale, work, flags)

    bad = sorted(flags.first)
    mask = pd.Series(False, index=payroll.index)
    mask.iloc[bad] = True
    valid = payroll[~mask.to_numpy()]
    q = pd.DataFrame({
        "source_id": [str(recs[i].get("source_id", "")) for i in bad],
        "source_file": [str(recs[i].get("source_file", "")) for i in bad],
        "source_line": pd.Series([recs[i].get("source_line") for i in bad], dtype="Int64"),
        "row_hash": [str(recs[i].get("row_hash", "")) for i in bad],
        "reason": [flags.first[i][0].value for i in bad],
        "field": [flags.first[i][1] for i in bad],
        "detail": [flags.first[i][2] for i in bad],
        "payload": [_payload(recs[i]) for i in bad],
    }, columns=list(QUARANTINE_COLUMNS))
    return valid, q


def _check_line(i: int, r: dict[str, Any], facts: Production, plans: PlanSet, scale: ScaleTable,
                chart: ChartOfAccounts, flags: _Flags) -> None:
    union, cls, et = str(r.get("union")), str(r.get("classification")), str(r.get("earning_type"))
    state = str(r.get("state"))
    pe = _py_date(r.get("period_end"))
    amount = _dec(r.get("amount"))
    hours = _dec(r.get("hours"))
    rate = _dec(r.get("rate"))
    ep = r.get("episode")
    ep = "" if ep is None or (isinstance(ep, float) and ep != ep) else str(ep)
    if not scale.known(union, cls):
        flags.add(i, Reason.UNKNOWN_CLASSIFICATION, "classification",
                  f"{union} / {cls!r} is not a classification in the scale rules")
        return
    if hours is not None and hours != hours.quantize(Decimal("0.0001")):
        flags.add(i, Reason.MALFORMED_VALUE, "hours", f"hours {hours} has more than 4 decimals")
        return
    res = chart.resolve(str(r.get("cost_code")))
    if res.code is None:
        flags.add(i, res.reason, "cost_code", res.how)
        return
    sm_any = scale.charge_rule(union, cls)
    if et in WAGES:
        account = chart.account_of(res.code)
        section = chart.section_of(res.code).id
        if not sm_any.may_charge(section, account.code):
            flags.add(i, Reason.MISCLASSIFIED_POSITION, "cost_code",
                      f"{cls} ({union}) charged to {res.code} in section {section}; allowed: "
                      f"sections {sorted(sm_any.sections)} accounts {sorted(sm_any.accounts)}")
            return
        if not account.fringe_account:
            flags.add(i, Reason.MISCLASSIFIED_POSITION, "cost_code",
                      f"wages charged to {res.code}: account {account.code} carries no fringes")
            return
    pp = facts.pp_date_for(ep)
    covering = plans.covering(union, et)
    if any(p.date_basis == "pp_date" for p in covering) and pp is None:
        why = f"episode {ep!r} has no PP date in production.yaml" if ep and facts.episodes else \
            "production.yaml has no principal_photography date"
        flags.add(i, Reason.MISSING_PP_DATE, "episode" if ep else "period_end", why)
        return
    entries, missing = plans.entries_for(union, cls, et, state, pp, pe)
    if missing:
        flags.add(i, Reason.NO_SCHEDULE_IN_FORCE, "period_end",
                  f"no rate of plan(s) {', '.join(missing)} in force for {union}/{cls}/{et}/{state} "
                  f"(PP {pp}, period end {pe})")
        return
    for e in entries:
        try:
            debit_account(chart, res.code, plans.plan(e.plan))
        except ValueError as exc:
            flags.add(i, Reason.MISCLASSIFIED_POSITION, "cost_code", str(exc))
            return
        if e.kind in ("per_hour", "per_unit", "percent_of_scale") and not (e.kind == "per_hour" and et == "FLAT"):
            if hours is None:
                flags.add(i, Reason.MISSING_FIELD, "hours", f"{e.plan} {e.fund} is levied per hour: hours required")
                return
        if (e.kind == "per_day" or (e.kind == "per_hour" and et == "FLAT")) and r.get("work_date") is None:
            flags.add(i, Reason.MISSING_FIELD, "work_date", f"{e.plan} {e.fund} counts days worked: work_date required")
            return
    if et not in WAGES:
        return
    tier = facts.budget_tier
    if tier is None and scale.needs_tier(union, cls, pe):
        flags.add(i, Reason.BUDGET_TIER_MISSING, "budget_tier",
                  f"the {union}/{cls} minimum on {pe} depends on the budget tier ({', '.join(scale.tier_names)}); "
                  "production.yaml declares neither budget_tier nor budget_total")
        return
    sm = scale.lookup(union, cls, pe, tier)
    if sm is None:
        at = f" at the {tier} budget tier" if tier and scale.needs_tier(union, cls, pe) else ""
        flags.add(i, Reason.NO_SCHEDULE_IN_FORCE, "period_end", f"no scale minimum for {union}/{cls} on {pe}{at}")
        return
    if amount is None or amount < 0:
        return  # reversals are checked by _check_reversals
    if sm.unit == "hour":
        if et != "REG":
            return  # premium lines are checked against timecards
        if rate is not None:
            if rate < sm.minimum:
                flags.add(i, Reason.BELOW_SCALE, "rate", f"rate {rate} < scale {sm.minimum}/hour for {cls}")
        elif hours is not None and amount < sm.minimum * hours:
            flags.add(i, Reason.BELOW_SCALE, "amount",
                      f"{amount} for {hours} h < scale {sm.minimum}/hour x {hours} for {cls}")
    elif et in ("REG", "FLAT"):
        value, field = (rate, "rate") if rate is not None else (amount, "amount")
        if value < sm.minimum:
            work = f" ({sm.classification})" if sm.classification != cls else ""
            at = f", {sm.budget_tier} budget tier" if sm.budget_tier else ""
            flags.add(i, Reason.BELOW_SCALE, field,
                      f"{field} {value} < scale {sm.minimum}/{sm.unit} for {cls}{work}{at}")


def _check_reversals(recs: list[dict[str, Any]], flags: _Flags) -> None:
    """A negative line is a reversal only if it reverses a positive line (same person, earning type,
    pay period, work date and amount: a void carries the week ending of the check it voids); any
    other negative amount is a negative gross."""
    pos: dict[tuple, int] = defaultdict(int)
    for r in recs:
        a = _dec(r.get("amount"))
        if a is not None and a > 0:
            pos[(r.get("employee_id"), r.get("earning_type"), _py_date(r.get("period_end")),
                 _py_date(r.get("work_date")), a)] += 1
    for i, r in enumerate(recs):
        a = _dec(r.get("amount"))
        if a is None or a >= 0:
            continue
        key = (r.get("employee_id"), r.get("earning_type"), _py_date(r.get("period_end")),
               _py_date(r.get("work_date")), -a)
        if pos[key] > 0:
            pos[key] -= 1
        else:
            flags.add(i, Reason.NEGATIVE_GROSS, "amount",
                      f"amount {a} reverses no {r.get('earning_type')} payment of {-a} to {r.get('employee_id')}")


def _pick(lines: list[int], recs: list[dict[str, Any]], types: tuple[str, ...]) -> int:
    for t in types:
        for i in lines:
            if recs[i].get("earning_type") == t:
                return i
    return lines[0]


def _check_timecards(recs: list[dict[str, Any]], timecards: pd.DataFrame, scale: ScaleTable, work: WorkRuleBook,
                     flags: _Flags) -> None:
    tc = {c: _col(timecards, c) if c in timecards else [None] * len(timecards)
          for c in ("employee_id", "work_date", "call_time", "meal1_out", "meal1_in", "meal2_out", "meal2_in",
                    "wrap_time")}
    days: dict[tuple[str, date], Day] = {}
    for k in range(len(timecards)):
        wd = _py_date(tc["work_date"][k])
        try:
            d = parse_day(str(tc["employee_id"][k]), wd, tc["call_time"][k], tc["meal1_out"][k], tc["meal1_in"][k],
                          tc["meal2_out"][k], tc["meal2_in"][k], tc["wrap_time"][k])
        except (ValueError, TypeError, AttributeError):
            continue  # a malformed timecard is ingest's quarantine, not a payroll fault
        days[(d.employee_id, wd)] = d
    by_day: dict[tuple[str, date], list[int]] = defaultdict(list)
    by_period: dict[tuple[str, date], list[int]] = defaultdict(list)
    for i, r in enumerate(recs):
        wd = _py_date(r.get("work_date"))
        if wd is not None:
            by_day[(str(r.get("employee_id")), wd)].append(i)
        by_period[(str(r.get("employee_id")), _py_date(r.get("period_end")))].append(i)

    # Workweek = payroll period: rank each employee's timecard days within the period.
    per_period_days: dict[tuple[str, date], list[date]] = defaultdict(list)
    periods_of: dict[str, list[date]] = defaultdict(list)
    for emp, pe in by_period:
        periods_of[emp].append(pe)
    for (emp, wd), _d in sorted(days.items()):
        lines = by_day.get((emp, wd))
        if lines:
            per_period_days[(emp, _py_date(recs[lines[0]].get("period_end")))].append(wd)
        else:  # weekly people's lines carry no work date: the period whose week holds the day
            pe = next((p for p in sorted(periods_of.get(emp, [])) if p - timedelta(days=6) <= wd <= p), None)
            if pe is not None:
                per_period_days[(emp, pe)].append(wd)
    for (emp, pe), wds in per_period_days.items():
        plines = by_period[(emp, pe)]
        first = recs[plines[0]]
        union, cls = str(first.get("union")), str(first.get("classification"))
        for k, wd in enumerate(sorted(wds), start=1):
            rules = work.in_force(wd)  # the schedule in force on the work date, never another one
            if rules is None:
                if any(union in w.hourly_unions or (union == "DGA" and cls in w.dga_classifications)
                       for w in work.schedules):
                    flags.add((by_day.get((emp, wd)) or plines)[0], Reason.NO_SCHEDULE_IN_FORCE, "work_date",
                              f"{emp} {wd}: no timecard rules are in force on the work date")
                continue
            if union in rules.hourly_unions:
                base = next((_dec(recs[i].get("rate")) for i in plines
                             if recs[i].get("earning_type") == "REG" and recs[i].get("rate") is not None), None)
                if base is not None and by_day.get((emp, wd)):
                    _check_hourly_day(emp, wd, k, base, days, by_day[(emp, wd)], recs, rules, flags)
            elif union == "DGA" and cls in rules.dga_classifications:
                sm = scale.lookup(union, cls, pe)
                if sm is not None and sm.unit == "week":
                    _check_dga_day(emp, wd, sm.minimum / 5, days, by_day.get((emp, wd), []), plines, recs, rules,
                                   flags)


def _check_hourly_day(emp: str, wd: date, index: int, base: Decimal, days: dict, lines: list[int],
                      recs: list[dict[str, Any]], work: WorkRules, flags: _Flags) -> None:
    day: Day = days[(emp, wd)]
    kind = ("seventh_day" if index >= work.seventh_day_index else
            "sixth_day" if index >= work.sixth_day_index else "normal")
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for i in lines:
        paid[str(recs[i].get("earning_type"))] += _dec(recs[i].get("amount")) or Decimal(0)
    required: dict[str, Decimal] = defaultdict(Decimal)
    for band, h in band_hours(day.worked, work.bands[kind]):
        if h > 0:
            required[band.earning_type] += round_cents(h * base * band.multiplier)
    for band in work.bands[kind]:
        et = band.earning_type
        if (kind != "normal" or band.multiplier > 1) and required[et] > 0 and paid[et] < required[et]:
            reason = Reason.OVERTIME_UNDERPAID if kind == "normal" else Reason.SIXTH_SEVENTH_DAY_UNPAID
            flags.add(_pick(lines, recs, (et, "REG")), reason, "amount",
                      f"{emp} {wd}: {day.worked} h worked ({kind.replace('_', ' ')} #{index}); {et} due "
                      f"{required[et]} at base {base}, paid {paid[et]}")
            return
    prev = days.get((emp, wd - timedelta(days=1)))
    if prev is not None:
        rest = day.call + 24 - prev.wrap
        if rest < work.rest_min:
            invaded = min(work.rest_min - rest, day.worked)
            need = sum(required.values(), Decimal(0)) + round_cents(invaded * base * (work.invaded_multiplier - 1))
            got = sum((v for k, v in paid.items() if k in DAY_WAGES), Decimal(0))
            if got < need:
                flags.add(_pick(lines, recs, ("OT_2", "REG")), Reason.INVADED_REST, "amount",
                          f"{emp} {wd}: rest {rest} h < {work.rest_min} h; {invaded} h invaded; day's wages due "
                          f"{need}, paid {got}")
                return
    due = meal_penalty_due(day, work)
    if due > 0 and paid["MEAL_PENALTY"] < due:
        flags.add(_pick(lines, recs, ("MEAL_PENALTY", "REG")), Reason.MEAL_PENALTY_UNPAID, "amount",
                  f"{emp} {wd}: meal penalty due {due}, paid {paid['MEAL_PENALTY']}")


def _check_dga_day(emp: str, wd: date, daily: Decimal, days: dict, lines: list[int], period_lines: list[int],
                   recs: list[dict[str, Any]], work: WorkRules, flags: _Flags) -> None:
    day: Day = days[(emp, wd)]
    frac = max((f for over, f in work.dga_extended if day.worked > over), default=Decimal(0))
    owed_ext = round_cents(daily * frac)
    owed_turn = Decimal(0)
    prev = days.get((emp, wd - timedelta(days=1)))
    if prev is not None and day.call + 24 - prev.wrap < work.dga_turnaround_rest:
        owed_turn = round_cents(daily * work.dga_turnaround_fraction)
    paid = sum(((_dec(recs[i].get("amount")) or Decimal(0)) for i in lines
                if recs[i].get("earning_type") in work.dga_paid_as), Decimal(0))
    # The day's premium line if there is one, else the person's weekly line for the period.
    target = (_pick(lines, recs, tuple(sorted(work.dga_paid_as)) + ("FLAT", "REG")) if lines
              else _pick(period_lines, recs, ("FLAT", "REG")))
    if paid < owed_ext:
        flags.add(target, Reason.DGA_EXTENDED_WORKDAY_UNPAID, "amount",
                  f"{emp} {wd}: {day.worked} h worked; extended workday due {owed_ext} (daily {daily} x {frac}), "
                  f"paid {paid}")
    elif paid < owed_ext + owed_turn:
        flags.add(target, Reason.DGA_TURNAROUND_UNPAID, "amount",
                  f"{emp} {wd}: short turnaround; due {owed_ext + owed_turn} (extended {owed_ext} + turnaround "
                  f"{owed_turn}), paid {paid}")
