"""PostgreSQL posts its bulk rows by COPY; the same batch posted by executemany (PostgreSQL, and SQLite
as always) must leave the very same rows and the very same hash chain.

Scenario: a small production's first invoice file, three lines (one a credit note, one in euros)
and a quarantined line, posted with a fixed clock three ways: SQLite (executemany), PostgreSQL with
COPY (the default) and PostgreSQL with executemany. Every journal, line, FX, quarantine, row-key and
audit row is compared, hashes included; each chain verifies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from prodlib.ledger import Ledger, journal, verify_chain
from prodlib.ledger import schema as s
from prodlib.money import to_money_series
from tests.ledger.helpers import postings, quarantine

pytestmark = pytest.mark.pg

TABLES = [s.journal_entries, s.journal_lines, s.journal_fx, s.quarantine, s.posted_rows, s.batches,
          s.audit_events, s.chain_heads]


def clock() -> datetime:
    return datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


def post_first_file(url: str) -> None:
    frame = postings([
        ("2026-03-02", "2500-02", "AP", "1234.50", "INV-100"),  # grip rental
        ("2026-03-02", "2500-02", "AP", "-200.00", "CN-7"),  # a credit note: the sides flip
        ("2026-03-03", "3200-02", "AP", "108.25", "INV-101"),  # EUR 100.00 at 1.0825
    ])
    frame["original_currency"] = [None, None, "EUR"]
    frame["original_amount"] = to_money_series([None, None, Decimal("100.00")])
    frame["fx_rate"] = [None, None, "1.0825"]
    led = Ledger.open(url, production_id="SMALL-001", clock=clock)
    try:
        led.post_batch("acme", "invoices/acme.csv", "hash-acme-1", "invoice", frame, quarantine([5]), 4,
                       row_keys=["k-inv-100", "k-cn-7", "k-inv-101"])
    finally:
        led.close()


def rows(url: str) -> dict[str, list[tuple]]:
    led = Ledger.open(url, production_id="SMALL-001", clock=clock)
    try:
        with led.engine.connect() as c:
            return {t.name: sorted(tuple(r) for r in c.execute(sa.select(t))) for t in TABLES}
    finally:
        led.close()


def test_copy_and_executemany_leave_the_same_rows_and_hashes(tmp_path, pg_url, pg_admin, monkeypatch) -> None:
    sqlite_url = str(tmp_path / "small.db")
    post_first_file(sqlite_url)
    post_first_file(pg_url)  # COPY
    many_url = f"{pg_url}_em"  # the URL ends with its schema's name: a sibling schema, dropped with the session's
    with pg_admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{many_url.rsplit("%3D", 1)[1]}"')
    monkeypatch.setattr(journal, "COPY_ON_POSTGRESQL", False)
    post_first_file(many_url)  # executemany
    monkeypatch.setattr(journal, "COPY_ON_POSTGRESQL", True)

    copied, many, lite = rows(pg_url), rows(many_url), rows(sqlite_url)
    assert copied == many == lite
    # Worked by hand: 3 entries of 2 lines; the credit note's debit line is -200.00 on 2500-02 and its
    # credit line +200.00 on AP; the euro entry keeps EUR 100.00 (10,000 cents) at rate "1.0825".
    assert len(copied["journal_entries"]) == 3 and len(copied["journal_lines"]) == 6
    assert [r[4] for r in copied["journal_lines"] if r[0] == 2] == [-20000, 20000]
    assert [(r[2], r[3], r[4]) for r in copied["journal_fx"]] == [("EUR", 10000, "1.0825")]
    assert len(copied["quarantine"]) == 1 and len(copied["posted_rows"]) == 3
    for url in (sqlite_url, pg_url, many_url):
        assert verify_chain(url).ok
