"""The scalar reference: plain Decimal arithmetic, one payroll line at a time, dicts for groups.

Slow and obvious on purpose; the vectorized engine must equal it on every row (property tests).
Rounding: once per (employee, plan, fund, period end, unit episode), then a largest-remainder
allocation back to the rows (``prodlib.fringes.common`` documents the unit and the rule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pandas as pd
import pyarrow as pa

from prodlib.accounts import fringe_payable
from prodlib.eligibility import counts_days, coverage, debit_account, needs_hours, scale_basis
from prodlib.fringes.common import (
    CAT,
    OUTPUT_COLUMNS,
    SORT_KEYS,
    STR,
    UNITS_TYPE,
    NoScheduleError,
    rounding_episode,
    scope_key,
    to_categorical,
)
from prodlib.money import CENT, MONEY_CONTEXT, MONEY_TYPE, ZERO, round_cents
from prodlib.production import Production
from prodlib.rules.plans import PlanSet
from prodlib.rules.scale import ScaleTable
from prodlib.taxonomy import ChartOfAccounts
from prodlib.values import column_values, py_date


@dataclass(frozen=True)
class PayLine:
    idx: int
    employee_id: str
    union: str
    classification: str
    state: str
    period_end: date
    work_date: date | None
    cost_code: str
    earning_type: str
    hours: Decimal | None
    amount: Decimal
    episode: str


def lines_from_frame(df: pd.DataFrame) -> list[PayLine]:
    """Canonical payroll rows as PayLines (Decimals and dates), in frame order."""
    n = len(df)
    hours = column_values(df, "hours") if "hours" in df else [None] * n
    work = column_values(df, "work_date") if "work_date" in df else [None] * n
    episode = column_values(df, "episode") if "episode" in df else [None] * n
    cols = {c: column_values(df, c) for c in ("employee_id", "union", "classification", "state", "period_end",
                                      "cost_code", "earning_type", "amount")}
    out = []
    for i in range(n):
        h = hours[i]
        if h is not None and not isinstance(h, Decimal):
            if pd.isna(h):
                h = None
            else:
                h = Decimal(str(h))
        amt = cols["amount"][i]
        if not isinstance(amt, Decimal):
            raise TypeError(f"row {i}: amount must be exact money, not {type(amt).__name__}")
        ep = episode[i]
        out.append(PayLine(
            idx=i, employee_id=str(cols["employee_id"][i]), union=str(cols["union"][i]),
            classification=str(cols["classification"][i]), state=str(cols["state"][i]),
            period_end=py_date(cols["period_end"][i]), work_date=py_date(work[i]),
            cost_code=str(cols["cost_code"][i]), earning_type=str(cols["earning_type"][i]),
            hours=h, amount=amt, episode="" if ep is None or (not isinstance(ep, str) and pd.isna(ep)) else str(ep),
        ))
    return out


def _clamp(x: Decimal, lo: Decimal, hi: Decimal | None) -> Decimal:
    x = max(x, lo)
    return x if hi is None else min(x, hi)


def reference_fringes(
    lines: list[PayLine], production: Production, plans: PlanSet, scale: ScaleTable, chart: ChartOfAccounts
) -> pd.DataFrame:
    groups: dict[tuple, dict[str, Any]] = {}
    base: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    seen: set[tuple] = set()
    for ln in lines:
        cov = coverage(plans, production, ln.union, ln.classification, ln.earning_type, ln.state, ln.episode,
                       ln.period_end)
        pp = cov.pp_date
        if cov.missing:
            raise NoScheduleError(f"line {ln.idx}: no schedule in force for {list(cov.missing)}")
        for e in cov.entries:
            plan = plans.plan(e.plan)
            debit = debit_account(chart, ln.cost_code, plan)
            gk = (ln.employee_id, e.plan, e.fund, e.id, ln.period_end, ln.episode, ln.classification,
                  e.contribution_type, debit)
            g = groups.get(gk)
            if g is None:
                g = groups[gk] = {"e": e, "subject": ZERO, "units": Decimal(0), "flat_days": set(), "days": set(),
                                  "scale": Decimal(0), "lines": 0, "pp": pp, "bk": None}
            g["subject"] += ln.amount
            g["lines"] += 1
            # What each entry needs is prodlib.eligibility's rule; validation quarantined every line lacking it.
            if needs_hours(e, ln.earning_type) and ln.hours is None:
                raise ValueError(f"line {ln.idx}: {e.kind} rate {e.id} needs hours")
            if counts_days(e, ln.earning_type) and ln.work_date is None:
                raise ValueError(f"line {ln.idx}: {e.kind} rate {e.id} needs work_date")
            if e.kind == "per_hour" and ln.earning_type == "FLAT":
                g["flat_days"].add(ln.work_date)
            elif e.kind in ("per_hour", "per_unit"):
                g["units"] += ln.hours
            elif e.kind == "per_day":
                g["days"].add(ln.work_date)
            elif e.kind == "percent_of_scale":
                basis = scale_basis(e, plan, scale, ln.union, ln.classification, ln.earning_type, pp, ln.period_end)
                if basis is None:
                    raise ValueError(f"line {ln.idx}: percent_of_scale needs an hourly scale minimum and hours")
                sm, multiplier = basis
                g["scale"] += ln.hours * sm.minimum * multiplier
            elif e.cap is not None:
                bk = (ln.employee_id, e.cap.pool, scope_key(e.cap.scope, ln.period_end, ln.episode), ln.period_end,
                      ln.episode, ln.classification, debit, e.match_key)
                g["bk"] = bk
                if (ln.idx, e.cap.pool, e.match_key) not in seen:
                    seen.add((ln.idx, e.cap.pool, e.match_key))
                    base[bk] += ln.amount
    # Running totals per person, pool and scope key, in the documented order.
    running: dict[tuple, Decimal] = {}
    bounds: dict[tuple, tuple[Decimal, Decimal]] = {}
    for bk in sorted(base):
        before = running.get(bk[:3], ZERO)
        after = before + base[bk]
        running[bk[:3]] = after
        bounds[bk] = (before, after)

    rows: list[dict[str, Any]] = []
    units_of: dict[tuple, list[int]] = {}  # rounding unit -> its rows, in output order
    for gk in sorted(groups):
        g = groups[gk]
        e = g["e"]
        plan = plans.plan(e.plan)
        basis_amount: Decimal | None = None
        units: Decimal | None = None
        if e.kind == "percent":
            if e.cap is None:
                basis_amount = g["subject"]
            else:
                before, after = bounds[g["bk"]]
                basis_amount = (_clamp(after, e.cap.floor, e.cap.amount)
                                - _clamp(before, e.cap.floor, e.cap.amount))
            exact = MONEY_CONTEXT.multiply(basis_amount, e.rate)
        elif e.kind == "percent_of_scale":
            exact = MONEY_CONTEXT.multiply(g["scale"], e.rate)
            basis_amount = round_cents(g["scale"])  # display only
        else:
            if e.kind == "per_day":
                units = Decimal(len(g["days"]))
            else:
                units = g["units"]
                if g["flat_days"]:
                    units += plan.credited_hours(len(g["flat_days"]))
            exact = MONEY_CONTEXT.multiply(units, e.rate)
        unit = (gk[0], e.plan, e.fund, gk[4], rounding_episode(plan, e.fund, gk[5]))
        units_of.setdefault(unit, []).append(len(rows))
        rows.append({
            "employee_id": gk[0], "plan": e.plan, "fund": e.fund, "rate_id": e.id, "kind": e.kind,
            "contribution_type": e.contribution_type, "classification": gk[6], "episode": gk[5],
            "period_end": gk[4], "pp_date": g["pp"], "debit_account": gk[8],
            "credit_account": fringe_payable(e.plan), "subject_gross": g["subject"],
            "basis_amount": basis_amount, "basis_units": units, "rate": str(e.rate),
            "contribution": None, "exact": exact, "cap_scope": "" if e.cap is None else e.cap.scope,
            "lines": g["lines"],
        })
    for members in units_of.values():
        _allocate([rows[i] for i in members])
    return _frame(rows)


def _allocate(rows: list[dict[str, Any]]) -> None:
    """Round the unit's total once and hand it back to its rows (given in output order) by largest remainder."""
    exact_total = ZERO
    for r in rows:
        exact_total = MONEY_CONTEXT.add(exact_total, r["exact"])
    total = round_cents(exact_total)
    floors = [r["exact"].quantize(CENT, rounding=ROUND_FLOOR, context=MONEY_CONTEXT) for r in rows]
    missing = int(MONEY_CONTEXT.subtract(total, sum(floors, ZERO)).scaleb(2))
    if not 0 <= missing <= len(rows):
        raise ArithmeticError(f"allocation out of range: total {total}, floors {floors}")
    # Largest remainder first; equal remainders: the earlier row in output order first (sort is stable).
    remainder = [MONEY_CONTEXT.subtract(r["exact"], f) for r, f in zip(rows, floors, strict=True)]
    ranked = sorted(range(len(rows)), key=lambda i: -remainder[i])
    extra = set(ranked[:missing])
    for i, r in enumerate(rows):
        r["contribution"] = floors[i] + (CENT if i in extra else ZERO)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        from prodlib.fringes.common import empty_output
        return empty_output()
    data = {}
    for c, t in OUTPUT_COLUMNS.items():
        vals = [r[c] for r in rows]
        if c in ("subject_gross", "basis_amount", "contribution"):
            arr = pa.array([None if v is None else v.quantize(Decimal("0.01"), context=MONEY_CONTEXT) for v in vals],
                           MONEY_TYPE)
            data[c] = pd.Series(arr, dtype=t)
        elif c == "basis_units":
            data[c] = pd.Series(pa.array(vals, UNITS_TYPE), dtype=t)
        elif c in ("period_end", "pp_date"):
            data[c] = pd.Series(pa.array(vals, pa.date32()), dtype=t)
        elif c == "lines":
            data[c] = pd.Series(vals, dtype="int64")
        else:
            data[c] = pd.Series(pa.array(vals, pa.string()), dtype=STR)  # categorical once sorted
    df = pd.DataFrame(data).sort_values(SORT_KEYS, ignore_index=True, kind="stable")
    for c, t in OUTPUT_COLUMNS.items():
        if t == CAT:
            df[c] = to_categorical(df[c])
    return df
