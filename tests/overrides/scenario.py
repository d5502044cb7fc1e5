"""The scenario every override test shares: "Night Shift", a small feature, one grip vendor's export.

Acme Grip's invoices (window 2026-02-16 .. 2026-04-10, wrap on the 10th):

    line 2  INV-1  03/02/2026  2500-02  Dolly                100.00   posted
    line 3  INV-2  04/20/2026  2500-02  Crane, wrap day    1,250.00   DATE_OUT_OF_WINDOW (billed after wrap)
    line 4  INV-3  04/22/2026  9999-99  Mystery charge        75.00   DATE_OUT_OF_WINDOW (and no such cost code)
    line 5  INV-4  04/25/2026  2500-02  Generator truck   30,000.00   DATE_OUT_OF_WINDOW (above the 25,000.00 line)

So the run reads 4 rows, posts 1 (100.00 to 2500-02) and quarantines 3, q_ids 1, 2, 3 in line order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

PRODUCTION = """production_id: NIGHT-1
title: Night Shift (test)
employer_code: EMP-1
chart: feature_us_sample
currency: USD
window: {start: 2026-02-16, end: 2026-04-10}
principal_photography: 2026-03-02
budget_tier: low
states: [CA]
overrides: {third_approval_above: "25000.00", execute_within_hours: 48}
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
"""

HEADER = "Invoice #,Inv Date,Acct,Description,Amount"
ROWS = [
    "INV-1,03/02/2026,2500-02,Dolly,100.00",
    'INV-2,04/20/2026,2500-02,"Crane, wrap day","1,250.00"',
    "INV-3,04/22/2026,9999-99,Mystery charge,75.00",
    'INV-4,04/25/2026,2500-02,Generator truck,"30,000.00"',
]

#: The quarantine ids of the run over ROWS.
CRANE, MYSTERY, GENERATOR = 1, 2, 3

#: Who holds which role in NIGHT-1 (the role book's members, as roles.yaml lists them).
PEOPLE = {
    "pat": ("production_accountant",),     # Pat Quinn, production accountant
    "lee": ("line_producer",),             # Lee Ortiz, line producer
    "uma": ("upm",),                       # Uma Reyes, unit production manager
    "sam": ("studio_executive",),          # Sam Baker, studio
    "bo": ("bond_rep",),                   # Bo Lindqvist, completion guarantor's representative
    "kim": ("department_head",),           # Kim Ito, key grip (department head): requests, never approves
    "ada": ("auditor",),                   # Ada Frost, external auditor
    "max": ("production_accountant", "line_producer"),  # Max Ford holds both approval roles
}

JUSTIFICATION = ("Acme's crane worked the wrap day on April 10 and billed on the 20th; the crane "
                 "sat on stage 4 until the company moved out, per the signed rental agreement.")

T0 = datetime(2026, 4, 21, 9, 0, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def write_input(root: Path, rows: list[str] = ROWS) -> Path:
    (root / "inv").mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "inv" / "acme.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return root
