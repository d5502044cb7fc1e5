"""The ledger's own guard against re-posting: row keys stored once per production and kind.

``post_batch(row_keys=...)`` drops, under the journal lock, every offered row whose key is already
posted (a concurrent run got there first) and counts it as already posted; conservation is
rows read = posted + quarantined + already posted; the batch event seals the keys it stored.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from prodlib.errors import ConservationError, LedgerArgumentError
from prodlib.ledger import Ledger, verify_chain
from prodlib.ledger.connection import make_engine
from prodlib.ledger.migrations import migrate

from .helpers import count, money, postings, raw_exec

K = [f"{c * 64}" for c in "abcdef"]  # six distinct 64-character keys


def test_rows_whose_key_is_posted_are_not_posted_again(led) -> None:
    first = led.post_batch("acme", "a.csv", "H1", "invoice",
                           postings([("2026-03-02", "2500-02", "AP", "100.00"),
                                     ("2026-03-02", "2500-02", "AP", "1234.50")]), None, 2, row_keys=K[:2])
    assert (first.rows_posted, first.rows_already_posted) == (2, 0)
    # A cumulative export (another hash): the same two rows again and a new one of 40.00.
    again = led.post_batch("acme", "a.csv", "H2", "invoice",
                           postings([("2026-03-02", "2500-02", "AP", "100.00"),
                                     ("2026-03-02", "2500-02", "AP", "1234.50"),
                                     ("2026-03-09", "2500-02", "AP", "40.00")]), None, 3, row_keys=K[:3])
    assert (again.rows_read, again.rows_posted, again.rows_quarantined, again.rows_already_posted) == (3, 1, 0, 2)
    assert not again.already_posted and again.first_entry_id == again.last_entry_id == 3
    # 100.00 + 1,234.50 + 40.00 = 1,374.50
    assert led.account_balances()["AP"] == -137_450
    b = led.batches_frame()
    assert b["rows_already_posted"].tolist() == [0, 2]
    assert (b["rows_read"] == b["rows_posted"] + b["rows_quarantined"] + b["rows_already_posted"]).all()
    assert count(led, "posted_rows") == 3
    assert led.posted_row_keys("invoice", [K[0], K[2], K[5]]) == {K[0], K[2]}
    assert led.posted_row_keys("petty_cash", K) == set()  # per kind
    assert verify_chain(led).ok


def test_keys_are_looked_up_in_chunks(led, monkeypatch) -> None:
    from prodlib.ledger import batches

    monkeypatch.setattr(batches, "KEY_CHUNK", 2)
    led.post_batch("bank", "b.csv", "H1", "bank", None, None, 5, accepted=5, row_keys=K[:5])
    assert led.posted_row_keys("bank", K) == set(K[:5])


def test_accepted_rows_and_purchase_orders_are_keyed_too(led) -> None:
    led.post_batch("bank", "b.csv", "H1", "bank", None, None, 2, accepted=2, row_keys=K[:2])
    res = led.post_batch("bank", "b.csv", "H2", "bank", None, None, 3, accepted=3, row_keys=K[:3])
    assert (res.rows_posted, res.rows_already_posted) == (1, 2)
    pos = pd.DataFrame({"po_number": ["PO-1", "PO-2"], "vendor_id": ["V-1", "V-1"],
                        "po_date": ["2026-03-01", "2026-03-08"], "cost_code": ["2500-02", "2500-02"],
                        "amount": money("5000.00", "1500.00"), "status": ["approved", "approved"]})
    led.post_batch("pos", "p.csv", "P1", "purchase_order", None, None, 1, purchase_orders=pos[:1], row_keys=K[:1])
    res = led.post_batch("pos", "p.csv", "P2", "purchase_order", None, None, 2, purchase_orders=pos,
                         row_keys=K[:2])
    assert (res.rows_posted, res.rows_already_posted) == (1, 1)
    assert sorted(led.purchase_orders_frame()["po_number"]) == ["PO-1", "PO-2"]


def test_a_budget_is_one_version_all_its_lines_or_none(led) -> None:
    lines = pd.DataFrame({"cost_code": ["2500-02", "3300-01"], "description": ["Grip", "Props"],
                          "amount": money("3000.00", "250.00")})
    budget = {"version_id": "BV-1", "lines": lines, "locked_on": "2026-01-02", "author": "Line producer"}
    led.post_batch("budget", "bud.csv", "B1", "budget", None, None, 2, budget=budget, row_keys=K[:2])
    res = led.post_batch("budget", "bud.csv", "B2", "budget", None, None, 2, budget=budget, row_keys=K[:2])
    assert (res.rows_posted, res.rows_already_posted) == (0, 2)
    assert len(led.budget_versions_frame()) == 1


def test_conservation_counts_the_rows_already_posted(led) -> None:
    p = postings([("2026-03-02", "2500-02", "AP", "10.00")])
    with pytest.raises(ConservationError, match="already posted 2"):
        led.post_batch("acme", "a.csv", "H1", "invoice", p, None, 4, row_keys=K[:1], already_posted=2)
    res = led.post_batch("acme", "a.csv", "H1", "invoice", p, None, 3, row_keys=K[:1], already_posted=2)
    assert (res.rows_posted, res.rows_already_posted) == (1, 2)
    with pytest.raises(LedgerArgumentError, match="row keys"):
        led.post_batch("acme", "a.csv", "H2", "invoice", p, None, 1, row_keys=K[:2])
    with pytest.raises(LedgerArgumentError, match="row keys"):
        led.post_batch("acme", "a.csv", "H3", "invoice", postings([("2026-03-02", "2500-02", "AP", "1.00")] * 2),
                       None, 2, row_keys=[K[0], K[0]])
    assert len(led.batches_frame()) == 1  # the refused calls wrote nothing


def test_verify_names_a_batch_whose_posted_keys_were_removed(led) -> None:
    led.post_batch("acme", "a.csv", "H1", "invoice", postings([("2026-03-02", "2500-02", "AP", "10.00")]), None, 1,
                   row_keys=K[:1])
    assert verify_chain(led).ok
    raw_exec(led, [f"DELETE FROM posted_rows WHERE row_key = '{K[0]}'"])
    result = verify_chain(led)
    assert not result.ok and any("posted row keys differ" in p for p in result.problems)


def test_a_ledger_from_before_migration_6_gains_the_column_and_the_table(url) -> None:
    engine = make_engine(url)
    migrate(engine, target=5)
    with engine.begin() as c:  # a batch as migration 5's books held it
        c.exec_driver_sql("ALTER TABLE batches DROP COLUMN rows_already_posted")
        c.exec_driver_sql("INSERT INTO batches (batch_id, production_id, source_id, source_file, file_hash, kind, "
                          "rows_read, rows_posted, rows_quarantined, recorded_at) VALUES "
                          "(1, 'default', 'acme', 'a.csv', 'H0', 'invoice', 0, 0, 0, '2026-03-01T00:00:00')")
        assert not sa.inspect(c).has_table("posted_rows")
    engine.dispose()
    with Ledger.open(url) as led:
        assert led.batches_frame()["rows_already_posted"].tolist() == [0]
        led.post_batch("acme", "a.csv", "H1", "invoice", postings([("2026-03-02", "2500-02", "AP", "1.00")]), None,
                       1, row_keys=K[:1])
        assert count(led, "posted_rows") == 1
