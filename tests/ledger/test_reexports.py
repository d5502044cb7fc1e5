"""Re-exports post nothing twice (issue 8): a re-saved file, a cumulative export, money re-formatted.

Every test runs the pipeline on SQLite and PostgreSQL. The input folder is ``reexport_files``: one
source of each kind; its comments add up each week's amounts by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from prodlib import pipeline
from prodlib.cli import main
from prodlib.errors import LedgerError
from prodlib.ledger import Ledger, verify_chain
from prodlib.pipeline import run

from .reexport_files import HEADER, WEEK1, WEEK2, export, write_week

pytestmark = pytest.mark.slow


def _sqlalchemy_url(url: str) -> str:
    return url if "://" in url else f"sqlite:///{url}"


def by_kind(result) -> dict[str, tuple[int, int, int, int]]:
    """(read, accepted, quarantined, already posted) per kind of one run."""
    return {s.kind: (s.rows_read, s.accepted, s.quarantined, s.already_posted) for s in result.sources}


def balances(url: str) -> dict[str, int]:
    with Ledger.open(url, readonly=True) as led:
        return led.account_balances()


def conserved(result) -> bool:
    return all(s.rows_read == s.accepted + s.quarantined + s.already_posted for s in result.sources) and (
        result.rows_read == result.accepted + result.quarantined + result.already_posted)


@pytest.fixture
def db(url: str) -> str:
    return _sqlalchemy_url(url)


def test_a_cumulative_export_posts_exactly_its_new_rows(tmp_path: Path, db: str) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    first = run(root, db)
    assert not first.errors and conserved(first)
    # Week 1: both 12.00 taxi receipts of envelope PC-1 are posted (two rows, two keys).
    assert by_kind(first)["petty_cash"] == (3, 3, 0, 0)
    write_week(root, [WEEK1, WEEK2])
    second = run(root, db)
    assert not second.errors and conserved(second)
    got = by_kind(second)
    # read = week 1's rows (already posted) + week 2's (posted)
    assert got["invoice"] == (5, 2, 0, 3)
    assert got["purchase_order"] == (2, 1, 0, 1)
    assert got["petty_cash"] == (5, 2, 0, 3)  # the third taxi receipt is new, and the batteries
    assert got["timecard"] == (3, 1, 0, 2)
    assert got["payroll"] == (3, 1, 0, 2)
    assert got["bank"] == (3, 1, 0, 2)
    bal = balances(db)
    # invoices: week 1 100.00 + 1,234.50 + 300.00 = 1,634.50; week 2 40.00 + 2.50 = 42.50 -> 1,677.00
    assert bal["AP"] == -167_700 and bal["2500-02"] == 167_700
    # petty cash: 12.00 + 12.00 + 5.25 = 29.25; then 12.00 + 7.75 = 19.75 -> 49.00
    assert bal["PETTY_CASH"] == -4_900
    # wages: 2 x 200.00 then 200.00 -> 600.00, so fringes of week 2 only: social security 6.2 % of
    # 400.00 = 24.80 plus 6.2 % of 200.00 = 12.40 -> 37.20; Medicare 1.45 %: 5.80 + 2.90 = 8.70
    assert bal["PAYROLL_LIABILITY"] == -60_000
    assert bal["FRINGE_PAYABLE:FICA-SS"] == -3_720 and bal["FRINGE_PAYABLE:FICA-MED"] == -870
    with Ledger.open(db, readonly=True) as led:
        pos = led.purchase_orders_frame()
        assert sorted(pos["po_number"]) == ["PO-1", "PO-2"]  # each once
        b = led.batches_frame()
        assert (b["rows_read"] == b["rows_posted"] + b["rows_quarantined"] + b["rows_already_posted"]).all()
        # every posted row's key once, of every kind: week 1's rows + week 2's
        with led.engine.connect() as conn:
            keys = dict(conn.execute(sa.text("SELECT kind, COUNT(*) FROM posted_rows GROUP BY kind")).all())
        assert keys == {"invoice": 3 + 2, "purchase_order": 1 + 1, "petty_cash": 3 + 2, "timecard": 2 + 1,
                        "payroll": 2 + 1, "bank": 2 + 1}
        assert verify_chain(led).ok
    assert balances(db) == bal
    # A third run of the very same files: skipped by their hash, nothing read, nothing posted.
    third = run(root, db)
    assert all(s.skipped for s in third.sources) and third.rows_read == 0 and balances(db) == bal


def test_a_file_resaved_with_other_line_endings_or_a_bom_posts_nothing(tmp_path: Path, db: str) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    run(root, db)
    before = balances(db)
    for fmt in ({"newline": "\r\n"}, {"newline": "\r\n", "bom": True}, {"bom": True}):
        write_week(root, [WEEK1], **fmt)  # new bytes, new file hash, the same rows
        again = run(root, db)
        assert not again.errors and conserved(again)
        got = by_kind(again)
        # 3 invoice lines, 1 PO, 3 receipts, 2 timecards, 2 wage lines, 2 bank lines: all already posted
        assert {k: v for k, v in got.items() if k != "fringe"} == {
            "invoice": (3, 0, 0, 3), "purchase_order": (1, 0, 0, 1), "petty_cash": (3, 0, 0, 3),
            "timecard": (2, 0, 0, 2), "payroll": (2, 0, 0, 2), "bank": (2, 0, 0, 2)}, fmt
        assert got["fringe"] == (0, 0, 0, 0)  # no new wage line, no new fringe
        assert again.already_posted == 13 and again.quarantined == 0
        assert balances(db) == before


def test_money_reformatted_columns_reordered_requoted_posts_nothing(tmp_path: Path, db: str) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    run(root, db)
    before = balances(db)
    # The invoice export again: "1,234.50" -> "1234.50", "100.00" -> "$100.00", columns in another
    # order, every cell quoted. Same rows, so nothing is new.
    header = '"Amount","Description","Invoice #","Acct","Inv Date"'
    rows = ['"$100.00","Dolly","INV-1","2500-02","03/02/2026"', '"1234.50","Track","INV-1","2500-02","03/02/2026"',
            '"300","Crane","INV-2","2500-02","03/03/2026"']
    (root / "inv" / "acme.csv").write_bytes(export(rows, header))
    (root / "po" / "pos.csv").write_bytes(export([WEEK1["po/pos.csv"][0].replace('"5,000.00"', "5000")],
                                                 HEADER["po/pos.csv"]))
    again = run(root, db)
    got = by_kind(again)
    assert got["invoice"] == (3, 0, 0, 3) and got["purchase_order"] == (1, 0, 0, 1)
    assert balances(db) == before


def test_a_different_row_reusing_a_posted_invoice_number_is_still_a_duplicate(tmp_path: Path, db: str) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    run(root, db)
    week2 = {**WEEK2, "inv/acme.csv": [*WEEK2["inv/acme.csv"], "INV-1,03/10/2026,2500-02,Extra day,55.00"]}
    write_week(root, [WEEK1, week2])
    again = run(root, db)
    inv = next(s for s in again.sources if s.kind == "invoice")
    # INV-1's two posted lines come again: already posted, not duplicates. The new line claiming
    # INV-1 of V-ACME is a duplicate; INV-3's two lines post.
    assert (inv.rows_read, inv.accepted, inv.quarantined, inv.already_posted) == (6, 2, 1, 3)
    assert inv.reasons == {"DUPLICATE_INVOICE": 1}
    # 1,634.50 + 42.50 = 1,677.00; the 55.00 waits in the quarantine
    assert balances(db)["AP"] == -167_700


def test_a_file_posted_whole_is_skipped_without_being_parsed(tmp_path: Path, db: str, monkeypatch) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    run(root, db)
    before = balances(db)

    def no_reading(*_a, **_k):
        raise AssertionError("a file already posted was read")

    monkeypatch.setattr(pipeline, "read_source", no_reading)
    again = run(root, db)
    assert not again.errors and len(again.skipped) == len(again.sources) == 6
    assert (again.rows_read, again.accepted, again.quarantined, again.already_posted) == (0, 0, 0, 0)
    assert balances(db) == before


def test_the_run_summary_counts_rows_already_posted(tmp_path: Path, db: str, capsys) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    assert main(["run", "--quiet", "--input", str(root), "--db", db]) == 0
    first = capsys.readouterr().out
    assert "already posted" not in first
    write_week(root, [WEEK1, WEEK2])
    assert main(["run", "--quiet", "--input", str(root), "--db", db]) == 0
    out = capsys.readouterr().out
    total = next(x for x in out.splitlines() if x.startswith("total"))
    # read 5 + 2 + 5 + 3 + 3 + 3 = 21 and week 2's fringe rows; already posted 3 + 1 + 3 + 2 + 2 + 2 = 13
    read, accepted, quarantined, skipped = (int(v.replace(",", "")) for v in total.split()[1:5])
    assert skipped == 13 and quarantined == 0 and read == accepted + quarantined + skipped
    assert "(read = accepted + quarantined + already posted: True)" in total
    assert "already posted: 13 rows" in out


def test_rows_another_run_posted_meanwhile_are_caught_by_the_ledger(tmp_path: Path, db: str, monkeypatch) -> None:
    root = write_week(tmp_path / "in", [WEEK1])
    run(root, db)
    before = balances(db)
    write_week(root, [WEEK1, WEEK2])
    # As if week 1's rows were posted by a concurrent run after this run looked them up.
    monkeypatch.setattr(pipeline, "skip_posted", lambda stage, _posted: stage)
    with pytest.raises(LedgerError, match="payroll lines were posted by another run"):
        run(root, db)
    after = balances(db)
    # Invoices, POs, petty cash, timecards: the ledger set week 1's rows aside under its lock and posted
    # week 2's (42.50 of invoices, 19.75 of petty cash). Payroll refused whole, with no fringe: its
    # fringes would have priced week 1's lines again.
    assert after["AP"] - before["AP"] == -4_250 and after["PETTY_CASH"] - before["PETTY_CASH"] == -1_975
    assert after["PAYROLL_LIABILITY"] == before["PAYROLL_LIABILITY"]
    assert after["FRINGE_PAYABLE:FICA-SS"] == before["FRINGE_PAYABLE:FICA-SS"]
    monkeypatch.undo()
    again = run(root, db)  # the next run sets the posted lines aside first
    assert by_kind(again)["payroll"] == (3, 1, 0, 2)
    # wages 600.00, social security 6.2 % of 400.00 + 6.2 % of 200.00 = 37.20, as if nothing had happened
    assert balances(db)["PAYROLL_LIABILITY"] == -60_000 and balances(db)["FRINGE_PAYABLE:FICA-SS"] == -3_720
