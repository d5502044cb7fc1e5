"""A small input folder with one source of each kind, written week by week (cumulative exports).

Each ``WEEK1``/``WEEK2`` value is the data rows of one export; a cumulative export is the header,
then week 1's rows, then week 2's. Amounts are chosen so that every total can be added by hand.
"""

from __future__ import annotations

from pathlib import Path

PRODUCTION = """production_id: REEXPORT-1
title: Re-export (test)
employer_code: EMP-1
chart: feature_us_sample
currency: USD
window: {start: 2026-02-16, end: 2026-04-10}
principal_photography: 2026-03-02
budget_tier: low
budget_version: BV-1
budget: {version: BV-1, locked_on: 2026-02-13, author: Line producer}
states: [CA]
"""

SOURCES = """production: production.yaml
sources:
  - id: acme
    kind: invoice
    path: inv/acme.csv
    date_format: "%m/%d/%Y"
    columns: {invoice_number: "Invoice #", invoice_date: "Inv Date", cost_code: Acct, description: Description,
              amount: Amount}
    constants: {vendor_id: V-ACME, vendor_name: Acme Grip}
  - id: pos
    kind: purchase_order
    path: po/pos.csv
    date_format: "%m/%d/%Y"
    columns: {po_number: PO, vendor_id: Vendor, po_date: Date, cost_code: Acct, description: Description,
              amount: Amount, status: Status}
  - id: petty
    kind: petty_cash
    path: pc/petty.csv
    date_format: "%m/%d/%Y"
    columns: {envelope_id: Envelope, custodian: Custodian, receipt_date: Date, cost_code: Acct,
              description: Description, amount: Amount}
  - id: cards
    kind: timecard
    path: tc/cards.csv
    date_format: "%Y-%m-%d"
    columns: {employee_id: Emp, work_date: Date, call_time: Call, meal1_out: M1 Out, meal1_in: M1 In,
              wrap_time: Wrap}
  - id: payroll
    kind: payroll
    path: pr/payroll.csv
    date_format: "%m/%d/%Y"
    columns: {employee_id: Emp, employee_name: Name, union: Union, classification: Class, state: State,
              period_end: Wk Ending, work_date: Work Date, cost_code: Acct, earning_type: Earn, hours: Hours,
              rate: Rate, amount: Amount}
  - id: bank
    kind: bank
    path: bk/bank.csv
    date_format: "%Y-%m-%d"
    columns: {transaction_id: Txn, posted_date: Date, description: Description, reference: Ref, amount: Amount}
"""

HEADER = {
    "inv/acme.csv": "Invoice #,Inv Date,Acct,Description,Amount",
    "po/pos.csv": "PO,Vendor,Date,Acct,Description,Amount,Status",
    "pc/petty.csv": "Envelope,Custodian,Date,Acct,Description,Amount",
    "tc/cards.csv": "Emp,Date,Call,M1 Out,M1 In,Wrap",
    "pr/payroll.csv": "Emp,Name,Union,Class,State,Wk Ending,Work Date,Acct,Earn,Hours,Rate,Amount",
    "bk/bank.csv": "Txn,Date,Description,Ref,Amount",
}

_PA = "E1,PA One,NON-UNION,Production Assistant,CA,"

WEEK1 = {
    # INV-1: 100.00 + 1,234.50; INV-2: 300.00  -> 1,634.50
    "inv/acme.csv": ['INV-1,03/02/2026,2500-02,Dolly,100.00', 'INV-1,03/02/2026,2500-02,Track,"1,234.50"',
                     'INV-2,03/03/2026,2500-02,Crane,300.00'],
    "po/pos.csv": ['PO-1,V-ACME,03/01/2026,2500-02,Grip rental,"5,000.00",approved'],
    # two 12.00 taxi receipts in one envelope (there and back: an identical line would be DUPLICATE_RECEIPT),
    # and a 5.25 receipt -> 29.25
    "pc/petty.csv": ["PC-1,Moreau,03/02/2026,2500-04,Taxi,12.00", "PC-1,Moreau,03/02/2026,2500-04,Taxi back,12.00",
                     "PC-1,Moreau,03/03/2026,2500-04,Tape,5.25"],
    "tc/cards.csv": ["E1,2026-03-02,08:00,14:00,14:30,16:30", "E1,2026-03-03,08:00,14:00,14:30,16:30"],
    # 8 h x 25.00 = 200.00 a day, week ending 03/07 -> 400.00
    "pr/payroll.csv": [_PA + "03/07/2026,03/02/2026,2000-04,REG,8.00,25.0000,200.00",
                       _PA + "03/07/2026,03/03/2026,2000-04,REG,8.00,25.0000,200.00"],
    "bk/bank.csv": ["T1,2026-03-02,WIRE IN,F1,10000.00", "T2,2026-03-03,CHECK 101,C101,-250.00"],
}

WEEK2 = {
    # INV-3: 40.00 + 2.50 -> 42.50 new
    "inv/acme.csv": ["INV-3,03/09/2026,2500-02,Sandbags,40.00", "INV-3,03/09/2026,2500-02,Gloves,2.50"],
    "po/pos.csv": ['PO-2,V-ACME,03/08/2026,2500-02,Crane rental,"1,500.00",approved'],
    # a third 12.00 taxi receipt in envelope PC-1 (to the stage: new), and 7.75 -> 19.75 new
    "pc/petty.csv": ["PC-1,Moreau,03/02/2026,2500-04,Taxi to stage,12.00",
                     "PC-2,Moreau,03/09/2026,2500-04,Batteries,7.75"],
    "tc/cards.csv": ["E1,2026-03-09,08:00,14:00,14:30,16:30"],
    # 8 h x 25.00 = 200.00, week ending 03/14
    "pr/payroll.csv": [_PA + "03/14/2026,03/09/2026,2000-04,REG,8.00,25.0000,200.00"],
    "bk/bank.csv": ["T3,2026-03-09,CHECK 102,C102,-75.00"],
}


def export(rows: list[str], header: str, *, newline: str = "\n", bom: bool = False) -> bytes:
    """One export's bytes: header and rows, with the given line ending and optional BOM."""
    text = newline.join([header, *rows]) + newline
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def write_week(root: Path, weeks: list[dict[str, list[str]]], **fmt) -> Path:
    """The input folder under ``root`` with each export holding the rows of ``weeks`` (cumulative)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    for path, header in HEADER.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(export([r for w in weeks for r in w[path]], header, **fmt))
    return root
