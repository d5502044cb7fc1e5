"""The database side of access (migration 10): who holds what, one database role per prodlib role,
and PostgreSQL row-level security keyed on the person's login.

Tables (both backends): ``access_members`` (person id, name, the database login bound to the person)
and ``access_grants`` (production, person, role, and for a department head one row per account or
detail code; ``''`` otherwise), written by :func:`prodlib.access.grants.sync_grants` from roles.yaml.

PostgreSQL only:

- one NOLOGIN group role per prodlib role, ``prodlib_<role>`` (cluster-wide, created if missing);
  a person's login is made a member of the group of each role they hold;
- ``access_my_grants``: a security-barrier view of the grants of the person the session is: the
  member whose ``db_user`` is ``session_user`` (a login cannot change its session user); a
  superuser or the ledger's owner, who may read everything anyway, may name a person with
  ``SET prodlib.person`` after ``SET ROLE prodlib_<role>`` to see what that person sees;
- ``ENABLE ROW LEVEL SECURITY`` on every ledger table with one SELECT policy per role and table: the
  row's production must be one the person holds that role on (narrowed to
  ``current_setting('prodlib.production')`` when set), plus the role's own filter (payroll batches
  for a payroll processor, the department's accounts for a department head). No policy, no rows;
- a bond representative reads no ledger table at all, only ``bond_*`` totals views (security
  barrier, owned by the ledger's owner): account and period totals, budget, PO and estimate
  totals, exception counts. No entry, no party, no person-level line is reachable.

The ledger's owner (the account that migrates and posts) is not bound: the journal's hash chain and
its gap-free ids span every production of the database, so the writer must see every row (FORCE ROW
LEVEL SECURITY would break the chain's ``max(entry_id)``). Writes go through the library as the
owner; the prodlib roles are granted SELECT only.
"""

from __future__ import annotations

import sqlalchemy as sa

from prodlib.access.roles import (
    AUDITOR,
    BOND_REP,
    DEPARTMENT_HEAD,
    LINE_PRODUCER,
    PAYROLL_PROCESSOR,
    PRODUCTION_ACCOUNTANT,
    ROLES,
    STUDIO_EXECUTIVE,
    UPM,
)

#: The database group role of each prodlib role.
DB_ROLE = {r: f"prodlib_{r}" for r in ROLES}
#: Roles that read every row of the productions they hold.
READ_ALL = (PRODUCTION_ACCOUNTANT, LINE_PRODUCER, UPM, STUDIO_EXECUTIVE, AUDITOR)
#: Batch kinds a payroll processor reads (payroll, its fringes, timecards).
PAYROLL_KINDS = ("payroll", "fringe", "timecard")
#: Ledger tables row-level security scopes (every one has production_id).
LEDGER_TABLES = ("batches", "journal_entries", "journal_lines", "journal_fx", "quarantine", "audit_events",
                 "budget_versions", "budget_lines", "period_closes", "purchase_orders", "estimates", "posted_rows")
#: Tables of other work (the exception queue, migration 8) scoped the same way when they exist when
#: migration 10 runs; a table neither here nor above is granted to no prodlib role: no one reads it.
LATER_TABLES = ("exceptions", "exception_events")
#: Emergency overrides (migration 9) and the query log (migration 11), scoped by migration 12
#: (:func:`apply_later`): overrides run before 10 but were not in LATER_TABLES, the log comes after 10.
#: An override (request, rows, approvals, routing, what it posted) is a production-wide decision: the
#: roles that read every row of a production read it; a department head or a payroll processor sees
#: only their slice of the books (no override filter narrows to it), a bond representative totals only.
OVERRIDE_TABLES = ("override_requests", "override_rows", "override_transitions", "override_routing",
                   "override_postings")
#: Tables only some of the READ_ALL roles read at all: the query log records who read what (an
#: auditor's and a bond representative's queries); the auditor and the production accountant of
#: that production review it (issue 11), no one else (not the executive: whom the bond rep watched).
TABLE_READERS: dict[str, tuple[str, ...]] = {"query_log": (AUDITOR, PRODUCTION_ACCOUNTANT)}
#: The tables migration 12 scopes.
V12_TABLES = OVERRIDE_TABLES + ("query_log",)

ACCESS_TABLES_SQL = [
    "CREATE TABLE access_members (person_id TEXT PRIMARY KEY, name TEXT NOT NULL, db_user TEXT UNIQUE)",
    "CREATE TABLE access_grants (production_id TEXT NOT NULL, person_id TEXT NOT NULL, role TEXT NOT NULL, "
    "account TEXT NOT NULL DEFAULT '', PRIMARY KEY (production_id, person_id, role, account))",
]

_CREATE_ROLE = """DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
    CREATE ROLE {name} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- created meanwhile by another schema's migration
END $$"""

_MY_GRANTS = """CREATE VIEW access_my_grants WITH (security_barrier = true) AS
SELECT g.production_id, g.role, g.account
  FROM access_grants g JOIN access_members m ON m.person_id = g.person_id
 WHERE m.db_user = session_user::text
    OR (m.person_id = current_setting('prodlib.person', true)
        AND NOT EXISTS (SELECT 1 FROM access_members x WHERE x.db_user = session_user::text)
        AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user::text
                      AND (r.rolsuper OR r.oid = (SELECT c.relowner FROM pg_class c
                                                   WHERE c.oid = 'access_grants'::regclass))))"""



def _narrow(table: str) -> str:
    """The session's production narrowing (no setting: every production the person holds the role on)."""
    return (f"{table}.production_id = COALESCE(NULLIF(current_setting('prodlib.production', true), ''), "
            f"{table}.production_id)")


def _held(role: str, table: str) -> str:
    """The row's production is one the person holds ``role`` on. The grants are read once per statement:
    an uncorrelated ``ARRAY(SELECT ...)`` is an InitPlan, not a lookup per row."""
    return (f"{table}.production_id = ANY (ARRAY(SELECT g.production_id FROM access_my_grants g "
            f"WHERE g.role = '{role}')) AND {_narrow(table)}")


def _in_department(table: str, column: str) -> str:
    """The row's account (or cost code) is one of the department head's on the row's production: the
    detail code itself, or its account (the part before '-'), as ``production|code``, read once."""
    mine = (f"ARRAY(SELECT g.production_id || '|' || g.account FROM access_my_grants g "
            f"WHERE g.role = '{DEPARTMENT_HEAD}')")
    return (f"({table}.production_id || '|' || {table}.{column} = ANY ({mine}) "
            f"OR {table}.production_id || '|' || split_part({table}.{column}, '-', 1) = ANY ({mine}))")


_KINDS = ", ".join(f"'{k}'" for k in PAYROLL_KINDS)


def _payroll_entry(table: str) -> str:
    """The row's entry was written by a payroll, fringe or timecard batch (entry ids of a batch are the
    contiguous range first_entry_id..last_entry_id: writers hold the journal head)."""
    return (f"EXISTS (SELECT 1 FROM batches b WHERE b.production_id = {table}.production_id AND b.kind IN ({_KINDS}) "
            f"AND {table}.entry_id BETWEEN b.first_entry_id AND b.last_entry_id)")


#: (role, table) -> the role's own filter on top of "a production the person holds the role on".
ROLE_FILTERS: dict[tuple[str, str], str] = {
    (PAYROLL_PROCESSOR, "batches"): f"batches.kind IN ({_KINDS})",
    (PAYROLL_PROCESSOR, "journal_entries"): _payroll_entry("journal_entries"),
    (PAYROLL_PROCESSOR, "journal_lines"): _payroll_entry("journal_lines"),
    (PAYROLL_PROCESSOR, "journal_fx"): _payroll_entry("journal_fx"),
    (PAYROLL_PROCESSOR, "quarantine"): "quarantine.batch_id IN (SELECT b.batch_id FROM batches b)",
    (PAYROLL_PROCESSOR, "posted_rows"): f"posted_rows.kind IN ({_KINDS})",
    (DEPARTMENT_HEAD, "journal_lines"): _in_department("journal_lines", "account"),
    # an entry with at least one line the department head may read (journal_lines' own policy applies)
    (DEPARTMENT_HEAD, "journal_entries"): "EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = "
                                          "journal_entries.entry_id)",
    (DEPARTMENT_HEAD, "journal_fx"): "EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = journal_fx.entry_id)",
    (DEPARTMENT_HEAD, "budget_lines"): _in_department("budget_lines", "cost_code"),
    (DEPARTMENT_HEAD, "budget_versions"): "TRUE",
    (DEPARTMENT_HEAD, "purchase_orders"): _in_department("purchase_orders", "cost_code"),
    (DEPARTMENT_HEAD, "estimates"): _in_department("estimates", "account"),
    (DEPARTMENT_HEAD, "period_closes"): "TRUE",
    # the exception queue: a payroll processor's are those of payroll batches (batches' policy applies)
    (PAYROLL_PROCESSOR, "exceptions"): "exceptions.batch_id IN (SELECT b.batch_id FROM batches b)",
    (PAYROLL_PROCESSOR, "exception_events"): "exception_events.exception_id IN (SELECT x.exception_id "
                                             "FROM exceptions x)",
}


def policies(tables: tuple[str, ...] = LEDGER_TABLES) -> list[tuple[str, str, str]]:
    """(table, role, USING expression) of every SELECT policy: the permission matrix as data."""
    out = []
    for table in tables:
        for role in ROLES:
            if role == BOND_REP or role not in TABLE_READERS.get(table, ROLES):
                continue
            extra = "TRUE" if role in READ_ALL else ROLE_FILTERS.get((role, table))
            if extra is None:
                continue  # no policy: the role reads no row of this table
            out.append((table, role, f"({_held(role, table)}) AND ({extra})"))
    return out


def _bond(view: str) -> str:
    return _held(BOND_REP, view)


#: The totals a bond representative reads: name -> SELECT (over the owner's rows, filtered to the
#: productions the person holds bond_rep on). Nothing below an account, a period or a reason.
BOND_VIEWS: dict[str, str] = {
    "bond_account_totals": "SELECT l.production_id, l.account, SUM(l.amount_cents) AS amount_cents, "
                           "COUNT(*) AS lines FROM journal_lines l WHERE {l} GROUP BY l.production_id, l.account",
    "bond_period_totals": "SELECT e.production_id, e.period, l.account, SUM(l.amount_cents) AS amount_cents "
                          "FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id WHERE {e} "
                          "GROUP BY e.production_id, e.period, l.account",
    "bond_budget_totals": "SELECT b.production_id, b.version_id, b.cost_code, SUM(b.amount_cents) AS amount_cents "
                          "FROM budget_lines b WHERE {b} GROUP BY b.production_id, b.version_id, b.cost_code",
    "bond_po_totals": "SELECT p.production_id, p.cost_code, p.status, SUM(p.amount_cents) AS amount_cents, "
                      "COUNT(*) AS purchase_orders FROM purchase_orders p WHERE {p} AND p.po_row_id = "
                      "(SELECT MAX(q.po_row_id) FROM purchase_orders q WHERE q.production_id = p.production_id "
                      "AND q.po_number = p.po_number) GROUP BY p.production_id, p.cost_code, p.status",
    "bond_estimate_totals": "SELECT s.production_id, s.account, s.efc_cents, s.effective_date FROM estimates s "
                            "WHERE {s} AND s.estimate_id = (SELECT MAX(t.estimate_id) FROM estimates t "
                            "WHERE t.production_id = s.production_id AND t.account = s.account)",
    # the exception queue's waiting exceptions (open, in review: the latest event's state) by kind and
    # the reason in force (the latest event's), with the amount at stake (an exception without one: 0)
    "bond_exception_counts": "SELECT x.production_id, x.kind, v.reason, COUNT(*) AS exceptions, "
                             "COALESCE(SUM(x.amount_cents), 0) AS amount_cents FROM exceptions x "
                             "JOIN exception_events v ON v.exception_id = x.exception_id WHERE {x} "
                             "AND v.event_id = (SELECT MAX(w.event_id) FROM exception_events w "
                             "WHERE w.exception_id = x.exception_id) AND v.state IN ('open', 'in_review') "
                             "GROUP BY x.production_id, x.kind, v.reason",
}


def _bond_sql(name: str, select: str) -> str:
    alias = {"bond_account_totals": "l", "bond_period_totals": "e", "bond_budget_totals": "b",
             "bond_po_totals": "p", "bond_estimate_totals": "s", "bond_exception_counts": "x"}[name]
    body = select.replace("{" + alias + "}", f"({_bond(alias)})")
    return f"CREATE VIEW {name} WITH (security_barrier = true) AS {body}"


def apply(conn: sa.Connection) -> None:
    """Migration 10: the access tables (both backends), and on PostgreSQL the roles, the grants,
    row-level security and the bond representative's totals views."""
    for stmt in ACCESS_TABLES_SQL:
        conn.exec_driver_sql(stmt)
    if conn.dialect.name != "postgresql":
        return
    raw = conn.connection.driver_connection
    present = set(sa.inspect(conn).get_table_names())
    tables = LEDGER_TABLES + tuple(t for t in LATER_TABLES if t in present)
    schema = conn.dialect.identifier_preparer.quote(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
    stmts = [_CREATE_ROLE.format(name=DB_ROLE[r]) for r in ROLES]
    stmts.append(_MY_GRANTS)
    stmts += [_bond_sql(n, q) for n, q in BOND_VIEWS.items()]
    everyone = ", ".join(DB_ROLE[r] for r in ROLES)
    stmts += [f"GRANT USAGE ON SCHEMA {schema} TO {everyone}",
              f"GRANT SELECT ON schema_version, access_my_grants TO {everyone}",
              f"GRANT SELECT ON {', '.join(BOND_VIEWS)} TO {DB_ROLE[BOND_REP]}"]
    for stmt in stmts + scope_sql(tables):
        raw.execute(stmt)


def _grantees(table: str) -> str:
    return ", ".join(DB_ROLE[r] for r in TABLE_READERS.get(table, ROLES) if r != BOND_REP)


def scope_sql(tables: tuple[str, ...]) -> list[str]:
    """SELECT granted to every role but the bond representative's (to TABLE_READERS' only where named),
    row-level security on, the policies: a role granted a table it has no policy on reads no row of it."""
    found = policies(tables)
    stmts = [f"GRANT SELECT ON {table} TO {_grantees(table)}" for table in tables]
    stmts += [f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY" for t in tables]
    stmts += [f"CREATE POLICY p_{role}_select ON {table} AS PERMISSIVE FOR SELECT TO {DB_ROLE[role]} USING ({expr})"
              for table, role, expr in found]
    return stmts


def apply_later(conn: sa.Connection) -> None:
    """Migration 12 (PostgreSQL; SQLite: nothing): the override tables and the query log scoped as the
    ledger's (:data:`V12_TABLES`), and the bond representative's exception counts read the queue."""
    if conn.dialect.name != "postgresql":
        return
    raw = conn.connection.driver_connection
    stmts = scope_sql(V12_TABLES)
    stmts += ["DROP VIEW IF EXISTS bond_exception_counts",
              _bond_sql("bond_exception_counts", BOND_VIEWS["bond_exception_counts"]),
              f"GRANT SELECT ON bond_exception_counts TO {DB_ROLE[BOND_REP]}"]
    for stmt in stmts:
        raw.execute(stmt)
