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

#: Who holds which role in NIGHT-1 (roles.yaml, read by prodlib.access.roles):
#:   pat  production accountant        lee  line producer         uma  UPM
#:   sam  studio executive             bo   bond representative   ada  external auditor
#:   kim  key grip (department head: requests, never approves)
#:   max  production accountant AND line producer (one person: fills one approval only)
#:   otto line producer of another production (OTHER-2) only
ROLES_YAML = """\
departments:
  - {id: grip, name: Grip, accounts: ["2500"]}
members:
  - {id: pat, name: Pat Quinn, roles: [production_accountant], productions: [NIGHT-1]}
  - {id: lee, name: Lee Ortiz, roles: [line_producer], productions: [NIGHT-1]}
  - {id: uma, name: Uma Reyes, roles: [upm], productions: [NIGHT-1]}
  - {id: sam, name: Sam Baker, roles: [studio_executive], productions: [NIGHT-1]}
  - {id: bo, name: Bo Lindqvist, roles: [bond_rep], productions: [NIGHT-1]}
  - {id: ada, name: Ada Frost, roles: [auditor], productions: [NIGHT-1]}
  - {id: kim, name: Kim Ito, roles: [department_head], productions: [NIGHT-1], departments: [grip]}
  - {id: max, name: Max Ford, roles: [production_accountant, line_producer], productions: [NIGHT-1]}
  - {id: otto, name: Otto Berg, roles: [line_producer], productions: [OTHER-2]}
"""

JUSTIFICATION = ("Acme's crane worked the wrap day on April 10 and billed on the 20th; the crane "
                 "sat on stage 4 until the company moved out, per the signed rental agreement.")

T0 = datetime(2026, 4, 21, 9, 0, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def write_input(root: Path, rows: list[str] = ROWS) -> Path:
    (root / "inv").mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "roles.yaml").write_text(ROLES_YAML, encoding="utf-8")
    (root / "inv" / "acme.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return root


def out_of_window(n: int) -> list[str]:
    """``n`` more invoices billed after wrap, 10.00 each (INV-100 ...), for tests that need many overrides."""
    return [f"INV-{100 + i},04/20/2026,2500-02,Wrap day extra {i},10.00" for i in range(n)]
