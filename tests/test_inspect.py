"""``prodlib inspect`` proposes entries that work, fed back to ``prodlib run``; ``prodlib check`` reports
what a run would quarantine and writes nothing."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from prodlib.cli import INPUT_KINDS, main
from prodlib.dryrun import dry_run
from prodlib.inspect import guess_encoding, inspect_file, normalise_header
from prodlib.sample import generate
from prodlib.sources import KINDS
from tests.test_layouts import DATA, PRODUCTION, run_totals, write_workbook


def proposal_folder(root: Path, files: list[str], constants: dict[str, str], glob: str | None = None) -> Path:
    """Each file's inspect proposal as sources.yaml entries; the test adds what no file says (the vendor)."""
    root.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in files:
        proposal = yaml.safe_load(inspect_file(root / name).yaml)  # the printed YAML, comments and all
        (entry,) = proposal["sources"]
        entry["constants"] = {"vendor_id": constants[name]}
        if glob:
            entry["path"] = glob
        entries.append(entry)
    (root / "sources.yaml").write_text(yaml.safe_dump({"production": "production.yaml", "sources": entries}))
    return root


@pytest.mark.parametrize(("files", "currency", "glob", "expected"), [
    (["acme_preamble.csv"], "USD", None, {"acme_preamble": "2134.56"}),  # 1,234.56 - 100.00 + 1,000.00
    (["pacific_footer.csv"], "USD", None, {"pacific_footer": "2159.75"}),  # 1,234.50 + 880.00 + 45.25
    (["utf16_invoices.txt"], "USD", None, {"utf16_invoices": "19.75"}),  # 12.50 + 7.25
    (["lumiere_eur.csv"], "EUR", None, {"lumiere_eur": "1247.06"}),  # 1.234,56 + 12,50
    (["register.xlsx"], "USD", None, {"register": "3234.80"}),  # 1,234.50 + 0.30 + 2,000.00
    # One file inspected, its entry given the glob: each month its own source.
    (["monthly/acme-2026-01.csv"], "USD", "monthly/acme-*.csv",
     {"acme_2026_01/acme-2026-01.csv": "750.25", "acme_2026_01/acme-2026-02.csv": "1050.00",
      "acme_2026_01/acme-2026-03.csv": "99.99"}),
])
def test_the_proposal_runs_and_posts_the_hand_worked_totals(tmp_path: Path, files, currency, glob, expected) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "production.yaml").write_text(PRODUCTION.format(currency=currency))
    if files == ["register.xlsx"]:
        write_workbook(root / "register.xlsx")
    elif glob:
        shutil.copytree(DATA / "monthly", root / "monthly")
    else:
        shutil.copy(DATA / files[0], root / files[0])
    proposal_folder(root, files, {f: "V-TEST" for f in files}, glob)
    totals, view = run_totals(root, tmp_path)
    view.close()
    assert totals == {k: Decimal(v) for k, v in expected.items()}


def test_what_inspect_found_in_each_file(tmp_path: Path) -> None:
    pre = inspect_file(DATA / "acme_preamble.csv").entry
    assert pre["header_row"] == 4 and pre["date_format"] == "%m/%d/%Y"
    assert pre["columns"]["invoice_number"] == "Invoice #" and "vendor_id" not in pre["columns"]
    pac = inspect_file(DATA / "pacific_footer.csv").entry
    assert pac["footer_pattern"] == "^(,,,,Total|Printed)" and "header_row" not in pac
    eur = inspect_file(DATA / "lumiere_eur.csv").entry
    assert (eur["encoding"], eur["delimiter"], eur["money_locale"], eur["date_format"]) == (
        "cp1252", ";", "eu", "%d/%m/%Y")  # 25/03/2026 leaves only day-first
    u16 = inspect_file(DATA / "utf16_invoices.txt").entry
    assert (u16["encoding"], u16["delimiter"]) == ("utf-16", "\t")
    book = inspect_file(write_workbook(tmp_path / "register.xlsx"), sheet="Register").entry
    assert book["sheet"] == "Register" and book["header_row"] == 3 and book["footer_pattern"] == "^(Total)"
    assert book["columns"] == {"invoice_number": "Inv No", "invoice_date": "Date", "cost_code": "GL",
                               "description": "Memo", "amount": "Net"}


def test_an_ambiguous_date_format_is_named_and_not_chosen(tmp_path: Path) -> None:
    path = tmp_path / "ambiguous.csv"
    path.write_text('Invoice #,Date,GL,Amount\nB-1,03/04/2026,2500-02,"1,234"\nB-2,05/06/2026,2500-02,"2,500"\n')
    proposal = inspect_file(path)
    assert "date_format" not in proposal.entry
    assert "# NOTE: date_format is ambiguous: %m/%d/%Y and %d/%m/%Y both parse every value of Date" in proposal.yaml
    # "1,234" is not ambiguous for money: read as 'eu' it would be 1.234, three decimals, refused.
    assert "money_locale" not in proposal.entry and "money_locale" not in proposal.yaml
    assert "'03/04/2026'" in proposal.yaml  # a sample value, as a comment
    assert yaml.safe_load(proposal.yaml)["sources"][0]["id"] == "ambiguous"


def test_encodings_are_told_from_their_bytes() -> None:
    text = "Invoice #,Amount\nA-1,12.50\n"
    assert guess_encoding(text.encode("utf-16-le")) == "utf-16-le"  # no BOM: the zero bytes say it
    assert guess_encoding(text.encode("utf-16-be")) == "utf-16-be"
    assert guess_encoding(b"\xef\xbb\xbf" + text.encode()) == "utf-8"
    assert guess_encoding("Libellé;Montant\n€;1\n".encode("cp1252")) == "cp1252"
    assert guess_encoding("Libellé;Montant\n".encode()) == "utf-8"
    assert normalise_header(" Invoice # ") == "invoiceno" and normalise_header("Libellé") == "libelle"


def test_cli_kind_choices_are_the_sources_kinds() -> None:
    assert INPUT_KINDS == KINDS


@pytest.mark.slow
def test_check_reports_exactly_the_sample_s_faults_and_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    sample = tmp_path / "sample"
    generate(sample, scale="indie", seed=3)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRODLIB_DATABASE_URL", f"sqlite:///{tmp_path / 'books.db'}")
    assert main(["check", "--input", str(sample)]) == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "books.db").exists() and not (tmp_path / "var").exists()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # not a file written
    assert "would quarantine" in out and "DUPLICATE_INVOICE" in out
    result = dry_run(sample)
    got = Counter((f.file, int(line), reason) for f in result.files
                  for line, reason in zip(f.quarantine["source_line"], f.quarantine["reason"], strict=True))
    manifest = json.loads((sample / "manifest.json").read_text())
    assert got == Counter((f["file"], int(f["line"]), f["reason"]) for f in manifest["faults"])
    assert result.errors == ()
    read = sum(f.rows_read for f in result.files)
    assert read == sum(f.would_post + len(f.quarantine) for f in result.files)


def test_check_on_a_broken_sources_yaml_is_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "production.yaml").write_text(PRODUCTION.format(currency="USD"))
    (tmp_path / "sources.yaml").write_text("sources:\n  - id: a\n    kind: invoice\n    path: a.csv\n"
                                           "    columns: {amount: A}\n    delimter: ';'\n")
    assert main(["check", "--input", str(tmp_path)]) == 2
    assert "did you mean 'delimiter'" in capsys.readouterr().err


def test_the_cli_prints_the_proposal(capsys) -> None:
    assert main(["inspect", str(DATA / "acme_preamble.csv"), "--id", "acme"]) == 0
    out = capsys.readouterr().out
    assert out == inspect_file(DATA / "acme_preamble.csv", source_id="acme").yaml
    assert yaml.safe_load(out)["sources"][0]["id"] == "acme"
    assert main(["inspect", str(DATA / "no_such_file.csv")]) == 2
