"""Driver errors become ledger errors naming the guarantee that refused the write (both backends).

Each statement goes around the API, through the ledger's own write transaction, as a buggy or
hostile writer would: the database refuses it, and the error says which guarantee did.
"""

from __future__ import annotations

import pytest

from prodlib.errors import AppendOnlyError, LedgerError, PeriodClosedError, UnbalancedEntryError
from prodlib.ledger import post_batch, verify_chain

from .helpers import count, postings


def _lines(entry_id: int, cents: list[int]) -> list[str]:
    return [f"INSERT INTO journal_lines (entry_id, line_no, production_id, account, amount_cents) "
            f"VALUES ({entry_id}, {i + 1}, 'TEST-001', 'ACC{i}', {c})" for i, c in enumerate(cents)]


def _header(entry_id: int, kind: str = "general", date: str = "2026-03-04", reverses: str = "NULL") -> str:
    return (f"INSERT INTO journal_entries (entry_id, production_id, entry_date, period, kind, reverses_entry_id, "
            f"recorded_at, prev_hash, entry_hash) VALUES ({entry_id}, 'TEST-001', '{date}', '{date[:7]}', "
            f"'{kind}', {reverses}, 'now', 'x', 'y')")


def _refused(led, statements: list[str], error: type[LedgerError], name: str) -> LedgerError:
    with pytest.raises(error) as err, led.transaction() as conn:
        for st in statements:
            conn.exec_driver_sql(st)
    assert type(err.value) is error  # the precise class, not only a LedgerError
    assert f"({name}:" in str(err.value) and str(err.value).startswith("the ledger refused the write: ")
    return err.value


@pytest.fixture
def books(led):
    led.post_batch("acme", "a.csv", "H1", "invoice", postings([("2026-03-02", "2500-02", "AP", "12.00")]), None, 1)
    return led


def test_append_only(books):
    e = _refused(books, ["UPDATE batches SET kind = 'bank'"], AppendOnlyError, "append_only")
    assert "append-only" in str(e)
    _refused(books, ["DELETE FROM journal_lines"], AppendOnlyError, "append_only")
    _refused(books, ["DELETE FROM audit_events"], AppendOnlyError, "append_only")
    _refused(books, ["DELETE FROM chain_heads"], AppendOnlyError, "append_only" if books.dialect == "sqlite"
             else "chain_forward")  # PostgreSQL: one trigger guards chain_heads for UPDATE and DELETE


def test_chain_head_moves_forward_only(books):
    _refused(books, ["UPDATE chain_heads SET seq = 0 WHERE chain = 'journal'"], AppendOnlyError, "chain_forward")


def test_entry_balanced(books):
    _refused(books, [*_lines(900, [10000, -9000]), _header(900)], UnbalancedEntryError, "entry_balanced")
    _refused(books, [*_lines(901, [10000]), _header(901)], UnbalancedEntryError, "entry_balanced")


def test_entry_sealed(books):
    _refused(books, _lines(1, [0, 0, 5])[2:], AppendOnlyError, "entry_sealed")  # a 3rd line for entry 1


def test_period_open(books):
    books.close_period("2026-02", "Accountant", "month end", closed_on="2026-03-05")
    _refused(books, [*_lines(910, [100, -100]), _header(910, date="2026-02-15")], PeriodClosedError, "period_open")


def test_one_reversal_per_entry(books):
    books.reverse_entry(1, "2026-03-03", "wrong vendor", "Accountant")
    _refused(books, [*_lines(920, [-1200, 1200]), _header(920, kind="reversal", reverses="1")], LedgerError,
             "uq_one_reversal")


def test_one_batch_per_file_hash(books):
    _refused(books, ["INSERT INTO batches (batch_id, production_id, source_id, source_file, file_hash, kind, "
                     "rows_read, rows_posted, rows_quarantined, recorded_at) "
                     "VALUES (99, 'TEST-001', 'acme', 'a.csv', 'H1', 'invoice', 0, 0, 0, 'now')"],
             LedgerError, "uq_batches_file_hash")


def test_one_estimate_per_account_and_date(books):
    books.record_estimate("5000", "10.00", "2026-03-01", "first", "Accountant")
    _refused(books, ["INSERT INTO estimates (estimate_id, production_id, account, effective_date, efc_cents, "
                     "reason, author, recorded_at) VALUES (9, 'TEST-001', '5000', '2026-03-01', 1, 'r', 'a', 'now')"],
             LedgerError, "uq_estimate_account_date")


def test_no_orphan_lines_at_commit(books):
    # lines without a header, the chain head moved past them: refused when the transaction commits
    _refused(books, [*_lines(2, [100, -100]), "UPDATE chain_heads SET seq = 2 WHERE chain = 'journal'"],
             UnbalancedEntryError, "no_orphan_lines")
    assert count(books, "journal_lines") == 2 and verify_chain(books).ok  # nothing of it stayed


def test_other_driver_errors_pass_through(books):
    import sqlalchemy as sa

    with pytest.raises(sa.exc.DBAPIError) as err, books.transaction() as conn:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert not isinstance(err.value, LedgerError)


def test_caller_owned_transaction_commits_together_or_not_at_all(led):
    a = postings([("2026-03-02", "2500-02", "AP", "12.00")])
    b = postings([("2026-03-03", "3300-01", "AP", "30.00"), ("2026-03-03", "3300-01", "AP", "4.50")])
    with pytest.raises(RuntimeError, match="after both"), led.transaction() as conn:
        post_batch(conn, led.scope, "acme", "a.csv", "HA", "invoice", a, None, 1)
        post_batch(conn, led.scope, "acme", "b.csv", "HB", "invoice", b, None, 2)
        raise RuntimeError("failed after both batches were written")
    assert count(led, "batches") == 0 and count(led, "journal_entries") == 0 and count(led, "audit_events") == 0
    with led.transaction() as conn:
        ra = post_batch(conn, led.scope, "acme", "a.csv", "HA", "invoice", a, None, 1)
        rb = post_batch(conn, led.scope, "acme", "b.csv", "HB", "invoice", b, None, 2)
    # one entry for a (id 1), two for b (ids 2 and 3): the second batch continues the first's chain
    assert (ra.first_entry_id, ra.last_entry_id, rb.first_entry_id, rb.last_entry_id) == (1, 1, 2, 3)
    assert count(led, "batches") == 2 and verify_chain(led).ok
