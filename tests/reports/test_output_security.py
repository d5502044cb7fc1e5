"""Output security (issue 8): CSVs a spreadsheet opens never run a cell as a formula, and no report or
stamp says where the database lives; the ledger keeps the hostile text exactly as it came."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from prodlib.fringes import compute_fringes
from prodlib.ledger import Ledger
from prodlib.production import Production
from prodlib.remittance import remittance_reports
from prodlib.reports.exceptions import exceptions_report
from prodlib.reports.export import export_exceptions
from prodlib.reports.load import load_exceptions
from prodlib.spreadsheet import safe_cell, safe_frame, safe_row
from tests.payroll_frames import payroll

LINK = '=HYPERLINK("http://x")'
SUM = "@SUM(1)"


@pytest.mark.parametrize(("cell", "written"), [
    (LINK, "'" + LINK),
    (SUM, "'" + SUM),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),            # a formula that starts like a number is still a formula
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-", "'-"),
    ("-12.50", "-12.50"),          # an exact negative amount stays a number
    ("+12", "+12"),
    ("-0.2100", "-0.2100"),        # a rate with four decimals
    ("-12.50\n", "'-12.50\n"),     # not only a number: something follows it
    ("a=b", "a=b"),                # only the first character matters
    ("", ""),
])
def test_safe_cell(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


def test_non_text_cells_pass_untouched() -> None:
    from decimal import Decimal

    assert safe_row([Decimal("-12.50"), -3, None, SUM]) == [Decimal("-12.50"), -3, None, "'" + SUM]
    frame = pd.DataFrame({"n": [-1, 2], "t": [LINK, "ok"]})
    out = safe_frame(frame)
    assert out["n"].tolist() == [-1, 2] and out["t"].tolist() == ["'" + LINK, "ok"]
    assert frame["t"].tolist() == [LINK, "ok"]  # the caller's frame is not changed


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_hostile_quarantine_text_is_neutralised_in_the_csv_and_kept_in_the_ledger(tmp_path: Path) -> None:
    db = tmp_path / "secret-location" / "books.db"
    db.parent.mkdir()
    url = f"sqlite:///{db}"
    quarantine = pd.DataFrame({
        "source_id": ["acme", "acme"], "source_file": ["inv/acme.csv", "inv/acme.csv"], "source_line": [7, 9],
        "row_hash": ["q1", "q2"], "reason": ["MALFORMED_AMOUNT", "UNKNOWN_COST_CODE"], "field": [SUM, "cost_code"],
        "detail": [LINK, "-12.50"], "payload": ["{}", "{}"],
    })
    with Ledger.open(url) as led:
        led.post_batch("acme", "inv/acme.csv", "a" * 64, "invoice", None, quarantine, rows_read=2)
    current, events, stamp = load_exceptions(url, "Test")  # the quarantined rows are open exceptions
    assert sorted(current["detail"]) == sorted([LINK, "-12.50"])  # the ledger keeps the original text
    path = export_exceptions(exceptions_report(current, events), stamp, tmp_path / "out")
    rows = {r["where"]: r for r in _csv_rows(path)}
    assert rows["inv/acme.csv:7"]["detail"] == "'" + LINK
    assert rows["inv/acme.csv:9"]["detail"] == "-12.50"
    # the stamp names the books by their chain heads: one batch event, no journal entry; no location
    written = (tmp_path / "out" / "exceptions.stamp.json").read_text(encoding="utf-8")
    doc = json.loads(written)
    assert doc["source"] == "ledger" and doc["journal_entries"] == 0 and doc["audit_events"] >= 1
    assert len(doc["audit_head"]) == 64
    for text in (written, path.read_text(encoding="utf-8")):
        assert "secret-location" not in text and "books.db" not in text and "sqlite" not in text


def test_hostile_title_and_person_id_are_neutralised_in_the_remittance_files(tmp_path: Path) -> None:
    # SAG-AFTRA, PP 2026-03-02: 21.00%. 0.50 x 0.21 = 0.105 -> 0.11; the -0.50 reversal -> -0.11,
    # which stays a number (test_fringes works the same figures).
    prod = Production(title=LINK, employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",))
    sag = {"employee_id": SUM, "union": "SAG-AFTRA", "classification": "Principal Performer",
           "cost_code": "1400-01", "earning_type": "REG"}
    df = payroll([{**sag, "period_end": "2026-03-07", "amount": "0.50"},
                  {**sag, "period_end": "2026-03-14", "amount": "-0.50"}])
    paths = remittance_reports(compute_fringes(df, prod), prod, tmp_path)
    detail = next(p for p in paths if p.name.startswith("SAG_AFTRA") and not p.name.endswith("__totals.csv"))
    rows = _csv_rows(detail)
    assert {r["title"] for r in rows} == {"'" + LINK} and {r["person_id"] for r in rows} == {"'" + SUM}
    assert [r["contribution"] for r in rows] == ["0.11", "-0.11"]
    totals = _csv_rows(next(p for p in paths if p.name.startswith("SAG_AFTRA") and p.name.endswith("__totals.csv")))
    assert {r["title"] for r in totals} == {"'" + LINK}
    assert [r["contribution"] for r in totals] == ["0.11", "-0.11"]
