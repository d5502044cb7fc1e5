"""Executing an override is the only way a quarantined row reaches the ledger: once, linked to the
override, conserved, and never again from a re-export."""

from __future__ import annotations

import pytest

from prodlib.errors import IllegalTransitionError, OverrideError
from prodlib.ledger import verify_chain
from prodlib.overrides import store
from prodlib.pipeline import run

from .conftest import make_night
from .scenario import CRANE, GENERATOR, MYSTERY, ROWS, hours, write_input


def _approve(night, oid: int, *people: str) -> None:
    for p in people or ("pat", "lee"):
        night.approve(oid, p)


def test_the_crane_posts_once_linked_to_its_override(night) -> None:
    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    assert night.led.account_balances() == {"2500-02": 10000, "AP": -10000}  # INV-1 only
    o = night.execute(oid)
    assert o.state == "executed"
    # 100.00 (INV-1) + 1,250.00 (INV-2, the crane) = 1,350.00 on grip rentals, owed to Acme
    assert night.led.account_balances() == {"2500-02": 135000, "AP": -135000}
    entry = night.led.entries_frame().iloc[-1]
    assert (entry["document_no"], entry["party_id"], entry["source_line"]) == ("INV-2", "V-ACME", 3)
    with night.led.engine.connect() as c:
        link = c.exec_driver_sql("SELECT override_id, q_id, entry_id FROM override_postings").all()
        batch = c.exec_driver_sql("SELECT file_hash, source_file, rows_read, rows_posted, rows_quarantined "
                                  "FROM batches WHERE batch_id = 2").one()
    assert [tuple(x) for x in link] == [(1, CRANE, 2)]
    assert tuple(batch) == ("override:1:acme:inv/acme.csv", "override 1: inv/acme.csv", 1, 1, 0)
    assert o.transitions[-1].payload["postings"][0]["entry_id"] == 2
    assert verify_chain(night.db).ok


def test_conservation_counts_the_row_once(night) -> None:
    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    night.execute(oid)
    with night.led.engine.connect() as c:
        released = store.released_rows(c, night.led.production_id)
        read, posted, quarantined = c.exec_driver_sql(
            "SELECT rows_read, rows_posted, rows_quarantined FROM batches WHERE batch_id = 1").one()
    # the file: 4 rows read = 1 posted by the run + 3 quarantined; of those 3, one (the crane) is
    # released: 4 = 1 posted + 1 released + 2 still open, the crane counted posted once, not also open
    assert (read, posted, quarantined) == (4, 1, 3)
    assert released == {CRANE}
    assert read == posted + len(released) + (quarantined - len(released))
    assert quarantined - len(released) == 2


def test_a_re_export_does_not_post_the_released_row_again(night) -> None:
    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    night.execute(oid)
    # Acme re-exports the file with one new invoice, INV-5 for 10.00
    write_input(night.root, [*ROWS, "INV-5,03/05/2026,2500-02,Track,10.00"])
    again = run(night.root, night.db)
    s = again.sources[0]
    # 5 read = INV-5 posted + INV-1 and the crane already posted + INV-3 and INV-4 quarantined again
    assert (s.rows_read, s.accepted, s.already_posted, s.quarantined) == (5, 1, 2, 2)
    assert night.led.account_balances() == {"2500-02": 136000, "AP": -136000}  # 1,350.00 + 10.00


def test_executing_twice_is_an_illegal_transition(night) -> None:
    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    night.execute(oid)
    with pytest.raises(IllegalTransitionError, match="execute is not allowed on an override executed"):
        night.execute(oid)
    assert night.scalar("SELECT COUNT(*) FROM journal_entries") == 2


def test_a_row_that_also_fails_another_rule_is_refused(night) -> None:
    # INV-3 is after wrap (bypassed) but also on cost code 9999-99, which the chart does not have
    oid = night.request([MYSTERY], "75.00").override_id
    _approve(night, oid)
    with pytest.raises(OverrideError, match="also fails UNKNOWN_COST_CODE.*bypasses DATE_OUT_OF_WINDOW only"):
        night.execute(oid)
    assert night.load(oid).state == "approved"
    assert night.scalar("SELECT COUNT(*) FROM journal_entries") == 1
    assert night.scalar("SELECT COUNT(*) FROM batches") == 1


def test_the_approved_amount_must_be_the_rows_amount(night) -> None:
    oid = night.request([CRANE], "125.00").override_id
    _approve(night, oid)
    with pytest.raises(OverrideError, match="approved for 125.00; its rows add up to 1250.00"):
        night.execute(oid)


def test_a_row_changed_in_the_export_since_it_was_quarantined_is_refused(night) -> None:
    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    write_input(night.root, [ROWS[0], 'INV-2,04/20/2026,2500-02,"Crane, wrap day","1,520.00"', *ROWS[2:]])
    with pytest.raises(OverrideError, match="no longer holds the row as it was quarantined"):
        night.execute(oid)


def test_the_generator_needs_three_approvals_then_posts(night) -> None:
    oid = night.request([GENERATOR], "30000.00").override_id
    _approve(night, oid, "pat", "uma")
    with pytest.raises(IllegalTransitionError, match="execute is not allowed on an override requested"):
        night.execute(oid)
    night.approve(oid, "sam")
    night.execute(oid)
    # 100.00 + 30,000.00
    assert night.led.account_balances() == {"2500-02": 3010000, "AP": -3010000}


def test_two_rows_of_one_rule_in_one_override(tmp_path) -> None:
    rows = [*ROWS, "INV-6,04/21/2026,2500-02,Second crane day,250.00"]  # q_id 4, also after wrap
    n = make_night(tmp_path, rows)
    try:
        oid = n.request([CRANE, 4], "1500.00").override_id  # 1,250.00 + 250.00
        _approve(n, oid)
        o = n.execute(oid, at=hours(4))
        assert [p["q_id"] for p in o.transitions[-1].payload["postings"]] == [CRANE, 4]
        assert n.led.account_balances() == {"2500-02": 160000, "AP": -160000}  # 100 + 1,250 + 250
    finally:
        n.led.close()


def test_every_transition_is_routed_to_the_accountant_and_the_guarantor(night) -> None:
    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    night.execute(oid)
    with night.led.engine.connect() as c:
        got = [(r.transition_id, r.addressee) for r in store.routing(c, night.led.production_id, oid)]
        subject = store.routing(c, night.led.production_id, oid)[-1].subject
    assert got == [(t, a) for t in (1, 2, 3, 4) for a in ("production_accountant", "completion_guarantor")]
    assert subject == "override 1: execute by pat -> executed"


def test_a_duplicate_confirmed_separate_posts_past_the_duplicate_rule_only(tmp_path) -> None:
    # INV-1 again further down the file, after INV-5 (another block): DUPLICATE_INVOICE, q_id 4. Acme
    # confirms it is a second dolly week billed under the same number.
    rows = [*ROWS, "INV-5,03/05/2026,2500-02,Track,10.00", "INV-1,03/09/2026,2500-02,Dolly week 2,100.00"]
    n = make_night(tmp_path, rows)
    try:
        with n.led.engine.connect() as c:
            assert [(r.q_id, r.source_line, r.reason) for r in store.open_rows(c, n.led.production_id)][-1] == (
                4, 7, "DUPLICATE_INVOICE")
        text = ("Acme billed the second dolly week under the same invoice number INV-1; their office "
                "confirmed by phone and the delivery slips show two separate weeks.")
        oid = n.request([4], "100.00", code="NOT_A_DUPLICATE", text=text).override_id
        _approve(n, oid)
        n.execute(oid)
        assert n.led.account_balances() == {"2500-02": 21000, "AP": -21000}  # 100.00 + 10.00 + 100.00
        with n.led.engine.connect() as c:
            assert [r.q_id for r in store.open_rows(c, n.led.production_id)] == [CRANE, MYSTERY, GENERATOR]
    finally:
        n.led.close()


def test_bypassing_one_validation_leaves_the_others(tmp_path) -> None:
    # line 6: no invoice number (MISSING_FIELD, its reason: the first failure) and billed after wrap
    rows = [*ROWS, ",04/23/2026,2500-02,Unnumbered,20.00"]
    n = make_night(tmp_path, rows)
    try:
        with n.led.engine.connect() as c:
            (q,) = [r.q_id for r in store.open_rows(c, n.led.production_id) if r.source_line == 6]
        text = ("Acme's counter slip for the wrap-day sandbags carries no invoice number; their office "
                "will send the numbered invoice with the month-end statement.")
        oid = n.request([q], "20.00", code="DOCUMENT_IN_TRANSIT", text=text).override_id
        assert n.load(oid).rule == "MISSING_FIELD"
        _approve(n, oid)
        with pytest.raises(OverrideError, match="also fails DATE_OUT_OF_WINDOW.*bypasses MISSING_FIELD only"):
            n.execute(oid)
    finally:
        n.led.close()


def test_a_verbatim_repeat_posts_under_its_own_row_key_and_a_re_export_skips_both(tmp_path) -> None:
    # INV-1's dolly line again, cell for cell, after INV-5: DUPLICATE_INVOICE (q_id 4). Its row key is
    # that of the file's SECOND identical row, not the first copy's (posted by the run).
    rows = [*ROWS, "INV-5,03/05/2026,2500-02,Track,10.00", ROWS[0]]
    n = make_night(tmp_path, rows)
    try:
        text = ("Acme rented two dollies for the same week under one invoice number; the second dolly "
                "went to the second unit, per the unit manager's equipment log.")
        oid = n.request([4], "100.00", code="NOT_A_DUPLICATE", text=text).override_id
        _approve(n, oid)
        n.execute(oid)
        assert n.led.account_balances() == {"2500-02": 21000, "AP": -21000}  # 100.00 + 10.00 + 100.00
        write_input(n.root, [*rows, "INV-8,03/06/2026,2500-02,Apple boxes,5.00"])
        s = run(n.root, n.db).sources[0]
        # 7 read (the 6 rows + INV-8) = INV-8 posted + INV-1, INV-5 and the repeat already posted + the
        # crane, the mystery charge and the generator quarantined again
        assert (s.rows_read, s.accepted, s.already_posted, s.quarantined) == (7, 1, 3, 3)
        assert n.led.account_balances() == {"2500-02": 21500, "AP": -21500}
    finally:
        n.led.close()


def test_the_other_line_of_a_posted_invoice_is_not_a_duplicate(tmp_path) -> None:
    # INV-9: its dolly line dated 04/10/2026 (wrap day) posts; its crane line dated 04/11/2026 is after
    # wrap (q_id 4). Releasing the crane line: INV-9 was posted by this same file, not before it.
    rows = [*ROWS, "INV-9,04/10/2026,2500-02,Dolly wrap,40.00", "INV-9,04/11/2026,2500-02,Crane strike,60.00"]
    n = make_night(tmp_path, rows)
    try:
        oid = n.request([4], "60.00").override_id
        _approve(n, oid)
        n.execute(oid)
        assert n.led.account_balances() == {"2500-02": 20000, "AP": -20000}  # 100.00 + 40.00 + 60.00
    finally:
        n.led.close()


def test_rows_of_a_kind_that_does_not_journal_cannot_be_requested(tmp_path) -> None:
    root = write_input(tmp_path / "in")
    with (root / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write('''  - id: pos
    kind: purchase_order
    path: po/pos.csv
    date_format: "%m/%d/%Y"
    columns: {po_number: PO, vendor_id: Vendor, po_date: Date, cost_code: Acct, description: Description,
              amount: Amount, status: Status}
''')
    (root / "po").mkdir()
    # a PO dated after wrap: DATE_OUT_OF_WINDOW, in a purchase-order batch (q_id 1: POs run first)
    (root / "po" / "pos.csv").write_text("PO,Vendor,Date,Acct,Description,Amount,Status\n"
                                         "PO-9,V-ACME,04/30/2026,2500-02,Late crane,500.00,approved\n",
                                         encoding="utf-8")
    night = make_night(tmp_path, root=root)
    try:
        with night.led.engine.connect() as c:
            (q,) = [r.q_id for r in store.open_rows(c, night.led.production_id) if r.source_file == "po/pos.csv"]
        with pytest.raises(OverrideError, match=f"invoice and petty_cash rows only: row {q} \\(purchase_order\\)"):
            night.request([q], "500.00")
    finally:
        night.led.close()


def test_the_exception_queue_counts_the_released_row_once(night) -> None:
    from prodlib.exceptions.conservation import conservation
    from prodlib.ledger import exceptions as queue

    oid = night.request([CRANE], "1250.00").override_id
    _approve(night, oid)
    night.execute(oid)
    with night.led.engine.connect() as c:
        cur = queue.current_frame(c, night.led.production_id)
        cons = conservation(c, night.led.production_id)
    crane = cur[cur["q_id"] == CRANE].iloc[0]
    assert (crane["state"], crane["last_action"]) == ("released", "release")
    assert sorted(cur["state"]) == ["open", "open", "released"]
    # rows read 4 (the file; the override's batch is not a new read) = posted 1 + open 2 + released 1
    assert (cons.rows_read, cons.posted, cons.by_state["open"], cons.by_state["released"]) == (4, 1, 2, 1)
    assert cons.releases_posted == 1  # the override's batch posted the crane, and only it
    assert cons.holds, cons.line()


def test_a_written_off_row_cannot_be_requested(night) -> None:
    from prodlib.ledger import exceptions as queue

    with night.led.transaction() as c:
        xid = store.exceptions_of(c, night.led.production_id, [CRANE])[CRANE]
        queue.change(c, night.led.scope, [xid], "write_off", actor="pat", why="Acme credited the crane day")
    with pytest.raises(OverrideError, match="row 1 \\(exception 1, written_off\\): no longer waiting"):
        night.request([CRANE], "1250.00")


def test_the_rows_a_request_may_name_leave_out_a_decided_row(night) -> None:
    # The night quarantined three rows (the crane, the mystery line, the generator); the crane's
    # exception is written off, so `prodlib override rows` offers the other two only.
    from prodlib.ledger import exceptions as queue

    with night.led.engine.connect() as c:
        assert [r.q_id for r in store.open_rows(c, night.led.production_id)] == [CRANE, MYSTERY, GENERATOR]
    with night.led.transaction() as c:
        xid = store.exceptions_of(c, night.led.production_id, [CRANE])[CRANE]
        queue.change(c, night.led.scope, [xid], "write_off", actor="pat", why="Acme credited the crane day")
    with night.led.engine.connect() as c:
        assert [r.q_id for r in store.open_rows(c, night.led.production_id)] == [MYSTERY, GENERATOR]
