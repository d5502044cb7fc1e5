"""A correction re-enters the pipeline: it posts if it now passes, it stays with the new reason if not;
conservation holds over the whole history after each (figures by hand from files.py).

Before any correction the books hold INV-1 100.00 and INV-4 45.50: AP -145.50, 2500-02 +145.50.
"""

from __future__ import annotations

import json

import pytest

from prodlib.errors import QueueError
from prodlib.exceptions.conservation import conservation
from prodlib.exceptions.correct import correct
from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger import exceptions as queue
from prodlib.pipeline import run

from .files import INVOICE_HEADER, INVOICES, write_inputs


def _state(led: Ledger):
    with led.engine.connect() as conn:
        return queue.current_frame(conn, led.production_id).set_index("exception_id"), \
            conservation(conn, led.production_id), led.account_balances()


def test_after_the_run_every_quarantined_row_is_an_open_exception(books) -> None:
    _, url = books
    with Ledger.open(url) as led:
        x, c, bal = _state(led)
    assert list(x["state"]) == ["open", "open"]
    assert list(x["kind"]) == ["ingest", "classification"]
    assert list(x["source_line"]) == [3, 4]
    assert x.loc[1, "amount_cents"] is None  # "12,3x.00" could not be read
    assert x.loc[2, "amount_cents"] == 30_000  # INV-3's 300.00
    assert json.loads(x.loc[1, "payload"])["Amount"] == "12,3x.00"  # the raw row as read
    # read 4 invoices + 1 PO = 5 = posted 2 invoices + 1 PO + 2 open
    assert (c.rows_read, c.posted, c.by_state["open"], c.holds) == (5, 3, 2, True)
    assert bal["AP"] == -14_550


def test_a_correction_that_fails_again_stays_open_with_the_new_reason(books) -> None:
    root, url = books
    with Ledger.open(url) as led:
        res = correct(led, root, 2, by="Ana", changes={"cost_code": "9999-98"})
        assert (res.state, res.reason, res.posted) == ("open", "UNKNOWN_COST_CODE", False)
        assert "'9999-98' is not in chart" in res.detail
        with led.engine.connect() as conn:
            ev = queue.events_frame(conn, led.production_id, 2)
        assert list(ev["action"]) == ["open", "correction_failed"]
        assert "validated again: UNKNOWN_COST_CODE" in ev["why"].iloc[1] and "9999-98" in ev["why"].iloc[1]
        # the amount now fails instead: the event records the new reason
        res = correct(led, root, 2, by="Ana", changes={"Amount": "3OO.00"})
        assert (res.state, res.reason) == ("open", "MALFORMED_AMOUNT")
        x, c, bal = _state(led)
        assert x.loc[2, "current_reason"] == "MALFORMED_AMOUNT" and x.loc[2, "reason"] == "UNKNOWN_COST_CODE"
        assert bal["AP"] == -14_550  # nothing posted
        assert (c.rows_read, c.posted, c.by_state["open"], c.holds) == (5, 3, 2, True)
        assert verify_chain(led).ok


def test_a_correction_that_passes_posts_once_and_a_reexport_does_not_post_it_again(any_books) -> None:
    root, url = any_books  # SQLite and PostgreSQL
    with Ledger.open(url) as led:
        res = correct(led, root, 1, by="Ana", changes={"amount": "12.30"})
        assert res.state == "corrected" and res.posted and res.entry_id == 3  # entries 1-2 were the run's
        x, c, bal = _state(led)
        assert x.loc[1, "state"] == "corrected"
        assert bal["AP"] == -14_550 - 1_230  # 145.50 + 12.30 = 157.80
        # read 5 = posted 3 + corrected 1 + open 1; the correction batch is not a new read
        assert (c.rows_read, c.posted, c.by_state["corrected"], c.by_state["open"], c.corrections_posted) == \
            (5, 3, 1, 1, 1)
        assert c.holds
        with led.engine.connect() as conn:
            ev = queue.events_frame(conn, led.production_id, 1).iloc[-1]
        assert (ev["action"], ev["batch_id"], ev["entry_id"], ev["row_key"]) == ("correct", 3, 3, res.row_key)
        entry = led.entries_frame().query("entry_id == 3")
        assert set(entry["source_line"]) == {3} and set(entry["document_no"]) == {"INV-2"}
        # the row, with its cost code fixed, through a corrected CSV written as the export is
        fixed = root / "inv3.csv"
        fixed.write_text(INVOICE_HEADER + "\nINV-3,03/03/2026,2500-02,Crane,300.00\n", encoding="utf-8")
        res = correct(led, root, 2, by="Ana", corrected_file=fixed)
        assert res.posted and res.entry_id == 4
        assert led.account_balances()["AP"] == -15_780 - 30_000  # 157.80 + 300.00 = 457.80
    # the vendor re-exports the file with both rows fixed and one new line, INV-5 10.00
    rows = [INVOICES[0], "INV-2,03/03/2026,2500-02,Track,12.30", "INV-3,03/03/2026,2500-02,Crane,300.00",
            INVOICES[3], "INV-5,03/05/2026,2500-02,Tape,10.00"]
    again = run(write_inputs(root.parent / "in", rows), url)
    acme = next(s for s in again.sources if s.source_id == "acme")
    assert (acme.rows_read, acme.accepted, acme.quarantined, acme.already_posted) == (5, 1, 0, 4)
    with Ledger.open(url) as led:
        x, c, bal = _state(led)
        assert bal["AP"] == -46_780  # 457.80 + 10.00: the corrected rows are not posted twice
        # read 5 + 5 = 10 = posted 3 + 1 + already posted 4 + corrected 2
        assert (c.rows_read, c.posted, c.already_posted, c.by_state["corrected"], c.holds) == (10, 4, 4, 2, True)
        assert verify_chain(led).ok


def test_a_row_fixed_at_the_source_meanwhile_supersedes_its_exception(books) -> None:
    root, url = books
    rows = [INVOICES[0], "INV-3,03/03/2026,2500-02,Crane,300.00", INVOICES[3]]
    run(write_inputs(root, rows), url)  # INV-3 fixed at the source: posted by the run
    with Ledger.open(url) as led:
        res = correct(led, root, 2, by="Ana", changes={"Acct": "2500-02"})
        assert res.state == "superseded" and not res.posted
        x, c, bal = _state(led)
        assert bal["AP"] == -44_550  # 145.50 + 300.00, once
        # read 5 + 3 = 8 = posted 3 + 1 + already posted 2 + open 1 (INV-2) + superseded 1 (INV-3)
        assert (c.rows_read, c.posted, c.already_posted, c.by_state["open"], c.by_state["superseded"]) == \
            (8, 4, 2, 1, 1)
        assert c.holds


def test_a_write_off_is_a_recorded_decision_and_conservation_still_holds(books) -> None:
    _, url = books
    with Ledger.open(url) as led:
        with led.transaction() as conn:
            queue.change(conn, led.scope, [1], "write_off", actor="Ana", why="duplicate of a paper invoice")
        x, c, _ = _state(led)
        assert x.loc[1, "state"] == "written_off"
        assert (c.rows_read, c.posted, c.by_state["written_off"], c.by_state["open"], c.holds) == (5, 3, 1, 1, True)


def test_what_a_correction_refuses(books) -> None:
    root, url = books
    with Ledger.open(url) as led:
        with pytest.raises(QueueError, match=r"--set vendor_colour: the row has no such field \(fields: Acct"):
            correct(led, root, 2, by="Ana", changes={"vendor_colour": "red"})
        with pytest.raises(QueueError, match="either --set"):
            correct(led, root, 2, by="Ana")
        with pytest.raises(QueueError, match="who corrects"):
            correct(led, root, 2, by="", changes={"Acct": "2500-02"})
        with pytest.raises(QueueError, match="no exception 12"):
            correct(led, root, 12, by="Ana", changes={"Acct": "2500-02"})
        with led.transaction() as conn:
            queue.change(conn, led.scope, [2], "write_off", actor="Ana", why="not ours")
        with pytest.raises(QueueError, match="exception 2 is written_off: it cannot be corrected"):
            correct(led, root, 2, by="Ana", changes={"Acct": "2500-02"})
        assert led.account_balances()["AP"] == -14_550
