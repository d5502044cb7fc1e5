"""A small production with every input kind, for the fault tests: each file a few good rows and one
bad one, so that a run writes batches of every shape (journal entries, commitments, a budget version,
accepted rows, a quarantine and a payroll's fringe batch)."""

from __future__ import annotations

from pathlib import Path

import yaml

PRODUCTION = """production_id: FAULT-1
title: Faults (test)
employer_code: EMP-1
currency: USD
window: {start: 2026-01-05, end: 2026-06-26}
principal_photography: 2026-03-02
budget: {version: BV-1, locked_on: 2026-01-02, author: Line producer}
"""

#: file -> (kind, header mapping canonical -> file header, text)
FILES: dict[str, tuple[str, dict[str, str], str]] = {
    "budget.csv": ("budget", {"cost_code": "Account", "description": "Description", "amount": "Amount"},
                   "Account,Description,Amount\n2500-02,Grip rentals,5000.00\n2500-03,Grip expendables,800.00\n"),
    "pos.csv": ("purchase_order", {"po_number": "PO", "vendor_id": "Vendor", "po_date": "Date", "cost_code": "Account",
                                   "description": "Description", "amount": "Amount", "status": "Status"},
                "PO,Vendor,Date,Account,Description,Amount,Status\n"
                "PO-1,V-GRIP,2026-03-02,2500-02,Dolly,1000.00,approved\nPO-2,V-GRIP,2026-03-02,2500-02,Dolly,x,approved\n"),
    "grip.csv": ("invoice", {"vendor_id": "Vendor", "invoice_number": "Invoice", "invoice_date": "Date",
                             "cost_code": "Account", "description": "Description", "amount": "Amount"},
                 "Vendor,Invoice,Date,Account,Description,Amount\n"
                 + "".join(f"V-GRIP,G-{i},2026-03-{4 + i % 20:02d},2500-02,Grip rental {i},{10 * i}.25\n"
                           for i in range(1, 25))
                 + "V-GRIP,G-99,2026-03-04,9999-99,Unknown code,5.00\n"),
    "tape.csv": ("invoice", {"vendor_id": "Vendor", "invoice_number": "Invoice", "invoice_date": "Date",
                             "cost_code": "Account", "description": "Description", "amount": "Amount"},
                 "Vendor,Invoice,Date,Account,Description,Amount\n"
                 + "".join(f"V-TAPE,T-{i},2026-04-{1 + i % 25:02d},2500-03,Tape {i},{i}.50\n" for i in range(1, 20))),
    "petty.csv": ("petty_cash", {"envelope_id": "Envelope", "custodian": "Custodian", "receipt_date": "Date",
                                 "cost_code": "Account", "description": "Description", "amount": "Amount"},
                  "Envelope,Custodian,Date,Account,Description,Amount\n"
                  "PC-1,J. Doe,2026-03-04,2500-03,Batteries,12.50\nPC-2,J. Doe,2026-03-05,2500-03,Gloves,8.00\n"),
    "timecards.csv": ("timecard", {"employee_id": "Employee", "work_date": "Date", "call_time": "Call",
                                   "meal1_out": "Meal1Out", "meal1_in": "Meal1In", "wrap_time": "Wrap"},
                      "Employee,Date,Call,Meal1Out,Meal1In,Wrap\nE-9,2026-03-04,07:00,12:00,12:30,15:30\n"),
    "payroll.csv": ("payroll", {"employee_id": "Employee", "union": "Union", "classification": "Class",
                                "state": "State", "period_end": "PeriodEnd", "cost_code": "Account",
                                "earning_type": "Earning", "hours": "Hours", "rate": "Rate", "amount": "Amount"},
                    "Employee,Union,Class,State,PeriodEnd,Account,Earning,Hours,Rate,Amount\n"
                    + "".join(f"E-{i},IATSE,Grip,CA,2026-03-07,2500-02,REG,8.0000,45.0000,360.00\n"
                              for i in range(1, 9))
                    + "E-99,TEAMSTERS,Driver,CA,2026-03-07,2500-02,REG,8.0000,45.0000,360.00\n"),
    "bank.csv": ("bank", {"transaction_id": "TxnId", "posted_date": "Date", "description": "Description",
                          "amount": "Amount"},
                 "TxnId,Date,Description,Amount\nB-1,2026-03-03,Wire,-250.00\nB-2,2026-03-04,Fee,-12.50\n"),
}


def write_production(root: Path, files: dict[str, tuple[str, dict[str, str], str]] | None = None) -> Path:
    """Write the input set into ``root`` (sources.yaml, production.yaml, the exports); return ``root``."""
    files = FILES if files is None else files
    root.mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION)
    entries = []
    for name, (kind, columns, text) in files.items():
        (root / name).write_text(text, encoding="utf-8")
        entries.append({"id": name.removesuffix(".csv"), "kind": kind, "path": name, "columns": columns})
    (root / "sources.yaml").write_text(yaml.safe_dump({"production": "production.yaml", "sources": entries},
                                                      sort_keys=False))
    return root
