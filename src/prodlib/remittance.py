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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.money import MONEY_TYPE, from_cents, money_to_cents, multiply_rate, round_cents
from prodlib.production import Production
from prodlib.rules.book import load_rules
from prodlib.rules.plans import PlanSet, RemittanceTerms
from prodlib.spreadsheet import safe_cell, safe_row

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


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


#: The order of a fund's detail rows: period, person, episode, rate line, classification, account.
SORT_COLUMNS = ("plan", "fund", "period_end", "employee_id", "episode", "rate_id", "classification", "debit_account")
_COLUMNS = (*SORT_COLUMNS, "pp_date", "contribution_type", "subject_gross", "basis_amount", "basis_units", "rate",
            "contribution")


def _codes(arr: pa.Array) -> np.ndarray:
    """One integer per value, equal where the values are equal (a null is a value of its own)."""
    return pc.dictionary_encode(arr, null_encoding="encode").indices.to_numpy(zero_copy_only=False)


def _cells(arr: pa.Array) -> list[Any]:
    """A column as CSV cells: text through :func:`safe_cell`, once per distinct value; null -> None (blank)."""
    enc = pc.dictionary_encode(arr)
    cells = [safe_cell(v) for v in enc.dictionary.to_pylist()]
    return [None if i is None else cells[i] for i in enc.indices.to_pylist()]


def _text(arr: pa.Array) -> pa.Array:
    """Dates as ISO text, decimals as plain decimals at their scale ("-12.50"): what ``str`` of the
    Python value writes (a date, a Decimal of the column's scale); null -> null."""
    return pc.cast(arr, pa.string())


def _money_text(arr: pa.Array) -> pa.Array:
    """Money as ``f"{amount:.2f}"`` writes it; the safe cast refuses a value with more than two decimals."""
    return _text(pc.cast(arr, MONEY_TYPE))


def _share_text(contribution: pa.Array, share: Decimal, part: pa.Array) -> pa.Array:
    """``part`` (round_cents(contribution x share)) as text, "-0.00" where the Decimal product was a negative
    zero (a negative contribution's share rounding to nothing): Decimal keeps the sign, and so do the files."""
    text = _money_text(part)
    negative = pc.less(contribution, pa.scalar(0, contribution.type))
    if share.is_signed():
        negative = pc.invert(negative)
    return pc.if_else(pc.and_(negative, pc.equal(part, pa.scalar(0, part.type))), "-0.00", text)


def _runs(starts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per run (``starts``: the first row of each run), the exact sum of ``values`` (int64 cents; Python
    integers if an int64 sum could overflow)."""
    if len(values) and int(np.abs(values).max()) * len(values) >= 2**63:
        values = values.astype(object)
    return np.add.reduceat(values, starts) if len(values) else values


def _table(fringes: pd.DataFrame) -> pa.Table:
    """The columns the files read, as one Arrow table (single chunks); the engine's categorical text
    columns decoded to their values (Arrow sorts no dictionary column)."""
    t = pa.Table.from_pandas(fringes[list(_COLUMNS)], preserve_index=False).combine_chunks()
    for i, column in enumerate(t.columns):
        if pa.types.is_dictionary(column.type):
            t = t.set_column(i, t.field(i).name, pc.cast(column, column.type.value_type))
    return t.combine_chunks()


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

    Column at a time over Arrow (a studio's payroll has 100,000s of fringe rows): one stable sort by
    (plan, fund, period end, person, episode, rate line, classification, account) puts every fund's
    rows together in its file's order, and every period of a fund together, so a fund is a slice and
    a period total a sum over a run of rows, in integer cents. Money is written as the Python
    reference wrote ``f"{Decimal:.2f}"`` and hours as ``str(Decimal)`` of their column's scale (tests
    compare the two byte for byte).
    """
    facts = production
    plans = plans or load_rules(production).plans
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not len(fringes):
        return []
    t = _table(fringes)
    t = t.take(pc.sort_indices(t, sort_keys=[(c, "ascending") for c in SORT_COLUMNS])).combine_chunks()
    plan_c, fund_c = _codes(t["plan"].chunk(0)), _codes(t["fund"].chunk(0))
    new_fund = np.r_[True, (plan_c[1:] != plan_c[:-1]) | (fund_c[1:] != fund_c[:-1])]
    bounds = [*np.flatnonzero(new_fund).tolist(), len(t)]
    period_c, person_c = _codes(t["period_end"].chunk(0)), _codes(t["employee_id"].chunk(0))
    gross_all = pc.coalesce(t["basis_amount"].chunk(0), t["subject_gross"].chunk(0))
    contribution_all = t["contribution"].chunk(0)
    paths: list[Path] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        rows = t.slice(a, b - a)
        col = {c: rows[c].chunk(0) for c in rows.column_names}
        plan_id, fund = col["plan"][0].as_py(), col["fund"][0].as_py()
        plan = plans.plan(plan_id)
        alloc = dict(plan.allocation)
        television = pa.array(sorted(r.id for r in plan.rates if r.media == frozenset({"television"})), pa.string())
        gross, contribution = gross_all.slice(a, b - a), contribution_all.slice(a, b - a)
        parts: list[pa.Array] = []
        if alloc:
            shares = list(alloc.values())
            first = multiply_rate(contribution, shares[0])
            if len(alloc) == 2:  # the second share is the remainder: the two add up to the contribution
                parts = [_share_text(contribution, shares[0], first),
                         _money_text(pc.subtract_checked(contribution, first))]
            else:
                parts = [_share_text(contribution, s, multiply_rate(contribution, s)) for s in shares]
        n = b - a
        agreement = pc.if_else(pc.is_in(col["rate_id"], value_set=television), "Television", plan.agreement_subtype)
        cells = [[safe_cell(facts.employer_code)] * n, _cells(_text(col["pp_date"])),
                 _cells(_text(col["period_end"])), [safe_cell(facts.title)] * n, _cells(col["employee_id"]),
                 _cells(col["classification"]), _cells(agreement), _cells(col["contribution_type"]),
                 [safe_cell(plan_id)] * n, [safe_cell(fund)] * n, _cells(col["rate_id"]),
                 _cells(_money_text(gross)), _cells(_text(col["basis_units"])), _cells(col["rate"]),
                 _cells(_money_text(contribution)), *(_cells(p) for p in parts)]
        detail = out / f"{_slug(plan_id)}__{_slug(fund)}.csv"
        with detail.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(DETAIL_COLUMNS + [f"{k}_allocation" for k in alloc])
            w.writerows(zip(*cells, strict=True))
        # Period totals: the rows of a period are one run, its people one run each within it (sorted).
        period, person = period_c[a:b], person_c[a:b]
        new_period = np.r_[True, period[1:] != period[:-1]]
        starts = np.flatnonzero(new_period)
        people = np.add.reduceat((new_period | np.r_[True, person[1:] != person[:-1]]).astype(np.int64), starts)
        gross_sum = _runs(starts, money_to_cents(gross))
        contribution_sum = _runs(starts, money_to_cents(contribution))
        hours: dict[int, Decimal] = {}
        run_of = np.cumsum(new_period) - 1
        units = col["basis_units"]
        for i in np.flatnonzero(pc.fill_null(pc.not_equal(units, 0), False).to_numpy(zero_copy_only=False)).tolist():
            k = int(run_of[i])  # a blank or zero hours cell adds nothing, as ``or 0`` did
            hours[k] = hours.get(k, Decimal(0)) + units[i].as_py()
        period_ends = col["period_end"].take(pa.array(starts)).to_pylist()
        tot = out / f"{_slug(plan_id)}__{_slug(fund)}__totals.csv"
        with tot.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(TOTAL_COLUMNS)
            for k, pe in enumerate(period_ends):
                w.writerow(safe_row([facts.employer_code, facts.title, plan_id, fund, pe.isoformat(),
                                     due_date(plan.remittance, pe).isoformat(), int(people[k]),
                                     f"{from_cents(int(gross_sum[k])):.2f}", f"{hours.get(k, Decimal(0))}",
                                     f"{from_cents(int(contribution_sum[k])):.2f}"]))
        paths += [detail, tot]
    return paths
