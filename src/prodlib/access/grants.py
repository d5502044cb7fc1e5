"""roles.yaml into the database: ``access_members`` and ``access_grants`` (migration 10), which
PostgreSQL's row-level security reads (:mod:`prodlib.access.rls`).

:func:`sync_grants` replaces what the database holds with what the role book says, in one
transaction: a person removed from roles.yaml, or a role taken away, reads nothing more from the
next statement on, whatever group roles their login is still a member of. On PostgreSQL each bound
login (``db_user``) that exists is also made a member of the ``prodlib_<role>`` group of every role it
holds (memberships are cluster-wide and are never revoked here: without a grant row they give nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from prodlib.access.rls import DB_ROLE
from prodlib.access.roles import DEPARTMENT_HEAD, RoleBook


@dataclass(frozen=True)
class SyncResult:
    """What :func:`sync_grants` wrote.

    Attributes:
      members: people written to ``access_members``.
      grants: rows written to ``access_grants`` (one per production x role, per account for a
        department head).
      memberships: (login, group role) memberships granted on PostgreSQL.
      missing_logins: bound logins (``db_user``) that do not exist on the server (nothing granted).
    """

    members: int
    grants: int
    memberships: tuple[tuple[str, str], ...] = ()
    missing_logins: tuple[str, ...] = ()


def grant_rows(book: RoleBook) -> list[tuple[str, str, str, str]]:
    """(production_id, person_id, role, account) of every grant: a department head's accounts one row each."""
    rows = []
    for m in book.members.values():
        for g in m.grants:
            for p in g.productions:
                if g.role == DEPARTMENT_HEAD:
                    rows += [(p, m.id, g.role, a) for a in book.accounts_of(m.id, p)]
                else:
                    rows.append((p, m.id, g.role, ""))
    return sorted(set(rows))


def sync_grants(engine: sa.Engine, book: RoleBook) -> SyncResult:
    """Make the database's access tables say what ``book`` says (one transaction)."""
    rows = grant_rows(book)
    members = [(m.id, m.name, m.db_user) for m in book.members.values()]
    memberships: list[tuple[str, str]] = []
    missing: list[str] = []
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM access_grants")
        conn.exec_driver_sql("DELETE FROM access_members")
        if members:
            conn.execute(sa.text("INSERT INTO access_members (person_id, name, db_user) VALUES (:p, :n, :u)"),
                         [{"p": p, "n": n, "u": u} for p, n, u in members])
        if rows:
            conn.execute(sa.text("INSERT INTO access_grants (production_id, person_id, role, account) "
                                 "VALUES (:pr, :pe, :r, :a)"),
                         [{"pr": pr, "pe": pe, "r": r, "a": a} for pr, pe, r, a in rows])
        if conn.dialect.name == "postgresql":
            for m in book.members.values():
                if m.db_user is None:
                    continue
                if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": m.db_user}).first() is None:
                    missing.append(m.db_user)
                    continue
                for role in book.roles_of(m.id):
                    login = conn.dialect.identifier_preparer.quote(m.db_user)
                    conn.exec_driver_sql(f"GRANT {DB_ROLE[role]} TO {login}")
                    memberships.append((m.db_user, DB_ROLE[role]))
    return SyncResult(len(members), len(rows), tuple(memberships), tuple(missing))
