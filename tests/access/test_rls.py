"""PostgreSQL row-level security: each prodlib role, connected as a LOGIN of its own with raw SQL,
reads exactly its scope of the two productions of tests/access/books.py (figures worked there):
plain selects, joins, aggregates over everything, subqueries, a function that leaks through its
notices, an error that would fire on a hidden row, settings changed to widen the scope, and writes.

Reads PRODLIB_TEST_PG_URL; the logins (``access_<id>_<who>``) are dropped after each test.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from urllib.parse import unquote

import psycopg
import pytest
import sqlalchemy as sa

from prodlib.access.grants import sync_grants
from prodlib.access.roles import load_roles
from prodlib.access.scoped import ScopedView
from tests.access.books import ALPHA, ROLES_YAML, two_productions
from tests.ledger.conftest import PG_URL

WHO = {"pa": "P-PA", "pay": "P-PAY", "cam": "P-CAM", "lp": "P-LP", "upm": "P-UPM", "exec": "P-EXEC",
       "bond": "P-BOND", "aud": "P-AUD"}


@pytest.fixture
def studio(pg_url, tmp_path):
    """Two productions in a fresh schema, roles synced, one LOGIN per person: yields (connect, book, url)."""
    with logins_for(pg_url, tmp_path, "access", two_productions) as got:
        yield got


@contextmanager
def logins_for(pg_url, tmp_path, prefix: str, books):
    """``books(pg_url)`` posted, ROLES_YAML synced, one LOGIN ``<prefix>_<tag>_<who>`` per person (dropped
    after): yields (connect, book, url)."""
    tag = uuid.uuid4().hex[:8]
    logins = {k: f"{prefix}_{tag}_{k}" for k in WHO}
    text = ROLES_YAML
    for k, login in logins.items():
        text = text.replace(f"db_user: access_{k}}}", f"db_user: {login}}}").replace(
            f"db_user: access_{k}\n", f"db_user: {login}\n")
    (tmp_path / "roles.yaml").write_text(text)
    book = load_roles(tmp_path / "roles.yaml")
    assert {m.db_user for m in book.members.values()} == set(logins.values())
    books(pg_url)
    schema = unquote(pg_url.rsplit("search_path%3D", 1)[1])
    admin = sa.create_engine(PG_URL)
    with admin.begin() as c:
        for login in logins.values():
            c.exec_driver_sql(f"CREATE ROLE {login} LOGIN")
    engine = sa.create_engine(pg_url)
    result = sync_grants(engine, book)
    engine.dispose()
    assert result.missing_logins == () and len(result.memberships) == 8
    opened: list[psycopg.Connection] = []
    u = sa.engine.make_url(PG_URL)

    def connect(who: str, **settings: str) -> psycopg.Connection:
        conn = psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=logins[who],
                               options=f"-c search_path={schema}", autocommit=True)
        for k, v in settings.items():
            conn.execute("SELECT set_config(%s, %s, false)", (f"prodlib.{k}", v))
        opened.append(conn)
        return conn

    try:
        yield connect, book, pg_url
    finally:
        _drop(opened, admin, logins)


def _drop(opened, admin, logins) -> None:
    for conn in opened:
        conn.close()
    with admin.begin() as c:
        for login in logins.values():
            c.exec_driver_sql(f"DROP OWNED BY {login}")  # a temporary function of a session not yet gone
            c.exec_driver_sql(f"DROP ROLE {login}")
    admin.dispose()


def one(conn: psycopg.Connection, sql: str):
    return conn.execute(sql).fetchone()[0]


DEBITS = "SELECT COALESCE(SUM(amount_cents), 0) FROM journal_lines WHERE amount_cents > 0"
COUNTS = ("SELECT (SELECT COUNT(*) FROM journal_entries), (SELECT COUNT(*) FROM quarantine), "
          "(SELECT COUNT(*) FROM batches), (SELECT COUNT(*) FROM budget_lines), (SELECT COUNT(*) FROM audit_events)")

# Debits (cents): ALPHA 1,000.00 + 400.00 + 250.50 + 2,500.00 + 1,800.00 = 5,950.50; BETA 7,777.77 +
# 9,999.99 = 17,777.76; ALPHA's payroll 4,300.00; ALPHA's camera 1,000.00 + 250.50 + 2,500.00 = 3,750.50.
# Counts: (entries, quarantine rows, batches, budget lines, audit events). ALPHA: 5 entries, 3 quarantined,
# 2 batches, 3 budget lines, 4 events (budget, period close, 2 batches); BETA: 2, 0, 2, 1, 4.
EXPECTED = {
    "pa": (595050, (5, 3, 2, 3, 4)),
    "lp": (595050, (5, 3, 2, 3, 4)),
    "upm": (595050, (5, 3, 2, 3, 4)),
    "exec": (595050 + 1777776, (7, 3, 4, 4, 8)),
    "aud": (1777776, (2, 0, 2, 1, 4)),
    "pay": (430000, (2, 1, 1, 0, 0)),  # the payroll batch: its 2 entries, its 1 quarantined row
    "cam": (375050, (3, 0, 0, 2, 0)),  # entries with a camera line; camera's 2 budget lines
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_sees_its_scope_through_raw_sql(studio, who):
    connect, _, _ = studio
    conn = connect(who)
    debits, counts = EXPECTED[who]
    assert one(conn, DEBITS) == debits
    assert conn.execute(COUNTS).fetchone() == counts
    # a join and a grouped aggregate see no more than the plain select
    assert one(conn, "SELECT COALESCE(SUM(l.amount_cents), 0) FROM journal_lines l JOIN journal_entries e "
                     "ON e.entry_id = l.entry_id WHERE l.amount_cents > 0") <= debits
    productions = {r[0] for r in conn.execute("SELECT production_id FROM journal_lines GROUP BY production_id")}
    assert productions == ({"ALPHA", "BETA"} if who == "exec" else {"BETA"} if who == "aud" else {"ALPHA"})
    # no one reads the chain heads (they count every production's entries) or anyone's grants
    for table in ("chain_heads", "access_grants", "access_members"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SELECT * FROM {table}")
    mine = {r[0] for r in conn.execute("SELECT role FROM access_my_grants")}
    assert len(mine) == 1


def test_a_department_head_reads_no_other_department_however_asked(studio):
    connect, _, _ = studio
    cam = connect("cam")
    assert {r[0] for r in cam.execute("SELECT DISTINCT account FROM journal_lines")} == {"3300-01", "3300-02",
                                                                                          "3300-03"}
    assert {r[0] for r in cam.execute("SELECT DISTINCT party_id FROM journal_entries")} == {"V-ACME", "E-CAM1"}
    # an entry is visible, its other side (AP, PAYROLL_LIABILITY) and the grip lines are not
    assert one(cam, "SELECT COUNT(*) FROM journal_lines l WHERE l.entry_id IN (SELECT entry_id FROM "
                    "journal_entries)") == 3
    assert one(cam, "SELECT COUNT(*) FROM journal_entries WHERE party_id = 'E-GRIP1'") == 0
    # claiming to be someone else changes nothing: the login is who the person is
    cam.execute("SET prodlib.person = 'P-PA'")
    assert one(cam, DEBITS) == 375050
    cam.execute("SET prodlib.production = 'BETA'")  # a production the camera head does not hold
    assert one(cam, DEBITS) == 0


def test_hidden_rows_leak_through_no_function_and_no_error(studio):
    connect, _, _ = studio
    pa = connect("pa")
    seen: list[str] = []
    pa.add_notice_handler(lambda d: seen.append(d.message_primary or ""))
    pa.execute("CREATE FUNCTION pg_temp.peek(p text, a bigint) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS "
               "$$ BEGIN RAISE NOTICE 'saw % %', p, a; RETURN true; END $$")
    assert one(pa, "SELECT COUNT(*) FROM journal_lines WHERE pg_temp.peek(production_id, amount_cents)") == 10
    assert seen and not any("BETA" in s for s in seen)  # the policy ran before the function: ALPHA rows only
    # 1 / (amount - 999999) would divide by zero on BETA's 9,999.99 payroll line, were it ever evaluated
    assert one(pa, "SELECT COUNT(*) FROM journal_lines WHERE 1 / (amount_cents - 999999) IS NOT NULL") == 10
    with pytest.raises(psycopg.errors.DivisionByZero):  # while the executive, who may see it, does divide
        connect("exec").execute("SELECT COUNT(*) FROM journal_lines WHERE 1 / (amount_cents - 999999) IS NOT NULL")


def test_a_production_setting_narrows_a_studio_executive_and_widens_no_one(studio):
    connect, _, _ = studio
    assert one(connect("exec", production=ALPHA), DEBITS) == 595050
    assert one(connect("exec", production="BETA"), DEBITS) == 1777776
    assert one(connect("pa", production="BETA"), DEBITS) == 0
    assert one(connect("aud", production=ALPHA), DEBITS) == 0


def test_a_bond_representative_reads_totals_views_only(studio):
    connect, _, _ = studio
    bond = connect("bond")
    for table in ("journal_lines", "journal_entries", "quarantine", "batches", "budget_lines", "purchase_orders"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bond.execute(f"SELECT COUNT(*) FROM {table}")
    assert one(bond, "SELECT SUM(amount_cents) FROM bond_account_totals WHERE amount_cents > 0") == 595050
    assert {r[0] for r in bond.execute("SELECT production_id FROM bond_account_totals")} == {ALPHA}
    assert dict(bond.execute("SELECT reason, exceptions FROM bond_exception_counts").fetchall()) == {
        "MALFORMED_AMOUNT": 2, "MISSING_EMPLOYEE": 1}
    assert one(bond, "SELECT SUM(amount_cents) FROM bond_budget_totals") == 800000
    # March's cash-flow rows: AP -1,650.50 and PAYROLL_LIABILITY -4,300.00
    assert dict(bond.execute("SELECT account, amount_cents FROM bond_period_totals WHERE period = '2026-03' "
                             "AND account IN ('AP', 'PAYROLL_LIABILITY')").fetchall()) == {
        "AP": -165050, "PAYROLL_LIABILITY": -430000}
    columns = {r[0] for r in bond.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name LIKE 'bond_%'")}
    assert not columns & {"party_id", "description", "document_no", "payload", "employee_id", "entry_id"}


def test_no_prodlib_role_writes_through_sql(studio):
    connect, _, _ = studio
    for who in ("pa", "aud", "exec"):
        conn = connect(who)
        for sql in ["DELETE FROM quarantine", "UPDATE journal_lines SET amount_cents = 0",
                    "INSERT INTO access_grants VALUES ('BETA', 'P-PA', 'auditor', '')"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


def test_the_scoped_session_runs_as_the_role_in_the_database(studio):
    _, book, url = studio
    with ScopedView.open(url, person="P-CAM", role="department_head", roles=book) as v:
        assert v.in_database  # the test's login is a superuser: it may SET ROLE prodlib_department_head
        assert v.account_balances() == {"3300-01": 250000, "3300-02": 100000, "3300-03": 25050}
        with v._view.engine.connect() as c:  # under the session's role, raw SQL is filtered by the database
            assert c.exec_driver_sql(DEBITS).scalar() == 375050
    with ScopedView.open(url, person="P-PAY", role="payroll_processor", roles=book) as v:
        assert v.account_balances() == {"2500-01": 180000, "3300-01": 250000, "PAYROLL_LIABILITY": -430000}
    with ScopedView.open(url, person="P-EXEC", role="studio_executive", roles=book, production=ALPHA) as v:
        assert v.in_database and v.productions == (ALPHA, "BETA")
        # BETA's debits through the same session: 7,777.77 + 9,999.99
        assert sum(c for c in v.for_production("BETA").account_balances().values() if c > 0) == 1777776


def test_the_exception_queue_tables_are_scoped_when_they_exist_before_migration_10(pg_url):
    """Migration 8 (the exception queue) runs before 10: its tables get the same policies as the
    ledger's (a ledger at version 7 migrated to the latest)."""
    from prodlib.ledger.connection import make_engine
    from prodlib.ledger.migrations import LATEST, migrate

    engine = make_engine(pg_url)
    migrate(engine, target=7)
    assert migrate(engine)[-1] == LATEST
    with engine.connect() as c:
        got = {(t, p) for t, p in c.exec_driver_sql(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema() "
            "AND tablename LIKE 'exception%%'")}
        rls = dict(c.exec_driver_sql("SELECT relname, relrowsecurity FROM pg_class WHERE relname LIKE 'exception%%' "
                                     "AND relnamespace = current_schema()::regnamespace AND relkind = 'r'").all())
    engine.dispose()
    # the five reading roles on both tables, the payroll processor too; no department head, no bond rep
    readers = {"production_accountant", "line_producer", "upm", "studio_executive", "auditor", "payroll_processor"}
    assert got == {(t, f"p_{r}_select") for t in ("exceptions", "exception_events") for r in readers}
    assert rls == {"exceptions": True, "exception_events": True}
