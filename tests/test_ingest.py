"""Ingest: three vendors who export differently, read exactly, every row located or quarantined."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.ingest import read_source
from prodlib.pipeline import Stage, classify_stage, duplicate_invoice_stage, process_source, start, validate_stage
from prodlib.reasons import Reason
from prodlib.sources import InputError, load_input_set
from prodlib.taxonomy import get_chart

PRODUCTION = """production_id: T-1
title: Night Shoot (test)
employer_code: EMP-1
window: {start: 2026-01-05, end: 2026-06-26}
principal_photography: 2026-03-02
budget: {version: BV-1, locked_on: 2026-01-02, author: Line producer}
"""

SOURCES = """production: production.yaml
sources:
  - id: acme
    kind: invoice
    path: inv/acme.csv
    date_format: "%m/%d/%Y"
    columns: {invoice_number: "Invoice #", invoice_date: "Inv Date", cost_code: Acct,
              description: Description, amount: Amount}
    constants: {vendor_id: V-ACME, vendor_name: Acme Grip}
  - id: pacific
    kind: invoice
    path: inv/pacific.csv
    date_format: "%Y-%m-%d"
    columns: {vendor_id: VendorNo, invoice_number: InvNo, invoice_date: Date, cost_code: GL,
              description: Memo, amount: Total}
    default_cost_code: "3700-01"
  - id: lumiere
    kind: invoice
    path: inv/lumiere.csv
    delimiter: ";"
    money_locale: eu
    date_format: "%d-%b-%y"
    columns: {invoice_number: Facture, invoice_date: Date, cost_code: Compte, description: Libelle,
              amount: Montant}
    constants: {vendor_id: V-LUM}
"""


def write_production(root: Path, files: dict[str, str]) -> Path:
    (root / "inv").mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION)
    (root / "sources.yaml").write_text(SOURCES)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


ACME = (
    "Invoice #,Inv Date,Acct,Description,Amount\n"
    'A-100,03/04/2026,2500.02,"Grip package, week 1","$1,234.56"\n'  # line 2
    "A-101,03/05/2026,2500-02,Credit: returned dolly,(100.00)\n"  # line 3: a credit note
    "A-102,02/31/2026,2500-02,No such day,5.00\n"  # line 4: Feb 31
    "A-103,03/05/2026,250002,Exponent,1e3\n"  # line 5: not money
)
PACIFIC = (
    "VendorNo,InvNo,Date,GL,Memo,Total\n"
    "V-PAC,P-1,2026-03-04,,Catering lunch day 3,1234.5\n"  # no code: the source's default 3700-01
    "V-PAC,P-2,2026-03-05,3700,Second meal,880\n"  # bare account with one detail
)
LUMIERE = (
    "Facture;Date;Compte;Libelle;Montant\n"
    "L-1;4-Mar-26;530001;Étalonnage;1.234,56\n"  # line 2
    "\n"  # line 3: blank, not a row
    'L-2;5-Mar-26;5300-02;"Livraison\nDCP";12,5\n'  # lines 4-5: a quoted newline
    "L-3;6-Mar-26;5300-02;Trop;1,00;extra\n"  # line 6: one field too many
)


@pytest.fixture()
def inputs(tmp_path: Path):
    return load_input_set(write_production(tmp_path, {"inv/acme.csv": ACME, "inv/pacific.csv": PACIFIC,
                                                      "inv/lumiere.csv": LUMIERE}))


def by_id(inputs, sid: str):
    return next(s for s in inputs.sources if s.id == sid)


def test_us_vendor_amounts_credits_and_bad_cells(inputs) -> None:
    r = read_source(by_id(inputs, "acme"))
    assert r.rows_read == 4
    assert list(r.frame["amount"]) == [Decimal("1234.56"), Decimal("-100.00")]
    assert list(r.frame["invoice_date"]) == [date(2026, 3, 4), date(2026, 3, 5)]
    q = r.quarantine.set_index("source_line")
    assert q.loc[4, "reason"] == Reason.MALFORMED_DATE and q.loc[4, "field"] == "invoice_date"
    assert q.loc[5, "reason"] == Reason.MALFORMED_AMOUNT and "1e3" in q.loc[5, "detail"]
    assert '"Amount": "1e3"' in q.loc[5, "payload"]  # the raw row is kept for the fix and the override


def test_european_vendor_with_blank_lines_quoted_newlines_and_ragged_rows(inputs) -> None:
    r = read_source(by_id(inputs, "lumiere"))
    assert r.rows_read == 3  # the blank line is not a row
    assert list(r.frame["source_line"]) == [2, 4]  # physical lines: L-2 starts on line 4
    assert list(r.frame["amount"]) == [Decimal("1234.56"), Decimal("12.50")]
    assert r.frame["description"].iloc[1] == "Livraison\nDCP"
    (line,) = r.quarantine["source_line"]
    assert line == 6 and r.quarantine["reason"].iloc[0] == Reason.MALFORMED_VALUE


def test_row_hash_is_content_only(inputs, tmp_path: Path) -> None:
    a = read_source(by_id(inputs, "acme"))
    b = read_source(by_id(inputs, "acme"))
    assert list(a.frame["row_hash"]) == list(b.frame["row_hash"])
    assert a.frame["row_hash"].nunique() == len(a.frame)


def test_code_spellings_resolve_and_vendor_defaults_apply(inputs) -> None:
    chart = get_chart()
    pac = classify_stage(start(read_source(by_id(inputs, "pacific"))), chart)
    assert list(pac.good["cost_code"]) == ["3700-01", "3700-01"]
    lum = classify_stage(start(read_source(by_id(inputs, "lumiere"))), chart)
    assert list(lum.good["cost_code"]) == ["5300-01", "5300-02"]


def test_missing_column_is_a_clear_error_naming_file_line_and_column(tmp_path: Path) -> None:
    bad = ACME.replace("Inv Date", "Date Inv")
    inputs = load_input_set(write_production(tmp_path, {"inv/acme.csv": bad, "inv/pacific.csv": PACIFIC,
                                                        "inv/lumiere.csv": LUMIERE}))
    with pytest.raises(InputError) as err:
        read_source(by_id(inputs, "acme"))
    msg = str(err.value)
    assert msg.startswith("inv/acme.csv, line 1:") and "invoice_date <- 'Inv Date'" in msg


def test_undecodable_file_is_a_clear_error(tmp_path: Path) -> None:
    inputs = load_input_set(write_production(tmp_path, {"inv/pacific.csv": PACIFIC, "inv/lumiere.csv": LUMIERE}))
    (tmp_path / "inv/acme.csv").write_bytes(b"Invoice #,Inv Date\n\xff\xfe\x00bad\n")
    with pytest.raises(InputError, match=r"inv/acme.csv.*cannot decode as utf-8"):
        read_source(by_id(inputs, "acme"))


def test_a_bad_sources_yaml_names_the_entry_and_field(tmp_path: Path) -> None:
    write_production(tmp_path, {})
    typo = SOURCES.replace("kind: invoice\n    path: inv/pacific", "kind: invoise\n    path: inv/pacific")
    (tmp_path / "sources.yaml").write_text(typo)
    # SOURCES: line 10 is "- id: pacific", line 11 its "kind:" (the line is now named too)
    with pytest.raises(InputError, match=r"sources.yaml, line 11, field 'pacific.kind': kind 'invoise' is not one of"):
        load_input_set(tmp_path)


# --- the stages after ingest: validate, classify, duplicates --------------------------------

WINDOW_AND_BLANKS = (
    "Invoice #,Inv Date,Acct,Description,Amount\n"
    "A-1,03/04/2026,2500-02,ok,10.00\n"  # line 2: posts
    ",03/04/2026,2500-02,no number,10.00\n"  # line 3: MISSING_FIELD invoice_number
    "A-3,03/04/2026,2500-02,no amount,\n"  # line 4: MISSING_FIELD amount
    "A-4,12/24/2025,2500-02,before prep,10.00\n"  # line 5: DATE_OUT_OF_WINDOW
    "A-5,06/27/2026,2500-02,day after wrap,10.00\n"  # line 6: DATE_OUT_OF_WINDOW (window ends 06-26)
    "A-6,06/26/2026,2500-02,wrap day,10.00\n"  # line 7: inside (the window is inclusive)
    "A-7,03/04/2026,9950-01,no such code,10.00\n"  # line 8: UNKNOWN_COST_CODE
    "A-8,03/04/2026,2500,which detail?,10.00\n"  # line 9: AMBIGUOUS_COST_CODE
    "A-9,03/04/2026,,misc,10.00\n"  # line 10: MISSING_COST_CODE (no default, no keyword)
)


def test_each_bad_row_gets_its_reason_and_conservation_holds(tmp_path: Path) -> None:
    inputs = load_input_set(write_production(tmp_path, {"inv/acme.csv": WINDOW_AND_BLANKS,
                                                        "inv/pacific.csv": PACIFIC, "inv/lumiere.csv": LUMIERE}))
    stage = process_source(by_id(inputs, "acme"), inputs.production, get_chart(), set())
    got = dict(zip(stage.quarantine["source_line"], stage.quarantine["reason"], strict=True))
    assert got == {
        3: Reason.MISSING_FIELD, 4: Reason.MISSING_FIELD, 5: Reason.DATE_OUT_OF_WINDOW,
        6: Reason.DATE_OUT_OF_WINDOW, 8: Reason.UNKNOWN_COST_CODE, 9: Reason.AMBIGUOUS_COST_CODE,
        10: Reason.MISSING_COST_CODE,
    }
    assert list(stage.good["source_line"]) == [2, 7]
    assert stage.ingest.rows_read == len(stage.good) + len(stage.quarantine) == 9


MULTI_LINE = (
    "Invoice #,Inv Date,Acct,Description,Amount\n"
    "A-1,03/04/2026,2500-02,dolly,100.00\n"  # line 2 \\ invoice A-1, two lines: not a duplicate
    "A-1,03/04/2026,2500-04,tape,20.00\n"  # line 3 /
    "A-2,03/05/2026,2500-02,jib,50.00\n"  # line 4
    "A-2,03/05/2026,2500-02,jib,50.00\n"  # line 5: the same line again, verbatim: a duplicate
    "A-1,03/04/2026,2500-02,dolly,100.00\n"  # line 6 \\ A-1 sent again: both lines are duplicates
    "A-1,03/04/2026,2500-04,tape,20.00\n"  # line 7 /
    "A-9,03/06/2026,2500-02,posted last week,70.00\n"  # line 8: already in the ledger
)


def test_duplicate_invoices_keep_the_first_and_respect_multi_line_invoices(tmp_path: Path) -> None:
    inputs = load_input_set(write_production(tmp_path, {"inv/acme.csv": MULTI_LINE,
                                                        "inv/pacific.csv": PACIFIC, "inv/lumiere.csv": LUMIERE}))
    stage: Stage = validate_stage(start(read_source(by_id(inputs, "acme"))), inputs.production)
    stage = duplicate_invoice_stage(classify_stage(stage, get_chart()), {("V-ACME", "A-9")})
    assert list(stage.good["source_line"]) == [2, 3, 4]
    assert sorted(stage.quarantine["source_line"]) == [5, 6, 7, 8]
    assert set(stage.quarantine["reason"]) == {Reason.DUPLICATE_INVOICE}
    assert "earlier batch" in stage.quarantine.set_index("source_line").loc[8, "detail"]


def test_one_suite_run_over_several_files_sends_each_failure_to_its_own_file(tmp_path: Path) -> None:
    """Validation runs once per kind over all its files; row positions must map back to the right file."""
    from prodlib.pipeline import validate_stages

    acme = "Invoice #,Inv Date,Acct,Description,Amount\nA-1,03/04/2026,2500-02,ok,1.00\nA-2,03/04/2026,2500-02,x,\n"
    pacific = ("VendorNo,InvNo,Date,GL,Memo,Total\n"
               ",P-1,2026-03-04,3700-01,no vendor,5.00\nV-PAC,P-2,2026-03-05,3700,ok,6\n")
    inputs = load_input_set(write_production(tmp_path, {"inv/acme.csv": acme, "inv/pacific.csv": pacific,
                                                        "inv/lumiere.csv": LUMIERE}))
    stages = validate_stages([start(read_source(by_id(inputs, sid))) for sid in ("acme", "pacific")],
                             inputs.production)
    (a, p) = stages
    # acme: line 3 has no amount; pacific: line 2 has no vendor. Each file keeps its other row.
    assert list(a.quarantine["source_line"]) == [3] and list(a.good["source_line"]) == [2]
    assert list(p.quarantine["source_line"]) == [2] and list(p.good["source_line"]) == [3]
    assert set(a.quarantine["field"]) == {"amount"} and set(p.quarantine["field"]) == {"vendor_id"}
