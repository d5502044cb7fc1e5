"""Correcting a line of a held petty cash envelope sends the envelope's held lines back together,
worked by hand on tests/checks/test_envelope_balance.py's register and receipts:

  PC-2  advance 200.00, change back 15.00; receipts Tape 150.00 (line 3) + Coffee 30.00 (line 5)
        150.00 + 30.00 + 15.00 = 195.00: 5.00 unaccounted for, both lines held.
  Coffee corrected to 34.00: 150.00 + 34.00 + 15.00 = 199.00, still 1.00 unaccounted for: nothing
        posts, both stay open ENVELOPE_UNBALANCED (validated alongside Tape, not alone).
  Coffee corrected to 35.00: 150.00 + 35.00 + 15.00 = 200.00: balanced, Tape and Coffee post in one
        batch; PETTY_CASH goes from -219.75 (PC-1) to -219.75 - 185.00 = -404.75.
  PC-4 (no advance, line 6) is another envelope: untouched, still open.
"""

from __future__ import annotations

from pathlib import Path

from prodlib.exceptions.correct import correct
from prodlib.ledger import Ledger
from prodlib.ledger import exceptions as store
from prodlib.pipeline import run
from tests.checks.test_envelope_balance import _folder


def _queue(led):
    with led.engine.connect() as conn:
        cur = store.current_frame(conn, led.production_id)
    return {int(r["source_line"]): r for r in cur.to_dict("records")}


def test_a_correction_that_balances_the_envelope_posts_all_its_lines(tmp_path: Path) -> None:
    url = _folder(tmp_path)
    assert not run(tmp_path, url).errors
    with Ledger.open(url) as led:
        q = _queue(led)
        tape, coffee, ice = (int(q[n]["exception_id"]) for n in (3, 5, 6))
        res = correct(led, tmp_path, coffee, by="Ana", changes={"amount": "34.00"})
        assert (res.state, res.reason, res.posted) == ("open", "ENVELOPE_UNBALANCED", False)
        assert "1.00 unaccounted for" in res.detail
        q = _queue(led)
        assert [q[n]["state"] for n in (3, 5, 6)] == ["open", "open", "open"]
        assert led.account_balances()["PETTY_CASH"] == -21975

        res = correct(led, tmp_path, coffee, by="Ana", changes={"amount": "35.00"})
        assert (res.state, res.posted) == ("corrected", True)
        q = _queue(led)
        assert [q[n]["state"] for n in (3, 5, 6)] == ["corrected", "corrected", "open"]
        with led.engine.connect() as conn:
            ev = store.events_frame(conn, led.production_id)
        done = ev[ev["action"] == "correct"]
        assert sorted(done["exception_id"].astype(int)) == sorted([tape, coffee])
        assert set(done["batch_id"].astype(int)) == {res.batch_id}
        assert led.account_balances()["PETTY_CASH"] == -40475
        assert int(q[6]["exception_id"]) == ice


def test_a_one_line_envelope_corrected_alone_is_still_balanced_against_its_advance(tmp_path: Path) -> None:
    # PC-4 has no advance in the register: Ice corrected to 20.00 is still 20.00 over, so it stays open
    url = _folder(tmp_path)
    assert not run(tmp_path, url).errors
    with Ledger.open(url) as led:
        ice = int(_queue(led)[6]["exception_id"])
        res = correct(led, tmp_path, ice, by="Ana", changes={"amount": "20.00"})
        assert (res.state, res.reason, res.posted) == ("open", "ENVELOPE_UNBALANCED", False)
        assert "20.00 over" in res.detail
        assert led.account_balances()["PETTY_CASH"] == -21975  # PC-1 only, as before


def test_a_malformed_line_corrected_posts_with_the_envelope_it_held(tmp_path: Path) -> None:
    # Coffee's amount reads "3O.00" (a letter O): MALFORMED_AMOUNT, and PC-2 without it is
    # 150.00 + 15.00 = 165.00 against 200.00, so Tape waits ENVELOPE_UNBALANCED. Coffee corrected to
    # 35.00: 150.00 + 35.00 + 15.00 = 200.00, both post: PETTY_CASH -219.75 - 185.00 = -404.75.
    url = _folder(tmp_path)
    pc = tmp_path / "pc.csv"
    pc.write_text(pc.read_text().replace("Coffee,30.00", "Coffee,3O.00"))
    assert not run(tmp_path, url).errors
    with Ledger.open(url) as led:
        q = _queue(led)
        assert (q[3]["current_reason"], q[5]["current_reason"]) == ("ENVELOPE_UNBALANCED", "MALFORMED_AMOUNT")
        res = correct(led, tmp_path, int(q[5]["exception_id"]), by="Ana", changes={"amount": "35.00"})
        assert (res.state, res.posted) == ("corrected", True)
        q = _queue(led)
        assert [q[n]["state"] for n in (3, 5, 6)] == ["corrected", "corrected", "open"]
        assert led.account_balances()["PETTY_CASH"] == -40475
