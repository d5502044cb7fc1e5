"""A small production for the exception queue: one vendor's invoices and the PO register.

The invoice export (``inv/acme.csv``, header on line 1) holds four rows:

- line 2: INV-1, 100.00 on 2500-02: posts.
- line 3: INV-2, amount "12,3x.00": quarantined MALFORMED_AMOUNT by ingest (no amount read).
- line 4: INV-3, 300.00 on 9999-99 (no such code): quarantined UNKNOWN_COST_CODE (300.00 at stake).
- line 5: INV-4, 45.50 on 2500-02: posts.

So the run reads 4 + 1 PO row = 5 rows and posts 2 invoices + 1 PO = 3; 2 are quarantined.
"""

from __future__ import annotations

from pathlib import Path

from ..ledger.reexport_files import HEADER, PRODUCTION
from ..ledger.reexport_files import SOURCES as ALL_SOURCES

#: The re-export production's invoice and PO sources (the sources before petty cash).
SOURCES = ALL_SOURCES.split("  - id: petty")[0]

INVOICE_HEADER = HEADER["inv/acme.csv"]
INVOICES = [
    "INV-1,03/02/2026,2500-02,Dolly,100.00",
    'INV-2,03/03/2026,2500-02,Track,"12,3x.00"',
    "INV-3,03/03/2026,9999-99,Crane,300.00",
    "INV-4,03/04/2026,2500-02,Gloves,45.50",
]
PO_HEADER = HEADER["po/pos.csv"]
POS = ['PO-1,V-ACME,03/01/2026,2500-02,Grip rental,"5,000.00",approved']


def write_inputs(root: Path, invoices: list[str] | None = None) -> Path:
    """The input folder under ``root``."""
    for rel, header, rows in (("inv/acme.csv", INVOICE_HEADER, INVOICES if invoices is None else invoices),
                              ("po/pos.csv", PO_HEADER, POS)):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    (root / "production.yaml").write_text(PRODUCTION, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    return root
