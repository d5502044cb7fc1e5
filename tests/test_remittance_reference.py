"""The column-at-a-time remittance files equal the row-at-a-time reference byte for byte.

``reference_reports`` below is :func:`prodlib.remittance.remittance_reports` as it was written before
it was vectorized (issue 12): a dict per fringe row, a Python sort per fund, Decimal sums per period.
Hypothesis draws fringe frames with ties in the sort keys, negative and zero amounts, SAG-AFTRA's
allocation ties (a contribution x 0.495 ending in a half cent), blank and zero hours, television rate
lines and cells a spreadsheet would run as formulas; both writers must write the same files.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodlib.money import MONEY_TYPE, round_cents
from prodlib.production import Production
from prodlib.remittance import DETAIL_COLUMNS, TOTAL_COLUMNS, _slug, due_date, remittance_reports
from prodlib.rules import load_plans, load_rules
from prodlib.rules.plans import PlanSet
from prodlib.spreadsheet import safe_row

PLANS = load_plans()


def _s(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def reference_reports(fringes: pd.DataFrame, production: Production, out_dir: str | Path, *,
                      plans: PlanSet | None = None) -> list[Path]:
    """The row-at-a-time writer as it was (a dict per fringe row), kept as the oracle."""
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


FUNDS = [("SAG-AFTRA", "P&H"), ("WGA", "Pension"), ("WGA", "Health"), ("DGA", "Basic Pension"), ("MPI", "Pension"),
         ("FICA-SS", "OASDI"), ("FUTA", "FUTA")]
TV_RATE = next(r.id for r in PLANS.plan("SAG-AFTRA").rates if r.media == frozenset({"television"}))
TEXT = st.sampled_from(["E1", "E2", "E10", "=HYPERLINK(1)", "-x", "+1", "@a", "", "Écrivain", "b,c", 'q"q'])
PERIODS = [date(2026, 1, 3), date(2026, 1, 10), date(2026, 2, 28), date(2026, 3, 7)]
CENTS = st.one_of(st.integers(-10**6, 10**6), st.sampled_from([0, 1, -1, 100, 200, -200, 300]))
UNITS = st.one_of(st.none(), st.just(0), st.integers(-10**6, 10**6))


@st.composite
def fringe_rows(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rows = []
    for _ in range(n):
        plan, fund = draw(st.sampled_from(FUNDS))
        basis = draw(st.one_of(st.none(), CENTS))
        rows.append({
            "employee_id": draw(TEXT), "plan": plan, "fund": fund,
            "rate_id": draw(st.sampled_from([TV_RATE, "r1", "r2", "=r"])), "kind": "percent",
            "contribution_type": draw(st.sampled_from(["session", "residual", "-r"])),
            "classification": draw(TEXT), "episode": draw(st.sampled_from(["", "E1", "E2"])),
            "period_end": draw(st.sampled_from(PERIODS)), "pp_date": draw(st.sampled_from(PERIODS)),
            "debit_account": draw(st.sampled_from(["1400-01", "1900-01", "=1"])), "credit_account": "x",
            "subject_gross": Decimal(draw(CENTS)).scaleb(-2),
            "basis_amount": None if basis is None else Decimal(basis).scaleb(-2),
            "basis_units": None if (u := draw(UNITS)) is None else Decimal(u).scaleb(-4),
            "rate": draw(st.sampled_from(["0.21", "-0.5", "=1", "3.25"])),
            "contribution": Decimal(draw(CENTS)).scaleb(-2), "cap_scope": "", "lines": 1,
        })
    return _frame(rows)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """compute_fringes' columns and Arrow types."""
    frame = pd.DataFrame(rows)
    types = {"subject_gross": MONEY_TYPE, "basis_amount": MONEY_TYPE, "basis_units": pa.decimal128(18, 4),
             "contribution": MONEY_TYPE, "period_end": pa.date32(), "pp_date": pa.date32(), "lines": pa.int64()}
    for c in frame.columns:
        frame[c] = pd.Series(pa.array(frame[c].tolist(), types.get(c, pa.string())),
                             dtype=pd.ArrowDtype(types.get(c, pa.string())))
    return frame


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fringes=fringe_rows(), title=st.sampled_from(["The Long Take", "=cmd", "Night, Shift"]))
def test_files_equal_the_row_reference(tmp_path_factory: Any, fringes: pd.DataFrame, title: str) -> None:
    prod = Production(title=title, employer_code="-EMP", pp_date=date(2026, 3, 2), states=("CA",))
    new, ref = tmp_path_factory.mktemp("new"), tmp_path_factory.mktemp("ref")
    paths = remittance_reports(fringes, prod, new, plans=PLANS)
    ref_paths = reference_reports(fringes, prod, ref, plans=PLANS)
    assert [p.name for p in paths] == [p.name for p in ref_paths]
    assert _files(new) == _files(ref)


def test_no_fringes_no_files(tmp_path: Path) -> None:
    prod = Production(title="T", employer_code="E", pp_date=date(2026, 3, 2), states=("CA",))
    row = {"employee_id": "E1", "plan": "WGA", "fund": "Pension", "rate_id": "r", "kind": "percent",
           "contribution_type": "session", "classification": "Writer", "episode": "", "period_end": PERIODS[0],
           "pp_date": PERIODS[0], "debit_account": "1100-02", "credit_account": "x", "subject_gross": Decimal("1.00"),
           "basis_amount": None, "basis_units": None, "rate": "0.1", "contribution": Decimal("0.10"), "cap_scope": "",
           "lines": 1}
    empty = _frame([row]).iloc[:0]
    assert remittance_reports(empty, prod, tmp_path / "out", plans=PLANS) == []
    assert (tmp_path / "out").is_dir()
