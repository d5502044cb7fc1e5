"""Ingest: three vendors who export differently, read exactly, every row located or quarantined."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from prodlib.ingest import MAX_CELL_CHARS, read_source
from prodlib.money import MoneyFormatError, parse_money
from prodlib.pipeline import Stage, classify_stage, duplicate_invoice_stage, process_source, start, validate_stage
from prodlib.reasons import Reason
from prodlib.sources import InputError, SourceSpec, load_input_set
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


# --- issue 8: quantities, currency, file structure, refusals ----------------------------------

INVOICE_COLUMNS = {"vendor_id": "Vendor", "invoice_number": "Invoice", "invoice_date": "Date", "cost_code": "Account",
                   "description": "Description", "amount": "Amount"}
INVOICE_HEADER = "Vendor,Invoice,Date,Account,Description,Amount\n"


def spec_for(path: Path, data: bytes | str, kind: str = "invoice", columns: dict[str, str] | None = None,
             **extra) -> SourceSpec:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return SourceSpec(id="src", kind=kind, path=path, columns=columns or INVOICE_COLUMNS, display_path=path.name,
                      **extra)


PAYROLL_COLUMNS = {"employee_id": "Emp", "union": "Union", "classification": "Class", "state": "St",
                   "period_end": "PE", "cost_code": "Acct", "earning_type": "Earn", "hours": "Hours", "rate": "Rate",
                   "amount": "Amount"}


def test_payroll_hours_and_rates_follow_the_source_locale(tmp_path: Path) -> None:
    eu = ("Emp;Union;Class;St;PE;Acct;Earn;Hours;Rate;Amount\n"
          "E-1;IATSE;Grip;CA;2026-03-07;2500-02;REG;8,00;45,1250;361,00\n"  # 8 hours at 45.125: not 800 hours
          "E-2;IATSE;Grip;CA;2026-03-07;2500-02;REG;1.010,5;1,5;1.515,75\n")  # grouped hours: 1010.5
    r = read_source(spec_for(tmp_path / "pay.csv", eu, "payroll", PAYROLL_COLUMNS, delimiter=";", money_locale="eu"))
    assert list(r.frame["hours"]) == [Decimal("8.0000"), Decimal("1010.5000")]
    assert list(r.frame["rate"]) == [Decimal("45.1250"), Decimal("1.5000")]
    us = ("Emp,Union,Class,St,PE,Acct,Earn,Hours,Rate,Amount\n"
          'E-1,IATSE,Grip,CA,2026-03-07,2500-02,REG,"8,00",45.00,360.00\n'  # "8,00" in a US file: refused
          "E-2,IATSE,Grip,CA,2026-03-07,2500-02,REG,8.25,45.00,371.25\n")
    r = read_source(spec_for(tmp_path / "pay_us.csv", us, "payroll", PAYROLL_COLUMNS))
    assert list(r.frame["hours"]) == [Decimal("8.2500")]
    q = r.quarantine.set_index("source_line")
    assert q.loc[2, "reason"] == Reason.MALFORMED_VALUE and q.loc[2, "field"] == "hours"


def test_another_currency_is_quarantined_and_the_production_currency_is_not(tmp_path: Path) -> None:
    text = INVOICE_HEADER + (
        "V-1,I-1,2026-03-04,2500-02,ok,$63.65\n"  # line 2: the production's own sign
        "V-1,I-2,2026-03-04,2500-02,euro,€63.65\n"  # line 3
        "V-1,I-3,2026-03-04,2500-02,pound code,63.65 GBP\n"  # line 4
        '"V-1","I-4","2026-03-04","2500-02","leading zero group","0,005"\n'  # line 5
        '"V-1","I-5","2026-03-04","2500-02","too large","5,000,000,000.00"\n'  # line 6
    )
    r = read_source(spec_for(tmp_path / "inv.csv", text), currency="USD")
    assert list(r.frame["amount"]) == [Decimal("63.65")]
    got = dict(zip(r.quarantine["source_line"], r.quarantine["reason"], strict=True))
    assert got == {3: Reason.CURRENCY_MISMATCH, 4: Reason.CURRENCY_MISMATCH, 5: Reason.MALFORMED_AMOUNT,
                   6: Reason.AMOUNT_OUT_OF_BOUNDS}
    # In a EUR production the euro sign is the source's own and the dollar is the stranger.
    r = read_source(spec_for(tmp_path / "inv.csv", text), currency="EUR")
    assert dict(zip(r.quarantine["source_line"], r.quarantine["reason"], strict=True))[2] == Reason.CURRENCY_MISMATCH
    assert Decimal("63.65") in list(r.frame["amount"])


def test_an_unclosed_quote_is_one_region_and_the_rows_after_it_are_kept(tmp_path: Path) -> None:
    text = INVOICE_HEADER + (
        "V-1,I-1,2026-03-04,2500-02,ok,1.00\n"  # line 2
        'V-1,I-2,2026-03-04,2500-02,"Grip tape, 2 rolls,2.00\n'  # line 3: the quote never closes
        "continued text,3.00\n"  # line 4: not a record of 6 fields: part of the region
        "V-1,I-4,2026-03-04,2500-02,ok,4.00\n"  # line 5: a full record: reading resumes here
        'V-1,I-5,2026-03-04,2500-02,"two\nlines",5.00\n'  # lines 6-7: a closed quoted newline, one record
        'V-1,I-6,2026-03-04,2500-02,"again,6.00\n'  # line 8: a second unclosed quote, to the end
    )
    r = read_source(spec_for(tmp_path / "inv.csv", text))
    assert list(r.frame["source_line"]) == [2, 5, 6]
    assert list(r.frame["amount"]) == [Decimal("1.00"), Decimal("4.00"), Decimal("5.00")]
    q = r.quarantine.set_index("source_line")
    assert list(q.index) == [3, 8] and set(q["reason"]) == {Reason.MALFORMED_FILE_REGION}
    assert "lines 3-4" in q.loc[3, "detail"] and "resumed at line 5" in q.loc[3, "detail"]
    assert json.loads(q.loc[3, "payload"])["text"].startswith('V-1,I-2,2026-03-04,2500-02,"Grip tape')
    # Rows read: every record, and each region as one row: 3 posted + 2 regions.
    assert r.rows_read == 5 == len(r.frame) + len(r.quarantine)


def test_carriage_return_only_lines_are_read_as_lines(tmp_path: Path) -> None:
    text = INVOICE_HEADER + "V-1,I-1,2026-03-04,2500-02,ok,1.00\nV-1,I-2,2026-03-04,2500-02,bad,1e3\n"
    text = text.replace("\n", "\r")
    r = read_source(spec_for(tmp_path / "inv.csv", text))
    assert list(r.frame["source_line"]) == [2] and list(r.quarantine["source_line"]) == [3]


def test_a_multibyte_character_across_the_64_kib_mark_reads_correctly(tmp_path: Path) -> None:
    head = INVOICE_HEADER + "V-1,I-1,2026-03-04,2500-02,"
    desc = "x" * (65535 - len(head)) + "é"  # é is two bytes: 0xC3 at offset 65535, 0xA9 at 65536
    data = (head + desc + ",1.00\n").encode()
    assert data[65535:65537] == "é".encode()
    r = read_source(spec_for(tmp_path / "inv.csv", data))
    assert r.frame["description"].iloc[0].endswith("xé")


def test_files_that_cannot_be_read_are_input_errors_naming_file_line_and_field(tmp_path: Path) -> None:
    late = (INVOICE_HEADER.encode() + b"V-1,I-1,2026-03-04,2500-02,ok,1.00\n" * 3
            + b"V-1,I-4,2026-03-04,2500-02,Caf\xe9,1.00\n")
    with pytest.raises(InputError, match=r"^inv.csv, line 5, field 'Description': cannot decode as utf-8"):
        read_source(spec_for(tmp_path / "inv.csv", late))
    big = INVOICE_HEADER + "V-1,I-1,2026-03-04,2500-02," + "x" * (5 * 2**20) + ",1.00\n"
    with pytest.raises(InputError, match=r"^inv.csv, line 2, field 'Description': a cell is longer than") as err:
        read_source(spec_for(tmp_path / "inv.csv", big))
    assert len(str(err.value)) < 300  # the message never prints the cell
    # The bound is the bound: a cell of exactly MAX_CELL_CHARS reads.
    edge = INVOICE_HEADER + "V-1,I-1,2026-03-04,2500-02," + "x" * MAX_CELL_CHARS + ",1.00\n"
    assert len(read_source(spec_for(tmp_path / "inv.csv", edge)).frame) == 1
    with pytest.raises(InputError, match=r"^sources.yaml, field 'src.delimiter': delimiter ';;'"):
        read_source(spec_for(tmp_path / "inv.csv", INVOICE_HEADER, delimiter=";;"))


def test_run_records_a_refused_file_and_runs_the_others(tmp_path: Path) -> None:
    from prodlib.pipeline import run

    write_production(tmp_path, {"inv/acme.csv": ACME, "inv/pacific.csv": PACIFIC})
    # lumiere: a late byte that is not UTF-8 (its kind is read first, before acme and pacific finish).
    (tmp_path / "inv/lumiere.csv").write_bytes(LUMIERE.encode("utf-8").replace(b"Trop", b"Tr\xf6p"))
    result = run(tmp_path, f"sqlite:///{tmp_path / 'l.db'}")
    (err,) = result.errors
    assert err.startswith("inv/lumiere.csv, line 6, field 'Libelle': cannot decode as utf-8")
    assert sorted(s.source_id for s in result.sources) == ["acme", "pacific"]
    assert result.rows_read == result.accepted + result.quarantined == 6


# --- property: any cell text either parses exactly or quarantines the row, never an exception ----

MONEY_BLANKS = "\t\n\v\f\r \u00a0\u2007\u202f"
cell_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\"\x00"), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=12), st.sampled_from(["us", "eu"]))
@example([("", "\x85"), (" 2026-03-04\u2003", "\u00a0$5 "), ("2026-02-30", "0,005")], "us")
def test_any_amount_or_date_cell_parses_exactly_or_is_quarantined(tmp_path: Path, cells, locale) -> None:
    lines = ["Vendor|Invoice|Date|Account|Description|Amount"]
    for i, (day, amount) in enumerate(cells):
        lines.append("|".join(["V-1", f"I-{i}", f'"{day}"', "2500-02", "x", f'"{amount}"']))
    r = read_source(spec_for(tmp_path / "p.csv", "\n".join(lines) + "\n", delimiter="|", money_locale=locale,
                             date_format="%Y-%m-%d"), currency="USD")
    assert r.rows_read == len(cells) == len(r.frame) + len(r.quarantine)
    good = r.frame.set_index("source_line")
    bad = r.quarantine.set_index("source_line")
    for i, (day, amount) in enumerate(cells):
        line = i + 2
        try:  # the independent reference: Python's strptime and the scalar Decimal parser
            want_day = datetime.strptime(day.strip(), "%Y-%m-%d").date() if day.strip() else None
            day_ok = True
        except ValueError:
            day_ok = False
        try:
            # Blank is the money grammar's blanks only (not every Unicode space: "\x85" is refused).
            want_amount = parse_money(amount, locale, "USD") if amount.strip(MONEY_BLANKS) else None
            amount_ok = want_amount is None or abs(want_amount) <= Decimal("1000000000.00")
        except MoneyFormatError:
            amount_ok = False
        if day_ok and amount_ok:
            got = good.loc[line]
            assert (got["invoice_date"] if pd.notna(got["invoice_date"]) else None) == want_day
            assert (got["amount"] if pd.notna(got["amount"]) else None) == want_amount
        else:
            assert bad.loc[line, "reason"] in {Reason.MALFORMED_DATE, Reason.MALFORMED_AMOUNT,
                                               Reason.CURRENCY_MISMATCH, Reason.AMOUNT_OUT_OF_BOUNDS}


TIMECARD_COLUMNS = {"employee_id": "Emp", "work_date": "Day", "call_time": "Call", "wrap_time": "Wrap"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(cell_text, st.from_regex(r"\A ?[0-9]{1,2}:[0-9]{2}\Z")), min_size=1, max_size=12))
def test_any_time_cell_is_a_clock_time_or_is_quarantined(tmp_path: Path, times) -> None:
    lines = ["Emp|Day|Call|Wrap"] + [f'E-1|2026-03-04|"{t}"|18:00' for t in times]
    r = read_source(spec_for(tmp_path / "t.csv", "\n".join(lines) + "\n", "timecard", TIMECARD_COLUMNS, delimiter="|"))
    assert r.rows_read == len(times) == len(r.frame) + len(r.quarantine)
    good = r.frame.set_index("source_line")
    for i, t in enumerate(times):
        m = re.fullmatch(r"[ \t]*([0-9]{1,2}):([0-5][0-9])[ \t]*", t)  # reference: H:MM or HH:MM, ASCII digits
        if m:
            assert good.loc[i + 2, "call_time"] == f"{m[1]}:{m[2]}"
        elif t.strip(" \t"):
            assert r.quarantine.set_index("source_line").loc[i + 2, "reason"] == Reason.MALFORMED_VALUE


file_bytes = st.lists(st.sampled_from([b'"', b",", b";", b"\r", b"\n", b"\r\n", b"\xff", b"\xc3", b"\xa9", b"a", b"1",
                                       b".", b"$", b"2026-03-04", b"V-1", b" "]), max_size=60).map(b"".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_bytes)
def test_any_file_is_read_with_every_record_accounted_for_or_refused_as_input(tmp_path: Path, body: bytes) -> None:
    """Whatever the bytes after the header: an InputError (exit 2), or rows read = good + quarantined."""
    try:
        r = read_source(spec_for(tmp_path / "any.csv", INVOICE_HEADER.encode() + body))
    except InputError as exc:
        assert str(exc).startswith(("any.csv", "sources.yaml"))
        return
    assert r.rows_read == len(r.frame) + len(r.quarantine)
    assert r.frame.index.intersection(r.quarantine.index).empty
    assert (r.frame["source_line"] >= 2).all() and (r.quarantine["source_line"] >= 2).all()
