"""Trust-fund remittance: per plan, fund and period, the detail and totals a fund expects, as CSV.

Due dates and late-payment charges come from each plan file's ``remittance`` block (data). Business
days skip weekends only (holiday calendars are not modelled). Every cell goes through
:func:`prodlib.spreadsheet.safe_row`: a title or an id that would run as a formula is written as text.
"""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from prodlib.money import round_cents
from prodlib.production import Production
from prodlib.rules.book import load_rules
from prodlib.rules.plans import PlanSet, RemittanceTerms
from prodlib.spreadsheet import safe_row

DETAIL_COLUMNS = ["employer_code", "pp_date", "period_end", "title", "person_id", "category", "agreement_subtype",
                  "session_or_residual", "plan", "fund", "rate_id", "gross_subject", "hours", "rate", "contribution"]
TOTAL_COLUMNS = ["employer_code", "title", "plan", "fund", "period_end", "due_date", "people", "gross_subject",
                 "hours", "contribution"]


def due_date(terms: RemittanceTerms, period_end: date) -> date:
    """The date a period's contributions are due."""
    if not terms.business_days:
        return period_end + timedelta(days=terms.due_days)
    d, left = period_end, terms.due_days
    while left:
        d += timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


def late_charge(terms: RemittanceTerms, amount: Decimal, due: date, paid: date) -> Decimal:
    """The plan's charge for paying ``amount`` on ``paid`` when it was due on ``due``.

    Liquidated damages: the percent of the highest step whose ``after_days`` the delay exceeds.
    Interest: amount x annual rate x days late / day count. One rounding, round_cents.
    """
    late = (paid - due).days
    if late <= 0 or terms.late_kind == "none":
        return Decimal("0.00")
    if terms.late_kind == "liquidated_damages":
        pct = max((p for after, p in terms.steps if late > after), default=Decimal(0))
        return round_cents(amount * pct)
    if terms.late_kind == "interest":
        return round_cents(amount * terms.annual_rate * late / terms.day_count)
    raise ValueError(f"unknown late charge kind {terms.late_kind!r}")


def _s(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def remittance_reports(
    fringes: pd.DataFrame, production: Production, out_dir: str | Path,
    *, plans: PlanSet | None = None,
) -> list[Path]:
    """Write ``<plan>__<fund>.csv`` (detail) and ``<plan>__<fund>__totals.csv`` per fund; return the paths.

    ``fringes`` is :func:`prodlib.fringes.compute_fringes`' output. The gross subject is the capped basis
    for percent rates and the subject gross for hourly ones (whose basis is ``hours``). SAG-AFTRA's
    detail adds the health/retirement allocation (health = round_cents(contribution x share), retirement
    the remainder, so the two add up to the contribution exactly); a line priced by a television-only
    rate entry (``media: [television]``) is reported under agreement "Television", as the plan's
    television reporting asks, any other under the plan's ``agreement_subtype``. ``plans``: the run's rule book's
    (default: the production's, :func:`prodlib.rules.load_rules`).
    """
    facts = production
    plans = plans or load_rules(production).plans
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    recs = {c: (pa.array(fringes[c]).to_pylist() if len(fringes) else []) for c in fringes.columns}
    rows = [{c: recs[c][i] for c in fringes.columns} for i in range(len(fringes))]
    paths: list[Path] = []
    keys = sorted({(r["plan"], r["fund"]) for r in rows})
    for plan_id, fund in keys:
        plan = plans.plan(plan_id)
        alloc = dict(plan.allocation)
        television = {r.id for r in plan.rates if r.media == frozenset({"television"})}
        sel = [r for r in rows if r["plan"] == plan_id and r["fund"] == fund]
        sel.sort(key=lambda r: (r["period_end"], r["employee_id"], r["episode"], r["rate_id"], r["classification"],
                                r["debit_account"]))
        extra = [f"{k}_allocation" for k in alloc]
        detail = out / f"{_slug(plan_id)}__{_slug(fund)}.csv"
        totals: dict[date, dict[str, Any]] = {}
        with detail.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(DETAIL_COLUMNS + extra)
            for r in sel:
                gross = r["basis_amount"] if r["basis_amount"] is not None else r["subject_gross"]
                c = r["contribution"]
                parts = []
                if alloc:
                    first = round_cents(c * alloc[next(iter(alloc))])
                    parts = [first, c - first] if len(alloc) == 2 else [round_cents(c * s) for s in alloc.values()]
                w.writerow(safe_row([facts.employer_code, _s(r["pp_date"]), _s(r["period_end"]), facts.title,
                                     r["employee_id"], r["classification"],
                                     "Television" if r["rate_id"] in television else plan.agreement_subtype,
                                     r["contribution_type"], plan_id, fund, r["rate_id"], f"{gross:.2f}",
                                     _s(r["basis_units"]), r["rate"], f"{c:.2f}"] + [f"{p:.2f}" for p in parts]))
                t = totals.setdefault(r["period_end"], {"people": set(), "gross": Decimal("0.00"),
                                                        "hours": Decimal(0), "contribution": Decimal("0.00")})
                t["people"].add(r["employee_id"])
                t["gross"] += gross
                t["hours"] += r["basis_units"] or 0
                t["contribution"] += c
        tot = out / f"{_slug(plan_id)}__{_slug(fund)}__totals.csv"
        with tot.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(TOTAL_COLUMNS)
            for pe in sorted(totals):
                t = totals[pe]
                w.writerow(safe_row([facts.employer_code, facts.title, plan_id, fund, pe.isoformat(),
                                     due_date(plan.remittance, pe).isoformat(), len(t["people"]),
                                     f"{t['gross']:.2f}", f"{t['hours']}", f"{t['contribution']:.2f}"]))
        paths += [detail, tot]
    return paths
