"""Balanced entries (API and database), voids, reversals, reissues and closed periods."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from prodlib.ledger import LedgerError, PeriodClosedError, UnbalancedEntryError, verify_chain

from .helpers import as_dict, count, full_ledger, guarded_exec, postings

D = Decimal


def balances(led, **kw) -> dict:
    return as_dict(led.trial_balance(**kw), "account", "balance")


def test_post_entry_balanced_and_unbalanced(led):
    eid = led.post_entry("2026-03-02", [("2500-02", "100.00"), ("3300-01", "25.50"), ("AP", "-125.50")], "split")
    assert eid == 1
    assert balances(led) == {"2500-02": D("100.00"), "3300-01": D("25.50"), "AP": D("-125.50")}
    with pytest.raises(UnbalancedEntryError, match="0.01"):
        led.post_entry("2026-03-02", [("2500-02", "100.00"), ("AP", "-99.99")], "off by a cent")
    with pytest.raises(UnbalancedEntryError):
        led.post_entry("2026-03-02", [("2500-02", "0.00")], "one line")
    with pytest.raises(TypeError):
        led.post_entry("2026-03-02", [("2500-02", 1.0), ("AP", -1.0)], "floats")
    with pytest.raises(UnbalancedEntryError):  # same account both sides in a posting frame
        led.post_batch("x", "x.csv", "H", "invoice", postings([("2026-03-02", "AP", "AP", "1.00")]), None, 1)
    assert count(led, "journal_entries") == 1


def _raw_entry_sql(entry_id: int, lines: list[int], kind: str = "general", date: str = "2026-03-04",
                   reverses: str = "NULL") -> list[str]:
    out = [f"INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) "
           f"VALUES ({entry_id}, {i + 1}, 'TEST-001', 'ACC{i}', {c})" for i, c in enumerate(lines)]
    out.append(f"INSERT INTO journal_entries (entry_id, production_id, entry_date, period, kind, reverses_entry_id, "
               f"recorded_at, prev_hash, entry_hash) VALUES ({entry_id}, 'TEST-001', '{date}', '{date[:7]}', "
               f"'{kind}', {reverses}, 'now', 'x', 'y')")
    return out


def _in_one_tx(led, statements: list[str]) -> None:
    with led.engine.begin() as c:
        for st in statements:
            c.exec_driver_sql(st)


def test_database_refuses_unbalanced_entries(led):
    """Around the API, straight SQL: the triggers still refuse what would unbalance the books."""
    with pytest.raises(sa.exc.DBAPIError, match="unbalanced"):
        _in_one_tx(led, _raw_entry_sql(900, [10000, -9000]))
    with pytest.raises(sa.exc.DBAPIError, match="unbalanced"):
        _in_one_tx(led, _raw_entry_sql(901, [10000]))  # one line
    with pytest.raises(sa.exc.DBAPIError, match="unbalanced"):
        _in_one_tx(led, _raw_entry_sql(902, [])[-1:])  # a header without lines
    _in_one_tx(led, _raw_entry_sql(903, [10000, -10000]))  # balanced: accepted (chain aside)
    with pytest.raises(sa.exc.DBAPIError, match="sealed"):
        guarded_exec(led, "INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) "
                          "VALUES (903, 3, 'TEST-001', 'ACC9', 5)")
    assert count(led, "journal_entries") == 1 and count(led, "journal_lines") == 2


def test_void_reversal_reissue(led):
    led.post_batch("acme", "a.csv", "H1", "invoice", postings([
        ("2026-03-02", "2500-02", "AP", "1200.00"), ("2026-03-03", "3300-01", "AP", "300.00"),
        ("2026-03-04", "3300-01", "AP", "40.00")]), None, 3)
    v = led.void_entry(1, "duplicate invoice", "AP clerk")
    r = led.reverse_entry(2, "2026-03-20", "vendor credit", "AP clerk")
    rev, new = led.reissue_entry(3, "2026-03-21", [("3300-02", "45.00"), ("AP", "-45.00")], "wrong code/amount", "AP")
    assert (v, r, rev, new) == (4, 5, 6, 7)
    e = led.entries_frame()
    kinds = dict(zip(e["entry_id"], e["kind"], strict=False))
    assert [kinds[i] for i in (4, 5, 6, 7)] == ["void", "reversal", "reversal", "reissue"]
    assert e.loc[e["entry_id"] == 4, "entry_date"].iloc[0].isoformat() == "2026-03-02"  # void: original date
    # by hand: everything reversed except the reissue: 3300-02 45.00 / AP -45.00
    assert {k: v for k, v in balances(led).items() if v} == {"3300-02": D("45.00"), "AP": D("-45.00")}
    # as of 2026-03-19 the reversal of entry 2 (dated 03-20) has not happened yet
    assert balances(led, as_of="2026-03-19")["3300-01"] == D("340.00")
    with pytest.raises(LedgerError, match="already reversed"):
        led.reverse_entry(2, "2026-03-22", "again", "AP clerk")
    with pytest.raises(LedgerError, match="itself a reversal"):
        led.reverse_entry(5, "2026-03-22", "undo the undo", "AP clerk")
    with pytest.raises(LookupError):
        led.void_entry(99, "x", "y")
    with pytest.raises(ValueError):
        led.reverse_entry(1, "2026-03-22", "", "")
    assert verify_chain(led).ok


def test_database_allows_one_reversal_per_entry(led):
    led.post_entry("2026-03-02", [("2500-02", "1.00"), ("AP", "-1.00")], "x")
    led.reverse_entry(1, "2026-03-03", "x", "y")
    with pytest.raises(sa.exc.IntegrityError):
        _in_one_tx(led, _raw_entry_sql(50, [-100, 100], kind="reversal", reverses="1"))


def test_closed_period_takes_only_dated_adjustments(led):
    led.post_entry("2026-02-10", [("2500-02", "100.00"), ("AP", "-100.00")], "feb")
    led.close_period("2026-02", "Accountant", "month end", closed_on="2026-03-03")
    assert led.closed_periods() == ["2026-02"]
    with pytest.raises(PeriodClosedError):
        led.post_batch("acme", "a.csv", "H1", "invoice", postings([("2026-02-27", "2500-02", "AP", "5.00"),
                                                                   ("2026-03-01", "2500-02", "AP", "7.00")]), None, 2)
    assert count(led, "batches") == 0 and count(led, "journal_entries") == 1  # nothing of the batch
    with pytest.raises(PeriodClosedError):
        led.post_entry("2026-02-28", [("2500-02", "1.00"), ("AP", "-1.00")], "late")
    with pytest.raises(PeriodClosedError):
        led.void_entry(1, "wrong", "Accountant")  # a void is dated in the closed period
    with pytest.raises(ValueError):
        led.post_entry("2026-02-28", [("2500-02", "1.00"), ("AP", "-1.00")], "late", kind="adjustment")
    adj = led.post_entry("2026-02-28", [("2500-02", "1.00"), ("AP", "-1.00")], "late invoice",
                         kind="adjustment", reason="found after close", author="Accountant")
    rev = led.reverse_entry(1, "2026-03-02", "wrong vendor", "Accountant")  # reversal dated in the open period
    assert (adj, rev) == (2, 3)
    with pytest.raises(LedgerError, match="already closed"):
        led.close_period("2026-02", "Accountant")
    with pytest.raises(ValueError):
        led.close_period("2026-2", "Accountant")
    # the database refuses too, around the API
    with pytest.raises(sa.exc.DBAPIError, match="period closed"):
        _in_one_tx(led, _raw_entry_sql(60, [100, -100], date="2026-02-15"))
    _in_one_tx(led, _raw_entry_sql(61, [100, -100], kind="adjustment", date="2026-02-15"))


def test_full_ledger_verifies_and_trial_balance_is_zero(led):
    full_ledger(led)
    tb = led.trial_balance()
    assert sum(as_dict(tb, "account", "balance").values()) == 0
    assert sum(as_dict(tb, "account", "debit").values()) == sum(as_dict(tb, "account", "credit").values())
    # by hand: 1400-01 = 5000.00 + 1050.00 ; 2500-02 = 1200 + 800 ; AP = -(1200+300+800) + 1500
    b = balances(led)
    assert b["1400-01"] == D("6050.00") and b["2500-02"] == D("2000.00") and b["AP"] == D("-800.00")
    assert b["CASH"] == D("-1500.00")
    res = verify_chain(led)
    assert res.ok and res.entries_checked == 6 and res.events_checked == 6, res.message


def test_lines_without_a_header_cannot_commit(led):
    """A writer that adds lines and moves the chain head but never seals the entry is refused at commit."""
    led.post_entry("2026-03-02", [("2500-02", "1.00"), ("AP", "-1.00")], "x")
    with pytest.raises(sa.exc.DBAPIError, match="header|FOREIGN KEY"):
        _in_one_tx(led, _raw_entry_sql(2, [100, -100])[:-1] + [
            "UPDATE chain_heads SET seq = 2 WHERE chain = 'journal'"])
    assert count(led, "journal_lines") == 2 and verify_chain(led).ok
