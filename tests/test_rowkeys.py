"""Row keys (prodlib.rowkeys): the same rows give the same keys however the file was saved."""

from __future__ import annotations

from pathlib import Path

from prodlib.ingest import read_source
from prodlib.rowkeys import row_keys
from prodlib.sources import load_input_set

from .ledger.reexport_files import HEADER, WEEK1, WEEK2, export, write_week


def keys_of(root: Path, source_id: str) -> list[str]:
    spec = next(s for s in load_input_set(root).sources if s.id == source_id)
    result = read_source(spec)
    assert len(result.quarantine) == 0  # every row parsed: the keys cover the whole file
    return row_keys(spec.kind, result.frame).tolist()


def test_line_endings_bom_money_format_column_order_and_quoting_do_not_change_a_key(tmp_path: Path) -> None:
    root = write_week(tmp_path / "a", [WEEK1])
    plain = {s: keys_of(root, s) for s in ("acme", "petty", "cards", "payroll", "bank", "pos")}
    write_week(root, [WEEK1], newline="\r\n", bom=True)
    assert {s: keys_of(root, s) for s in plain} == plain
    # Invoices: columns in another order, every cell quoted, "1,234.50" as "1234.50", 100.00 as "$100".
    rows = ['"$100","Dolly","INV-1","2500-02","03/02/2026"', '"1234.50","Track","INV-1","2500-02","03/02/2026"',
            '"300.00","Crane","INV-2","2500-02","03/03/2026"']
    (root / "inv" / "acme.csv").write_bytes(export(rows, '"Amount","Description","Invoice #","Acct","Inv Date"'))
    assert keys_of(root, "acme") == plain["acme"]
    # Timecards: "8:00" is the time "08:00".
    cards = [r.replace(",08:00,", ",8:00,") for r in WEEK1["tc/cards.csv"]]
    (root / "tc" / "cards.csv").write_bytes(export(cards, HEADER["tc/cards.csv"]))
    assert keys_of(root, "cards") == plain["cards"]


def test_identical_rows_are_told_apart_by_their_ordinal_not_their_line(tmp_path: Path) -> None:
    root = write_week(tmp_path / "a", [WEEK1])
    week1 = keys_of(root, "petty")
    assert len(set(week1)) == 3  # the two identical 12.00 taxi receipts are two rows, two keys
    # A cumulative export that puts week 2's rows FIRST: every row of week 1 is on another line now,
    # and the third identical taxi receipt (week 2) stands before the first two.
    rows = [*WEEK2["pc/petty.csv"], *WEEK1["pc/petty.csv"]]
    (root / "pc" / "petty.csv").write_bytes(export(rows, HEADER["pc/petty.csv"]))
    both = keys_of(root, "petty")
    assert len(set(both)) == 5 and set(week1) <= set(both)  # week 1's three keys, two new ones


def test_a_key_changes_with_a_value(tmp_path: Path) -> None:
    root = write_week(tmp_path / "a", [WEEK1])
    before = keys_of(root, "bank")
    rows = [WEEK1["bk/bank.csv"][0], WEEK1["bk/bank.csv"][1].replace("-250.00", "-250.01")]
    (root / "bk" / "bank.csv").write_bytes(export(rows, HEADER["bk/bank.csv"]))
    after = keys_of(root, "bank")
    assert after[0] == before[0] and after[1] != before[1]
