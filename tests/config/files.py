"""A small input folder (production.yaml, sources.yaml, one export) and copies of the shipped rule files."""

from __future__ import annotations

import shutil
from pathlib import Path

from prodlib.rules.plans import PLANS_DIR
from prodlib.rules.scale import SCALE_FILE
from prodlib.rules.work import WORK_FILE

PRODUCTION = """production_id: T-1
title: Night Shoot (test)
employer_code: EMP-1
window: {start: 2026-01-05, end: 2026-06-26}
principal_photography: 2026-03-02
budget: {version: BV-1, locked_on: 2026-01-02, author: Line producer}
"""

# Line 7 is the "delimiter:" of the entry acme_grip.
SOURCES = """production: production.yaml
sources:
  - id: acme_grip
    kind: invoice
    path: inv/acme.csv
    date_format: "%m/%d/%Y"
    delimiter: ","
    columns: {invoice_number: "Invoice #", invoice_date: "Inv Date", cost_code: Acct,
              description: Description, amount: Amount}
    constants: {vendor_id: V-ACME, vendor_name: Acme Grip}
"""

ACME = "Invoice #,Inv Date,Acct,Description,Amount\nA-100,03/04/2026,2500-02,Grip package,\"$1,234.56\"\n"

CHART = """chart: mini
version: "1"
effective_from: 2026-01-01
source: test
sections:
  - {id: ATL, name: Above, order: 1, range: [1000, 1999]}
  - {id: BTL, name: Below, order: 2, range: [2000, 4999]}
accounts:
  - {code: "1400", name: Cast, details: {"01": Series regulars}}
  - {code: "2500", name: Grip, details: {"01": Labor, "02": Equipment}}
"""


def input_folder(root: Path, production: str = PRODUCTION, sources: str = SOURCES) -> Path:
    """Write an input folder under ``root`` and return it."""
    (root / "inv").mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(production, encoding="utf-8")
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    (root / "inv" / "acme.csv").write_text(ACME, encoding="utf-8")
    return root


def edited(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once by ``new`` (the test fails loudly if ``old`` is not there)."""
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` that holds ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def plans_copy(root: Path, file: str, old: str, new: str) -> tuple[Path, str]:
    """The shipped plans copied to ``root`` with one edit in ``file``: (folder, edited text)."""
    folder = root / "plans"
    shutil.copytree(PLANS_DIR, folder)
    text = edited((folder / file).read_text(encoding="utf-8"), old, new)
    (folder / file).write_text(text, encoding="utf-8")
    return folder, text


def rule_copy(root: Path, which: str, old: str, new: str) -> tuple[Path, str]:
    """The shipped scale ("scale") or work rules ("work") file copied with one edit: (path, text)."""
    src = SCALE_FILE if which == "scale" else WORK_FILE
    text = edited(src.read_text(encoding="utf-8"), old, new)
    path = root / src.name
    path.write_text(text, encoding="utf-8")
    return path, text
