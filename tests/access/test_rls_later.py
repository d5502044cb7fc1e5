"""Row-level security on the tables made after migration 10's lists (migration 12): the emergency
override tables and the query log, read with raw SQL by each role's own LOGIN (``rlsgap_<tag>_<who>``,
dropped after each test); and the bond representative's exception counts, read off the queue.

Books: tests/access/books.py's ALPHA and BETA, plus (written as the ledger's owner, as the library does):
  overrides: ALPHA #1 (150.00) and #2 (75.00), each with its "request" transition; BETA #3 (9,000.00)
    with its request and its approval: ALPHA 2 requests / 2 transitions, BETA 1 / 2.
  query log: two ALPHA records (the bond rep's reads), one BETA record (the auditor's read).
  queue: ALPHA's 3 quarantined rows opened 3 exceptions: lines 7 and 8 MALFORMED_AMOUNT (kind ingest),
    line 9 MISSING_EMPLOYEE (kind validation); line 7 is assigned (in_review: still waiting), line 9 is
    written off (no longer waiting). Waiting: ingest / MALFORMED_AMOUNT: 2, at stake 0 (the helper's
    amount cell "12,3,4" reads as no amount). BETA quarantined nothing.
"""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from prodlib.ledger import Ledger
from prodlib.ledger import exceptions as queue
from prodlib.ledger import schema as s
from prodlib.ledger.querylog import QuerySession, append_record
from tests.access.books import ALPHA, BETA, two_productions
from tests.access.test_rls import logins_for, one

OVERRIDES = [(1, ALPHA, 15000, [("request", None, "requested")]), (2, ALPHA, 7500, [("request", None, "requested")]),
             (3, BETA, 900000, [("request", None, "requested"), ("approve", "requested", "approved")])]


def books(url: str) -> None:
    two_productions(url)
    engine = sa.create_engine(url)
    with engine.begin() as c:
        tid = 0
        for oid, pid, cents, steps in OVERRIDES:
            c.execute(s.override_requests.insert().values(
                override_id=oid, production_id=pid, rule="MISSING_EMPLOYEE", amount_cents=cents,
                justification_code="CREW_WAITING", justification_text="crew unpaid", requester="P-PA",
                operator="P-PA", third_approval_above_cents=500000, execute_within_hours=24,
                recorded_at="2026-03-07T09:00:00Z"))
            for event, before, after in steps:
                tid += 1
                c.execute(s.override_transitions.insert().values(
                    transition_id=tid, production_id=pid, override_id=oid, event=event, from_state=before,
                    to_state=after, actor="P-PA", at="2026-03-07T09:00:00Z", payload="{}", prev_hash="0" * 64,
                    transition_hash=f"{tid:064d}", recorded_at="2026-03-07T09:00:00Z"))
        readers = ((ALPHA, "P-BOND", "bond_rep"), (ALPHA, "P-BOND", "bond_rep"), (BETA, "P-AUD", "auditor"))
        for pid, who, role in readers:
            append_record(c, QuerySession(who, role, production_id=pid, scope="test",
                                          clock=lambda: "2026-03-31T09:00:00.000000Z"),
                          "SELECT 1 FROM journal_lines", 1)
    engine.dispose()
    with Ledger.open(url, production_id=ALPHA) as led, led.transaction() as conn:
        ids = dict(conn.execute(sa.select(s.exceptions.c.source_line, s.exceptions.c.exception_id).where(
            s.exceptions.c.production_id == ALPHA)).all())
        assert sorted(ids) == [7, 8, 9]
        queue.change(conn, led.scope, [ids[7]], "assign", actor="P-PA", why="look", assignee="P-PA")
        queue.change(conn, led.scope, [ids[9]], "write_off", actor="P-PA", why="duplicate of a paper timecard")


@pytest.fixture
def studio(pg_url, tmp_path):
    with logins_for(pg_url, tmp_path, "rlsgap", books) as got:
        yield got


# who -> (override requests, transitions, amount of the requests in cents, query log records); None: the
# role is granted no SELECT on the table at all.
EXPECTED = {
    "pa": (2, 2, 22500, 2),
    "lp": (2, 2, 22500, None),
    "upm": (2, 2, 22500, None),
    "exec": (3, 4, 22500 + 900000, None),
    "aud": (1, 2, 900000, 1),
    "pay": (0, 0, None, None),  # a payroll processor's slice of the books holds no override
    "cam": (0, 0, None, None),  # nor a department head's
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_reads_overrides_and_the_query_log_in_its_scope(studio, who):
    connect, _, _ = studio
    conn = connect(who)
    requests, transitions, amount, log = EXPECTED[who]
    assert one(conn, "SELECT COUNT(*) FROM override_requests") == requests
    assert one(conn, "SELECT COUNT(*) FROM override_transitions") == transitions
    assert one(conn, "SELECT SUM(amount_cents) FROM override_requests") == amount
    # a join sees no transition of a request it cannot read, nor a request through a transition
    assert one(conn, "SELECT COUNT(*) FROM override_transitions t JOIN override_requests r "
                     "ON r.override_id = t.override_id") == transitions
    productions = {r[0] for r in conn.execute("SELECT production_id FROM override_transitions GROUP BY 1")}
    assert productions <= ({ALPHA, BETA} if who == "exec" else {BETA} if who == "aud" else {ALPHA})
    for table in ("override_rows", "override_routing", "override_postings"):
        assert one(conn, f"SELECT COUNT(*) FROM {table}") == 0  # scoped, and empty
    if log is None:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT COUNT(*) FROM query_log")
    else:
        assert one(conn, "SELECT COUNT(*) FROM query_log") == log
        assert {r[0] for r in conn.execute("SELECT DISTINCT production_id FROM query_log")} == (
            {ALPHA} if who == "pa" else {BETA})


def test_a_bond_representative_reads_no_override_and_no_log_only_the_queue_counts(studio):
    connect, _, _ = studio
    bond = connect("bond")
    for table in ("override_requests", "override_transitions", "override_rows", "query_log", "exceptions",
                  "exception_events"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bond.execute(f"SELECT COUNT(*) FROM {table}")
    # waiting on ALPHA (the docstring): ingest / MALFORMED_AMOUNT 2 (one open, one in review), 0 at stake;
    # the written-off MISSING_EMPLOYEE is not waiting
    assert bond.execute("SELECT production_id, kind, reason, exceptions, amount_cents FROM bond_exception_counts"
                        ).fetchall() == [(ALPHA, "ingest", "MALFORMED_AMOUNT", 2, 0)]
    # the same, counted by the production accountant straight off the queue's tables
    pa = connect("pa")
    assert one(pa, "SELECT COUNT(*) FROM exceptions x WHERE (SELECT v.state FROM exception_events v WHERE "
                   "v.exception_id = x.exception_id ORDER BY v.event_id DESC LIMIT 1) IN ('open', 'in_review')") == 2


def test_another_productions_overrides_stay_invisible_whatever_the_setting(studio):
    connect, _, _ = studio
    assert one(connect("pa", production=BETA), "SELECT COUNT(*) FROM override_requests") == 0
    assert one(connect("aud", production=ALPHA), "SELECT COUNT(*) FROM query_log") == 0
    assert one(connect("exec", production=BETA), "SELECT SUM(amount_cents) FROM override_requests") == 900000
    pa = connect("pa")
    pa.execute("SET prodlib.person = 'P-EXEC'")  # claiming to be the executive changes nothing
    assert one(pa, "SELECT COUNT(*) FROM override_requests WHERE production_id = 'BETA'") == 0


def test_migration_12_scopes_a_ledger_at_version_11(pg_url):
    """A ledger migrated to 11 (overrides and query log present, no policy on them) gets, at 12, the
    policies the issue's role list gives: five reading roles on each override table, two on the log."""
    from prodlib.ledger.connection import make_engine
    from prodlib.ledger.migrations import migrate

    engine = make_engine(pg_url)
    migrate(engine, target=11)
    count = ("SELECT COUNT(*) FROM pg_policies WHERE schemaname = current_schema() AND "
             "(tablename LIKE 'override%%' OR tablename = 'query_log')")
    with engine.connect() as c:
        assert c.exec_driver_sql(count).scalar() == 0
    assert migrate(engine) == [12]
    with engine.connect() as c:
        got = {(t, p) for t, p in c.exec_driver_sql(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema() AND "
            "(tablename LIKE 'override%%' OR tablename = 'query_log')")}
    engine.dispose()
    five = ("production_accountant", "line_producer", "upm", "studio_executive", "auditor")
    tables = ("override_requests", "override_rows", "override_transitions", "override_routing", "override_postings")
    assert got == ({(t, f"p_{r}_select") for t in tables for r in five}
                   | {("query_log", "p_auditor_select"), ("query_log", "p_production_accountant_select")})


def test_migration_12_changes_nothing_on_sqlite(tmp_path):
    from prodlib.ledger.connection import make_engine
    from prodlib.ledger.migrations import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'l.db'}")
    migrate(engine, target=11)
    with engine.connect() as c:
        before = c.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()
    assert migrate(engine) == [12]
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").all() == before
    engine.dispose()
