"""Productions as tenants: one database holds many productions; every row carries its ``production_id``.

Which production a command reads or writes is, in order: the one named (``--production`` or an
argument), ``$PRODLIB_PRODUCTION``, production.yaml's ``production_id`` (the pipeline passes it), and
for a database that holds exactly one production, that one. A database holding several productions
with none named is refused (exit 2, the productions listed), never read as a mix of them; a
production named for reading that the database does not hold is refused the same way. A fresh
database with nothing named writes the production ``default``.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from prodlib.errors import InputError

#: The environment variable that names the production when no ``--production`` is given.
PRODUCTION_ENV = "PRODLIB_PRODUCTION"
#: The production of a database written with none named (and of every ledger before productions).
DEFAULT_PRODUCTION = "default"
#: The tables whose rows say which productions a database holds (every production has one of these).
_HOLDERS = ("journal_entries", "batches", "audit_events", "budget_versions", "purchase_orders")
#: Productions a refusal lists at the most.
SHOWN = 10


def productions_in(conn: sa.Connection) -> list[str]:
    """Every production the database holds rows of, sorted."""
    sql = " UNION ".join(f"SELECT DISTINCT production_id FROM {t}" for t in _HOLDERS)
    return sorted(r[0] for r in conn.exec_driver_sql(sql).all())


def _listed(found: list[str]) -> str:
    more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
    return ", ".join(found[:SHOWN]) + more


def resolve_production(engine: sa.Engine, named: str | None = None, *, reading: bool = True) -> str:
    """The production a ledger opened on ``engine`` reads (``reading``) or writes.

    ``named`` (else $PRODLIB_PRODUCTION) wins; for reading it must be one the database holds (an
    empty database excepted). Unnamed: the database's only production, else ``default`` for an empty
    one; several is an InputError naming them.
    """
    named = named or os.environ.get(PRODUCTION_ENV) or None
    if named is not None and not named.strip():
        raise InputError("--production", "is empty: name a production id")
    if named is not None and not reading:
        return named
    with engine.connect() as conn:
        found = productions_in(conn)
    if named is not None:
        if found and named not in found:
            raise InputError("--production", f"{named!r} has nothing in this database; it holds {_listed(found)}")
        return named
    if len(found) > 1:
        raise InputError("--production", f"this database holds {len(found)} productions ({_listed(found)}): "
                                         "name one with --production or $PRODLIB_PRODUCTION")
    return found[0] if found else DEFAULT_PRODUCTION
