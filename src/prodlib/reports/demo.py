"""A tiny built-in demo production: what the report notebooks show when no database is given.

It lets every notebook run with its default parameters (nbval, a first look in JupyterLab) without
a database, and every figure here is small enough to check by hand (tests/reports do). Reports built
from it are stamped "DEMO DATA": it is not a production.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from prodlib.money import to_money_series

DEMO_TITLE = "Demo production (built-in sample, not real data)"
DEMO_BUDGET_VERSION = "DEMO-BV-1"


def _frame(rows: list[tuple[str, str]], key: str = "cost_code") -> pd.DataFrame:
    return pd.DataFrame({key: pd.Series([r[0] for r in rows], dtype="string"),
                         "amount": to_money_series([r[1] for r in rows])})


def demo_budget() -> pd.DataFrame:
    """Locked budget by detail code. Total 361,500.00 (ATL 210,000; BTL 76,000; post 35,000;
    other 1,500; contingency 30,000; bond 9,000)."""
    return _frame([
        ("1100-01", "50000.00"), ("1400-01", "120000.00"), ("1400-02", "15000.00"), ("1900-02", "25000.00"),
        ("2500-02", "40000.00"), ("2500-03", "6000.00"), ("3200-02", "30000.00"),
        ("5000-01", "35000.00"), ("6800-04", "1500.00"), ("8000-01", "30000.00"), ("8100-01", "9000.00"),
    ])


def demo_actuals() -> pd.DataFrame:
    """Posted cost by detail code, with a credit note (2500-02) and an unbudgeted account (3700)."""
    return _frame([
        ("1100-01", "50000.00"), ("1400-01", "80000.00"), ("1400-02", "18250.00"), ("1900-02", "19412.50"),
        ("2500-02", "42310.75"), ("2500-02", "-1200.00"), ("2500-03", "3150.20"), ("3700-01", "2845.60"),
        ("5000-01", "7000.00"), ("6800-04", "212.35"),
    ])


def demo_commitments() -> pd.DataFrame:
    """Open purchase orders by detail code."""
    return _frame([("1400-01", "30000.00"), ("2500-02", "5000.00"), ("3200-02", "12500.00")])


def demo_efc() -> pd.DataFrame:
    """The accountant's estimate for Editorial: the editor's contract was extended."""
    return _frame([("5000", "38000.00")], key="account")


def demo_quarantine() -> pd.DataFrame:
    """Quarantined rows as the ledger returns them (the contract's quarantine columns)."""
    rows = [
        ("acme_grip", "invoices/acme_grip.csv", 17, "MALFORMED_AMOUNT", "amount",
         "'12,3x.00' is not a US-format amount",
         {"Invoice #": "A-1017", "Amount": "12,3x.00"}),
        ("acme_grip", "invoices/acme_grip.csv", 42, "DUPLICATE_INVOICE", "invoice_number",
         "invoice A-1002 was already posted from line 3", {"Invoice #": "A-1002", "Amount": "$1,250.00"}),
        ("lux_lighting", "invoices/lux_lighting.csv", 9, "UNKNOWN_COST_CODE", "cost_code",
         "'9999-01' is not in chart feature-us-sample", {"Konto": "9999-01", "Betrag": "1.234,56"}),
        ("petty_cash", "petty_cash/envelopes.csv", 5, "DATE_OUT_OF_WINDOW", "receipt_date",
         "2025-12-20 is before prep start 2026-01-05", {"Date": "12/20/2025", "Amount": "48.10"}),
        ("petty_cash", "petty_cash/envelopes.csv", 11, "MISSING_COST_CODE", "cost_code",
         "no code, no vendor default and no keyword rule", {"Date": "02/11/2026", "Amount": "23.75"}),
    ]
    return pd.DataFrame({
        "source_id": [r[0] for r in rows], "source_file": [r[1] for r in rows],
        "source_line": pd.Series([r[2] for r in rows], dtype="int64"),
        "row_hash": [f"demo-{r[0]}-{r[2]}" for r in rows], "reason": [r[3] for r in rows],
        "field": [r[4] for r in rows], "detail": [r[5] for r in rows],
        "payload": [json.dumps(r[6], sort_keys=True) for r in rows],
    })

DEMO_AS_OF = date(2026, 4, 30)
DEMO_EMPLOYER = "DEMO-EMP-001"

# (plan, fund, period_end, person, hours, gross, contribution, rate_id)
_DETAIL = [
    ("MPI", "Active Health", "2026-03-07", "E1", "40", "2000.00", "650.00", "mpi-health-2024"),
    ("MPI", "Active Health", "2026-03-07", "E2", "40", "2000.00", "650.00", "mpi-health-2024"),
    ("MPI", "Pension", "2026-03-07", "E1", "40", "2000.00", "138.00", "mpi-pension-2024"),
    ("MPI", "Pension", "2026-03-07", "E2", "40", "2000.00", "138.00", "mpi-pension-2024"),
    ("MPI", "Active Health", "2026-03-14", "E1", "50", "2500.00", "812.50", "mpi-health-2024"),
    ("MPI", "Active Health", "2026-03-14", "E2", "40", "2000.00", "650.00", "mpi-health-2024"),
    ("MPI", "Pension", "2026-03-14", "E1", "50", "2500.00", "172.50", "mpi-pension-2024"),
    ("MPI", "Pension", "2026-03-14", "E2", "40", "2000.00", "138.00", "mpi-pension-2024"),
    ("SAG-AFTRA", "P&H", "2026-03-07", "P1", "", "6000.00", "1260.00", "sag-2022-perf"),
    ("SAG-AFTRA", "P&H", "2026-03-07", "P2", "", "4000.00", "840.00", "sag-2022-perf"),
    ("SAG-AFTRA", "P&H", "2026-03-28", "P1", "", "6000.00", "1260.00", "sag-2022-perf"),
]
_DUE = {("MPI", "2026-03-07"): "2026-03-22", ("MPI", "2026-03-14"): "2026-03-29",
        ("SAG-AFTRA", "2026-03-07"): "2026-04-06", ("SAG-AFTRA", "2026-03-28"): "2026-04-27"}


def demo_remittance_detail() -> pd.DataFrame:
    """Detail rows as the ``<plan>__<fund>.csv`` files carry them (text, as read from CSV)."""
    return pd.DataFrame({
        "employer_code": DEMO_EMPLOYER, "period_end": [r[2] for r in _DETAIL], "person_id": [r[3] for r in _DETAIL],
        "plan": [r[0] for r in _DETAIL], "fund": [r[1] for r in _DETAIL], "rate_id": [r[7] for r in _DETAIL],
        "gross_subject": [r[5] for r in _DETAIL], "hours": [r[4] for r in _DETAIL],
        "contribution": [r[6] for r in _DETAIL],
    })


def demo_remittance_totals() -> pd.DataFrame:
    """Totals rows as the ``<plan>__<fund>__totals.csv`` files carry them (text, as read from CSV)."""
    rows = [
        ("MPI", "Active Health", "2026-03-07", 2, "4000.00", "80", "1300.00"),
        ("MPI", "Active Health", "2026-03-14", 2, "4500.00", "90", "1462.50"),
        ("MPI", "Pension", "2026-03-07", 2, "4000.00", "80", "276.00"),
        ("MPI", "Pension", "2026-03-14", 2, "4500.00", "90", "310.50"),
        ("SAG-AFTRA", "P&H", "2026-03-07", 2, "10000.00", "0", "2100.00"),
        ("SAG-AFTRA", "P&H", "2026-03-28", 1, "6000.00", "0", "1260.00"),
    ]
    return pd.DataFrame({
        "employer_code": DEMO_EMPLOYER, "title": DEMO_TITLE, "plan": [r[0] for r in rows],
        "fund": [r[1] for r in rows], "period_end": [r[2] for r in rows],
        "due_date": [_DUE[(r[0], r[2])] for r in rows], "people": [str(r[3]) for r in rows],
        "gross_subject": [r[4] for r in rows], "hours": [r[5] for r in rows], "contribution": [r[6] for r in rows],
    })


def demo_fringe_ledger_lines() -> pd.DataFrame:
    """Journal lines of the entries touching FRINGE_PAYABLE (``Ledger.entries_frame()`` columns used).

    One entry per detail line (debit the x900 fringe code, credit the plan's payable), except that the
    SAG-AFTRA 03-28 line was posted one cent short (1,259.99): the report's one exception. Then two
    payments: MPI 1,576.00 on 03-20 naming no fund, SAG-AFTRA 2,100.00 on 04-10 naming its period.
    """
    lines: list[tuple[int, str, str, str, str]] = []  # entry_id, date, account, amount, document_no
    for i, (plan, fund, period, _p, _h, _g, c, _r) in enumerate(_DETAIL, start=1):
        amount = "1259.99" if (plan, period) == ("SAG-AFTRA", "2026-03-28") else c
        doc = f"{plan}:{fund}:{period}"
        lines += [(i, period, "1900-03" if plan == "MPI" else "1400-03", amount, doc),
                  (i, period, f"FRINGE_PAYABLE:{plan}", f"-{amount}", doc)]
    n = len(_DETAIL)
    lines += [(n + 1, "2026-03-20", "FRINGE_PAYABLE:MPI", "1576.00", "CHK-1001"),
              (n + 1, "2026-03-20", "CASH", "-1576.00", "CHK-1001"),
              (n + 2, "2026-04-10", "FRINGE_PAYABLE:SAG-AFTRA", "2100.00", "SAG-AFTRA:P&H:2026-03-07"),
              (n + 2, "2026-04-10", "CASH", "-2100.00", "SAG-AFTRA:P&H:2026-03-07")]
    return pd.DataFrame({
        "entry_id": pd.Series([x[0] for x in lines], dtype="int64"), "entry_date": [x[1] for x in lines],
        "account": [x[2] for x in lines], "amount": to_money_series([x[3] for x in lines]),
        "document_no": [x[4] for x in lines],
    })


# --- contingency ----------------------------------------------------------------------------------
# BV-1 is prodlib.reports.demo.demo_budget() (contingency 8000-01 30,000.00).
# BV-2 (revision): 1400-02 +3,500, 2500-02 +2,000, 3200-02 -1,500 (saving), 8000-01 -4,000 (transfer).
# BV-3 (approved overage): 5000-01 +3,000; the contingency line left at 26,000.00.
DEMO_VERSIONS = (
    ("DEMO-BV-1", "original", None, "2026-01-02", "Line producer", "original locked budget"),
    ("DEMO-BV-2", "revision", "DEMO-BV-1", "2026-03-16", "Line producer",
     "stunt rigging and grip package added; transferred from contingency"),
    ("DEMO-BV-3", "overage", "DEMO-BV-2", "2026-04-06", "Bond company / studio",
     "approved overage: editor's contract extended"),
)
_CHANGES = {
    "DEMO-BV-2": {"1400-02": "18500.00", "2500-02": "42000.00", "3200-02": "28500.00", "8000-01": "26000.00"},
    "DEMO-BV-3": {"5000-01": "38000.00"},
}


def demo_budget_versions() -> pd.DataFrame:
    """``Ledger.budget_versions_frame()`` columns for the three demo versions."""
    return pd.DataFrame([{"version_id": v, "kind": k, "parent_version_id": p, "locked_on": d, "effective_date": d,
                          "author": a, "reason": r, "content_hash": "", "recorded_at": ""}
                         for v, k, p, d, a, r in DEMO_VERSIONS])


def demo_budget_lines() -> dict[str, pd.DataFrame]:
    """Budget lines [cost_code, amount] per demo version; each version applies its changes to its parent."""
    from prodlib.reports.demo import demo_budget

    base = {c: str(a) for c, a in zip(demo_budget()["cost_code"], demo_budget()["amount"], strict=True)}
    out, current = {}, dict(base)
    for vid, *_ in DEMO_VERSIONS:
        current = {**current, **_CHANGES.get(vid, {})}
        out[vid] = pd.DataFrame({"cost_code": pd.Series(list(current), dtype="string"),
                                 "amount": to_money_series(list(current.values()))})
    return out


def demo_exceptions() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The exception queue as the ledger returns it (current state, events), April 2026:

    1 MALFORMED_AMOUNT (no amount read) open since 04-02; 2 DUPLICATE_INVOICE 1,250.00 in review (Ana)
    since 04-02; 3 UNKNOWN_COST_CODE 1,234.56 corrected 04-28; 4 DATE_OUT_OF_WINDOW 48.10 written off
    04-29; 5 MISSING_COST_CODE 23.75 open since 03-10; 6 OVER_INVOICED 75.00 found 04-29; 7 a 35.00
    bank charge found 04-28, superseded 04-30; 8 another 35.00 charge found 04-30. Waiting: 1, 2, 5, 6,
    8 = 0 + 1,250.00 + 23.75 + 75.00 + 35.00 = 1,383.75 at stake.
    """
    q = demo_quarantine()
    pa_ = '["production_accountant"]'
    x = [  # id, origin, kind, reason, q row (or documents), cents, opened
        (1, "quarantine", "ingest", "MALFORMED_AMOUNT", 0, None, "2026-04-02"),
        (2, "quarantine", "duplicate", "DUPLICATE_INVOICE", 1, 125_000, "2026-04-02"),
        (3, "quarantine", "classification", "UNKNOWN_COST_CODE", 2, 123_456, "2026-04-20"),
        (4, "quarantine", "validation", "DATE_OUT_OF_WINDOW", 3, 4_810, "2026-03-10"),
        (5, "quarantine", "classification", "MISSING_COST_CODE", 4, 2_375, "2026-03-10"),
        (6, "reconcile", "invoice", "OVER_INVOICED", "po PO-1003; invoice V-ACME/A-1044", 7_500, "2026-04-29"),
        (7, "reconcile", "bank", "BANK_ONLY_ITEM", "bank 20260427000031", 3_500, "2026-04-28"),
        (8, "reconcile", "bank", "BANK_ONLY_ITEM", "bank 20260429000036", 3_500, "2026-04-30"),
    ]
    later = {  # id -> (action, state, by, why, day, assignee)
        2: ("assign", "in_review", "Sam", "assigned to Ana", "2026-04-03", "Ana"),
        3: ("correct", "corrected", "Ana", "corrected row: Konto=2500-02", "2026-04-28", None),
        4: ("write_off", "written_off", "Ana", "a 2025 receipt: charged to the prior show", "2026-04-29", None),
        7: ("supersede", "superseded", "prodlib reconcile", "no longer found (booked as a bank charge)",
            "2026-04-30", None),
    }
    cur, ev = [], []
    for xid, origin, kind, reason, src, cents, opened in x:
        quar = origin == "quarantine"
        row = q.iloc[src] if quar else None
        payload = row["payload"] if quar else json.dumps({"documents": src.split("; "), "reason": reason})
        detail = row["detail"] if quar else f"{reason.lower().replace('_', ' ')}: {src}"
        ev.append((xid, "open", "open", reason, None, "prodlib run" if quar else "prodlib reconcile",
                   "quarantined by the run" if quar else "found by the reconciliation", opened))
        action = later.get(xid)
        if action:
            ev.append((xid, action[0], action[1], reason, action[5], action[2], action[3], action[4]))
        last = ev[-1]
        cur.append({"exception_id": xid, "origin": origin, "kind": kind, "reason": reason,
                    "source_id": row["source_id"] if quar else None, "source_file": row["source_file"] if quar else src,
                    "source_line": int(row["source_line"]) if quar else None, "amount_cents": cents,
                    "payload": payload, "roles": pa_, "detail": detail, "opened_at": f"{opened}T06:00:00Z",
                    "state": last[2], "current_reason": reason, "assignee": last[4],
                    "last_at": f"{last[7]}T06:00:00Z"})
    ev.sort(key=lambda e: (e[7], e[0]))
    events = pd.DataFrame([{"event_id": i + 1, "exception_id": e[0], "action": e[1], "state": e[2], "reason": e[3],
                            "assignee": e[4], "actor": e[5], "why": e[6], "night": None,
                            "recorded_at": f"{e[7]}T06:00:00Z"} for i, e in enumerate(ev)])
    return pd.DataFrame(cur, dtype=object), events
