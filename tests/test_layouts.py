"""Export layouts real systems write: a preamble, a footer, a glob of monthly files, a workbook, UTF-16
and a cp1252 euro file, each posted through ``prodlib run`` with totals worked out by hand."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.accounts import CREDIT_ACCOUNT
from prodlib.cli import main
from prodlib.errors import ConfigError
from prodlib.ingest import read_source
from prodlib.ledger import LedgerView
from prodlib.reasons import Reason
from prodlib.sources import load_input_set
from prodlib.workbook import cell_text, number_text

DATA = Path(__file__).parent / "data" / "layouts"

PRODUCTION = """production_id: T-LAYOUT
title: Layouts (test)
employer_code: EMP-1
currency: {currency}
window: {{start: 2026-01-05, end: 2026-06-26}}
principal_photography: 2026-03-02
budget: {{version: BV-1, locked_on: 2026-01-02, author: Line producer}}
"""

SOURCES = r"""production: production.yaml
sources:
  - id: acme_preamble
    kind: invoice
    path: acme_preamble.csv
    header_row: 4
    date_format: "%m/%d/%Y"
    columns: {invoice_number: "Invoice #", invoice_date: "Inv Date", cost_code: Acct, description: Description,
              amount: Amount}
    constants: {vendor_id: V-ACME}
  - id: pacific
    kind: invoice
    path: pacific_footer.csv
    footer_pattern: "^(,*Total,|Printed on )"
    columns: {vendor_id: VendorNo, invoice_number: InvNo, invoice_date: Date, cost_code: GL, description: Memo,
              amount: Total}
  - id: acme_monthly
    kind: invoice
    path: monthly/acme-*.csv
    columns: {invoice_number: "Invoice Number", invoice_date: Date, cost_code: Account, description: Description,
              amount: Amount}
    constants: {vendor_id: V-ACME-M}
  - id: register
    kind: invoice
    path: register.xlsx
    sheet: Register
    header_row: 3
    footer_pattern: "^Total"
    columns: {invoice_number: "Inv No", invoice_date: Date, cost_code: GL, description: Memo, amount: Net}
    constants: {vendor_id: V-XL}
  - id: utf16
    kind: invoice
    path: utf16_invoices.txt
    encoding: utf-16
    delimiter: "\t"
    columns: {invoice_number: "Invoice Number", invoice_date: "Invoice Date", cost_code: Account,
              description: Description, amount: Amount}
    constants: {vendor_id: V-U16}
"""

EURO_SOURCES = """production: production.yaml
sources:
  - id: lumiere
    kind: invoice
    path: lumiere_eur.csv
    encoding: cp1252
    delimiter: ";"
    money_locale: eu
    date_format: "%d/%m/%Y"
    columns: {invoice_number: Facture, invoice_date: Date, cost_code: Compte, description: "Libellé",
              amount: Montant}
    constants: {vendor_id: V-LUM}
"""

LAYOUT_FILES = ("acme_preamble.csv", "pacific_footer.csv", "utf16_invoices.txt", "monthly")


def write_workbook(path: Path) -> Path:
    """A vendor's workbook: a notes sheet first, then "Register" with a 2-row title, typed cells, a total."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "Exported from VendorBooks"
    sheet = book.create_sheet("Register")
    sheet.append(["XL Lighting - invoice register"])  # row 1
    sheet.append([])  # row 2
    sheet.append(["Inv No", "Date", "GL", "Memo", "Net"])  # row 3: the header
    sheet.append([10045, date(2026, 3, 2), "2500-02", "Grip truck", 1234.5])  # row 4: 1234.50
    sheet.append(["10046", datetime(2026, 3, 3), "2500-02", "Expendables", 0.1 + 0.2])  # row 5: 0.30
    sheet.append([10047, date(2026, 3, 4), "2500-02", "Bad cents", 1234.5678])  # row 6: refused
    sheet.append([10048, date(2026, 3, 5), "2500-02", "Lamp", 2000])  # row 7: 2000.00
    sheet.append(["Total", None, None, None, "=SUM(E4:E7)"])  # row 8: footer (a formula, no cached value)
    book.save(path)
    return path


def production_folder(root: Path, sources: str, files: tuple[str, ...], currency: str = "USD") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION.format(currency=currency))
    (root / "sources.yaml").write_text(sources)
    for name in files:
        if (DATA / name).is_dir():
            shutil.copytree(DATA / name, root / name)
        else:
            shutil.copy(DATA / name, root / name)
    return root


def run_totals(root: Path, tmp_path: Path) -> tuple[dict[str, Decimal], LedgerView]:
    """``prodlib run`` into a fresh ledger; (source id -> net charged to cost codes, the ledger)."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert main(["run", "--input", str(root), "--db", url, "--remittance-out", "", "--quiet"]) == 0
    view = LedgerView.open(url)
    entries = view.entries_frame()
    costs = entries[entries["account"] != CREDIT_ACCOUNT["invoice"]]  # the debit side: the cost codes
    return {str(k): sum(v, Decimal(0)) for k, v in costs.groupby("source_id")["amount"]}, view


@pytest.fixture()
def layouts(tmp_path: Path) -> Path:
    root = production_folder(tmp_path / "in", SOURCES, LAYOUT_FILES)
    write_workbook(root / "register.xlsx")
    return root


def test_every_layout_posts_its_hand_worked_total(layouts: Path, tmp_path: Path) -> None:
    totals, view = run_totals(layouts, tmp_path)
    assert totals == {
        "acme_preamble": Decimal("2134.56"),  # 1,234.56 - 100.00 + 1,000.00
        "pacific": Decimal("2159.75"),  # 1,234.50 + 880.00 + 45.25 (the subtotal line is quarantined)
        "acme_monthly/acme-2026-01.csv": Decimal("750.25"),  # 500.00 + 250.25
        "acme_monthly/acme-2026-02.csv": Decimal("1050.00"),  # 1,100.00 - 50.00
        "acme_monthly/acme-2026-03.csv": Decimal("99.99"),
        "register": Decimal("3234.80"),  # 1,234.50 + 0.30 + 2,000.00 (1,234.5678 is refused)
        "utf16": Decimal("19.75"),  # 12.50 + 7.25
    }
    batches = view.batches_frame().set_index("source_id")
    # Three monthly files: three batches, three hashes.
    monthly = batches.loc[[i for i in batches.index if i.startswith("acme_monthly/")]]
    assert len(monthly) == 3 and monthly["file_hash"].nunique() == 3
    assert list(monthly["source_file"]) == [f"monthly/acme-2026-0{m}.csv" for m in (1, 2, 3)]
    # Preamble and footer lines are not rows: read = posted + quarantined over the table only.
    assert batches.loc["acme_preamble", "rows_read"] == 3
    assert batches.loc["pacific", "rows_read"] == 4  # P-1, P-2, the subtotal, P-3
    assert batches.loc["register", "rows_read"] == 4
    q = view.quarantine_frame().set_index(["source_id", "source_line"])
    # A total in the middle is a data row: with no vendor and no invoice number it is quarantined.
    assert ("pacific", 4) in q.index
    # The fraction of a cent on sheet row 6 is refused, on the row Excel shows.
    assert q.loc[("register", 6), "reason"] == Reason.MALFORMED_AMOUNT
    assert len(q) == 2
    view.close()


def test_line_numbers_are_the_file_s_physical_lines_and_the_sheet_s_rows(layouts: Path) -> None:
    specs = {s.id: s for s in load_input_set(layouts).sources}
    pre = read_source(specs["acme_preamble"])
    assert list(pre.frame["source_line"]) == [5, 6, 7]  # header on line 4
    assert [(r.first_line, r.last_line) for r in pre.skipped] == [(1, 3)]
    pac = read_source(specs["pacific"])
    assert list(pac.frame["source_line"]) == [2, 3, 4, 5]
    assert [(r.first_line, r.last_line) for r in pac.skipped] == [(6, 8)]  # Total, a blank line, Printed on
    book = read_source(specs["register"])
    assert list(book.raw["Inv No"]) == ["10045", "10046", "10047", "10048"]
    assert list(book.raw["Date"]) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    assert list(book.raw["Net"])[:2] == ["1234.50", "0.30"]
    assert list(book.quarantine["source_line"]) == [6]
    assert list(book.frame["source_line"]) == [4, 5, 7]


def test_a_cp1252_euro_file_in_a_euro_production(tmp_path: Path) -> None:
    root = production_folder(tmp_path / "in", EURO_SOURCES, ("lumiere_eur.csv",), currency="EUR")
    totals, view = run_totals(root, tmp_path)
    assert totals == {"lumiere": Decimal("1247.06")}  # 1.234,56 + 12,50
    view.close()


def test_footer_rows_counts_trailing_non_blank_lines(tmp_path: Path) -> None:
    root = production_folder(tmp_path / "in", SOURCES.replace(
        'footer_pattern: "^(,*Total,|Printed on )"', "footer_rows: 2"), LAYOUT_FILES)
    write_workbook(root / "register.xlsx")
    pac = read_source(next(s for s in load_input_set(root).sources if s.id == "pacific"))
    assert pac.rows_read == 4 and [(r.first_line, r.last_line) for r in pac.skipped] == [(6, 8)]


def test_a_glob_that_matches_nothing_or_leaves_the_folder_is_a_config_error(layouts: Path) -> None:
    (layouts / "sources.yaml").write_text(SOURCES.replace("monthly/acme-*.csv", "monthly/zeta-*.csv"))
    with pytest.raises(ConfigError, match=r"line 19, field .acme_monthly.path.*matches no file"):
        load_input_set(layouts)
    (layouts / "sources.yaml").write_text(SOURCES.replace("monthly/acme-*.csv", "../*/acme-*.csv"))
    with pytest.raises(ConfigError, match="leads outside the input folder"):
        load_input_set(layouts)


def test_layout_keys_are_checked_strictly(layouts: Path) -> None:
    for bad, message in (("header_row: 4", "header_row: 0"), ('footer_pattern: "^Total"', 'footer_pattern: "(["'),
                         ("sheet: Register", "sheet: 0")):
        (layouts / "sources.yaml").write_text(SOURCES.replace(bad, message, 1))
        with pytest.raises(ConfigError):
            load_input_set(layouts)
    (layouts / "sources.yaml").write_text(SOURCES.replace("encoding: utf-16", "encoding: utf-16\n    sheet: 1"))
    with pytest.raises(ConfigError, match="'sheet:' is for workbooks"):
        load_input_set(layouts)


def test_typed_numbers_become_exact_text() -> None:
    assert number_text(1234.5, "money") == "1234.50"
    assert number_text(0.1 + 0.2, "money") == "0.30"  # 4.4e-17 from 0.30: a formula's binary noise
    assert number_text(999999999.99, "money") == "999999999.99"  # the double nearest to it: accepted
    assert number_text(1234.5678, "money").startswith("1234.56780000000003")  # its exact expansion: refused
    assert number_text(0.3 + 2e-9, "money").startswith("0.30000000199999")  # 2e-9 from a cent: refused
    assert number_text(1234.5, "money", "eu") == "1234,50"
    assert number_text(10045.0, "text") == "10045"
    assert number_text(8.25, "quantity") == "8.25"
    assert cell_text(True) == "TRUE" and cell_text(None) == ""
    assert cell_text(datetime(2026, 3, 4, 10, 30)) == "2026-03-04 10:30:00"  # not a date: refused as one
