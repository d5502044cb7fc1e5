"""Accounting periods: closing one ("2026-03"), after which only dated adjustments post into it.

The API refuses a posting into a closed period (:class:`PeriodClosedError`); so does a trigger.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from prodlib.errors import LedgerArgumentError, LedgerError
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import iso, stamp, today
from prodlib.ledger.seals import period_close_record


def closed_periods(conn: sa.Connection, production_id: str) -> set[str]:
    rows = conn.execute(sa.select(s.period_closes.c.period).where(
        s.period_closes.c.production_id == production_id)).all()
    return {r.period for r in rows}


def close_period(conn: sa.Connection, scope: Scope, period: str, author: str, reason: str | None = None,
                 closed_on: date | str | None = None) -> None:
    """Close an accounting period ("2026-03") inside the caller's write transaction."""
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
        raise LedgerArgumentError(f"period {period!r} is not YYYY-MM")
    if not author:
        raise LedgerArgumentError("closing a period needs an author")
    now_dt = scope.clock()
    closed = iso(closed_on) or today(now_dt)
    now = stamp(now_dt)
    journal.lock_head(conn, "journal")
    if period in closed_periods(conn, scope.production_id):
        raise LedgerError(f"period {period} is already closed")
    row = {"period": period, "production_id": scope.production_id, "closed_on": date.fromisoformat(closed),
           "author": author, "reason": reason, "recorded_at": now}
    conn.execute(s.period_closes.insert().values(**row))
    journal.append_event(conn, scope, "period_closed", period_close_record(row), now)
