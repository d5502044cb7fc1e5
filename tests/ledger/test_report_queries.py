"""The reports' reads done in the database equal a plain walk over every journal line.

The P&H report reads the entries touching a fringe payable; it used to load every journal line and
filter in pandas, now the database selects them (by the account index). Small production, by hand:
entry 5 (payroll fringe, PR-1) debits 1400-01 1,050.00 and credits FRINGE_PAYABLE:SAG-AFTRA 1,050.00;
entry 7 pays the fund: debit FRINGE_PAYABLE:SAG-AFTRA 1,050.00, credit CASH 1,050.00. Entry 8
(petty cash) and the invoices touch no payable. So exactly entries 5 and 7, four lines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from prodlib.ledger import Ledger
from prodlib.reports.load import LEDGER_LINE_COLUMNS, load_pnh_inputs

from .helpers import full_ledger


def small_production(led: Ledger) -> None:
    full_ledger(led)  # entries 1-6
    led.post_entry("2026-03-31", [("FRINGE_PAYABLE:SAG-AFTRA", "1050.00"), ("CASH", "-1050.00")],
                   "SAG-AFTRA remittance", document_no="SAG-AFTRA:P&H:2026-03-03")
    led.post_entry("2026-04-02", [("2500-02", "12.34"), ("PETTY_CASH", "-12.34")], "receipt")


def plain_walk(led: Ledger) -> list[tuple]:
    """Independent: every line of every entry, in Python, kept when its entry has a payable line."""
    rows = list(led.entries_frame().itertuples(index=False))
    touching = {r.entry_id for r in rows if str(r.account).startswith("FRINGE_PAYABLE:")}
    return [(r.entry_id, r.account, r.amount) for r in rows if r.entry_id in touching]


def test_lines_touching_the_payables_by_hand_and_by_a_plain_walk(led):
    small_production(led)
    got = led.lines_of_entries_touching("FRINGE_PAYABLE:")
    lines = [(r.entry_id, r.account, r.amount) for r in got.itertuples(index=False)]
    assert lines == [(5, "1400-01", Decimal("1050.00")), (5, "FRINGE_PAYABLE:SAG-AFTRA", Decimal("-1050.00")),
                     (7, "FRINGE_PAYABLE:SAG-AFTRA", Decimal("1050.00")), (7, "CASH", Decimal("-1050.00"))]
    assert lines == plain_walk(led)
    assert list(got.columns) == list(led.entries_frame().columns)
    assert led.latest_entry_date() == date(2026, 4, 2)  # entry 8, the last dated


def test_the_pnh_loader_reads_the_same_frame_as_before(tmp_path):
    url = f"sqlite:///{tmp_path / 'books.db'}"
    led = Ledger.open(url)
    try:
        small_production(led)
        entries = led.entries_frame()
    finally:
        led.close()
    # What the loader did before: the whole journal, filtered in pandas.
    touching = entries.loc[entries["account"].astype(str).str.startswith("FRINGE_PAYABLE:"), "entry_id"]
    before = entries.loc[entries["entry_id"].isin(set(touching)), LEDGER_LINE_COLUMNS].reset_index(drop=True)
    inputs = load_pnh_inputs(url)
    pd.testing.assert_frame_equal(inputs.ledger_lines, before)
    assert inputs.as_of == date(2026, 4, 2)
