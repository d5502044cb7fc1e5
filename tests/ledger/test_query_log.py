"""The query log: a bond representative's session on a small production, every query counted by hand.

Books (production TEST-001): three invoices posted against AP, two rows quarantined.
  2026-03-02  1300-02  100.00      2026-03-03  3300-02  50.00      2026-03-04  1300-02  25.00
  accounts touched: 1300-02, 3300-02, AP  -> the balances query returns 3 rows
  quarantine: lines 7 and 9                -> the quarantine query returns 2 rows
  journal entries with id > 1: entries 2 and 3 -> 2 rows
The session (person P-BOND-1, role bond_rep) runs exactly those three queries, so the log holds
exactly three records, in that order, with 3, 2 and 2 rows; BEGIN/COMMIT are not queries.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from prodlib.errors import AppendOnlyError
from prodlib.ledger import LedgerView, verify_chain
from prodlib.ledger.querylog import QuerySession, fingerprint, normalise_sql, open_logged_engine, query_log_frame

from .helpers import postings, quarantine, raw_exec


@pytest.fixture
def logged(led, url):
    led.post_batch("acme", "a.csv", "H1", "invoice",
                   postings([("2026-03-02", "1300-02", "AP", "100.00"), ("2026-03-03", "3300-02", "AP", "50.00"),
                             ("2026-03-04", "1300-02", "AP", "25.00")]), quarantine([7, 9]), 5)
    clock = iter(f"2026-03-31T09:00:0{i}.000000Z" for i in range(10))
    session = QuerySession("P-BOND-1", "bond_rep", production_id="TEST-001", scope="report test",
                           clock=lambda: next(clock))
    reader, writer = open_logged_engine(led.engine.url.render_as_string(hide_password=False), session)
    view = LedgerView(reader, "TEST-001")
    balances = view.account_balances()
    rows = view.quarantine_frame()
    with reader.connect() as conn:
        later = conn.execute(sa.text("SELECT entry_id FROM journal_entries WHERE entry_id > :n"), {"n": 1}).all()
    reader.dispose()
    writer.dispose()
    assert (len(balances), len(rows), len(later)) == (3, 2, 2)  # the books are as the docstring says
    return led


def log_of(led, person=None):
    with led.engine.connect() as conn:
        return query_log_frame(conn, person)


def test_every_query_is_logged_with_who_when_scope_and_rows(logged):
    log = log_of(logged)
    assert list(log["log_id"]) == [1, 2, 3]
    assert list(log["row_count"]) == [3, 2, 2]
    assert set(log["person_id"]) == {"P-BOND-1"} and set(log["role"]) == {"bond_rep"}
    assert set(log["scope"]) == {"production=TEST-001; report test"}
    assert list(log["logged_at"]) == ["2026-03-31T09:00:00.000000Z", "2026-03-31T09:00:01.000000Z",
                                      "2026-03-31T09:00:02.000000Z"]
    assert log["statement"].iloc[2] == "select entry_id from journal_entries where entry_id > ?"
    assert log["fingerprint"].iloc[2] == fingerprint("SELECT entry_id FROM journal_entries WHERE entry_id > 7")
    assert "TEST-001" not in " ".join(log["statement"])  # no parameter value is stored
    assert len(log_of(logged, "P-BOND-1")) == 3 and len(log_of(logged, "someone-else")) == 0
    result = verify_chain(logged)
    assert result.ok and result.queries_checked == 3, result.message
    assert "3 logged queries" in result.message


def test_fingerprint_strips_literals_and_keeps_the_shape():
    assert normalise_sql("SELECT a FROM t  WHERE x = 'Brooks, Sofia' AND y IN (1, 2, 3) -- who\n") == \
        "select a from t where x = ? and y in (?)"
    assert fingerprint("select a from t where x = 5") == fingerprint("SELECT a FROM t WHERE x = :v")
    assert fingerprint("select a from t where x = 5") != fingerprint("select b from t where x = 5")
    assert normalise_sql("select x::text from t2 where d = %(d)s") == "select x::text from t2 where d = ?"


def test_the_log_is_append_only(logged):
    for statement in ("UPDATE query_log SET row_count = 0", "DELETE FROM query_log"):
        with pytest.raises(AppendOnlyError), logged.transaction() as conn:
            conn.exec_driver_sql(statement)
    assert len(log_of(logged)) == 3


def test_an_edited_record_is_found_by_verify(logged):
    raw_exec(logged, ["UPDATE query_log SET row_count = 0 WHERE log_id = 2"])  # hide what was read
    result = verify_chain(logged)
    assert not result.ok and result.first_broken == "query log record 2", result.message
    assert "content does not match its hash" in result.message


def test_a_removed_record_is_found_by_verify(logged):
    raw_exec(logged, ["DELETE FROM query_log WHERE log_id = 3"])  # the last query, chain head left alone
    result = verify_chain(logged)
    assert not result.ok and "chain head records record 3 but the log ends at 2" in result.message
    raw_exec(logged, ["DELETE FROM query_log WHERE log_id = 1"])
    assert "jumps from record 0 to 2" in verify_chain(logged).message


def test_audit_queries_prints_and_exports_the_log(logged, tmp_path, capsys):
    from prodlib import cli

    url = logged.engine.url.render_as_string(hide_password=False)
    assert cli.main(["audit", "queries", "--db", url, "--person", "P-BOND-1"]) == 0
    out = capsys.readouterr()
    assert "3 logged queries by P-BOND-1" in out.err and out.out.count("bond_rep") == 3
    target = tmp_path / "log.csv"
    assert cli.main(["audit", "queries", "--db", url, "--out", str(target)]) == 0
    rows = target.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("log_id,logged_at,production_id,person_id,role,scope,row_count")
    assert [r.split(",")[0] for r in rows[1:]] == ["1", "2", "3"]
