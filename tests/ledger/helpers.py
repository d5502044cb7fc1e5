"""Small builders for ledger tests."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from prodlib.money import to_money_series


def money(*values: str) -> pd.Series:
    return to_money_series([Decimal(v) for v in values])


def postings(rows: list[tuple], start_line: int = 2) -> pd.DataFrame:
    """rows: (entry_date, debit, credit, amount text[, document_no[, po_number]])."""
    out = pd.DataFrame({
        "source_line": list(range(start_line, start_line + len(rows))),
        "row_hash": [f"rh{start_line + i}" for i in range(len(rows))],
        "entry_date": [r[0] for r in rows],
        "debit_account": [r[1] for r in rows],
        "credit_account": [r[2] for r in rows],
        "amount": money(*[r[3] for r in rows]),
        "description": [f"line {i}" for i in range(len(rows))],
        "document_no": [r[4] if len(r) > 4 else f"DOC{i}" for i, r in enumerate(rows)],
        "party_id": ["V-1"] * len(rows),
    })
    if any(len(r) > 5 for r in rows):
        out["po_number"] = [r[5] if len(r) > 5 else None for r in rows]
    return out


def quarantine(lines: list[int], reason: str = "MALFORMED_AMOUNT") -> pd.DataFrame:
    return pd.DataFrame({
        "source_line": lines, "row_hash": [f"q{n}" for n in lines], "reason": [reason] * len(lines),
        "field": ["amount"] * len(lines), "detail": [f"bad amount on line {n}" for n in lines],
        "payload": ['{"Amount":"12,3,4"}'] * len(lines),
    })


def as_dict(frame: pd.DataFrame, key: str, value: str) -> dict:
    return {k: Decimal(str(v)) for k, v in zip(frame[key], frame[value], strict=True)}


def raw_exec(led, statements: list[str]) -> None:
    """Run SQL around the ledger's guards, as an attacker with database access would.

    SQLite: a plain connection after dropping every trigger. PostgreSQL: triggers off for the
    transaction (session_replication_role = replica, which also skips foreign keys).
    """
    if led.dialect == "sqlite":
        import sqlite3

        con = sqlite3.connect(led.engine.url.database)
        con.isolation_level = None
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f"DROP TRIGGER {name}")
        for s in statements:
            con.execute(s)
        con.close()
    else:
        with led.engine.begin() as c:
            c.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for s in statements:
                c.exec_driver_sql(s)


def guarded_exec(led, statement: str) -> None:
    """Run SQL through the ledger's own engine: triggers and constraints apply."""
    with led.engine.begin() as c:
        c.exec_driver_sql(statement)


def count(led, table: str) -> int:
    with led.engine.connect() as c:
        return int(c.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar())


def full_ledger(led) -> None:
    """A ledger with rows in every table: batches, quarantine, entries, budget, POs, estimates, a close."""
    rows = [("2026-02-10", "2500-02", "AP", "1200.00", "INV-1", "PO-1"),
            ("2026-02-11", "3300-01", "AP", "300.00", "INV-2"),
            ("2026-03-02", "2500-02", "AP", "800.00", "INV-3", "PO-1"),
            ("2026-03-03", "1400-01", "PAYROLL_LIABILITY", "5000.00", "PR-1"),
            ("2026-03-03", "1400-01", "FRINGE_PAYABLE:SAG-AFTRA", "1050.00", "PR-1")]
    led.post_batch("acme", "inv/acme.csv", "H1", "invoice", postings(rows), quarantine([7]), 6,
                   row_keys=[f"{i:064x}" for i in range(len(rows))])
    led.post_batch("cash", "bank.csv", "H2", "bank",
                   postings([("2026-03-10", "AP", "CASH", "1500.00", "CHK-1")], start_line=2), None, 1)
    led.record_budget("BV-1", pd.DataFrame({"cost_code": ["2500-02", "3300-01", "1400-01"],
                                            "description": ["Grip", "Props", "Cast"],
                                            "amount": money("3000.00", "250.00", "6000.00")}),
                      "2026-01-02", "Line producer", "locked budget")
    led.record_purchase_orders(pd.DataFrame({
        "po_number": ["PO-1", "PO-2", "PO-3"], "vendor_id": ["V-1", "V-2", "V-3"],
        "po_date": ["2026-02-01", "2026-02-05", "2026-02-06"], "cost_code": ["2500-02", "3300-01", "3300-01"],
        "description": ["grip package", "props", "draft props"], "amount": money("5000.00", "700.00", "999.00"),
        "status": ["approved", "approved", "draft"]}))
    led.record_estimate("5000", "38000.00", "2026-02-15", "editor extended", "Accountant")
    led.close_period("2026-02", "Accountant", "month end", closed_on="2026-03-05")
