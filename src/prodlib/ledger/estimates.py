"""Estimates: the estimated final cost (EFC) of an account from a date on, and the ETC it implies.

A history per account, each estimate taking effect later than the one before; ETC is derived,
never stored: EFC - (actual + open commitments).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.errors import LedgerArgumentError
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.frames import cents_to_money, money_to_cents
from prodlib.ledger.journal import Scope
from prodlib.ledger.normalize import date_text, iso, stamp, temporal_filter
from prodlib.ledger.seals import estimate_record
from prodlib.money import to_cents


def record_estimate(conn: sa.Connection, scope: Scope, account: str, efc: Decimal | str, effective_date: date | str,
                    reason: str, author: str) -> int:
    """Record the estimated final cost of an account from ``effective_date`` on; returns its id."""
    if not (account and reason and author):
        raise LedgerArgumentError("an estimate needs an account, a reason and an author")
    if isinstance(efc, float):
        raise TypeError("amounts must be Decimal or text, never float")
    cents = to_cents(efc if isinstance(efc, Decimal) else Decimal(str(efc)))
    eff = iso(effective_date)
    now = stamp(scope.clock())
    es = s.estimates
    journal.lock_head(conn, "journal")
    last = conn.execute(sa.select(sa.func.max(es.c.effective_date)).where(
        es.c.production_id == scope.production_id, es.c.account == account)).scalar()
    if last is not None and date_text(last) >= eff:
        raise LedgerArgumentError(f"estimate for {account} on {eff} must be later than the previous one ({last})")
    row = {"estimate_id": journal.next_id(conn, es.c.estimate_id), "production_id": scope.production_id,
           "account": account, "effective_date": date.fromisoformat(eff), "efc_cents": cents, "reason": reason,
           "author": author, "recorded_at": now}
    conn.execute(es.insert().values(**row))
    journal.append_event(conn, scope, "estimate_recorded", estimate_record(row), now)
    return row["estimate_id"]


def _frame(rows: Sequence) -> pd.DataFrame:
    return pd.DataFrame({
        "account": pd.Series([r["account"] for r in rows], dtype=object),
        "amount": cents_to_money([int(r["efc_cents"]) for r in rows]),
        "effective_date": pd.Series([r["effective_date"] for r in rows], dtype=object),
        "reason": pd.Series([r["reason"] for r in rows], dtype=object),
        "author": pd.Series([r["author"] for r in rows], dtype=object),
    })


def estimates_frame(conn: sa.Connection, production_id: str, account: str | None = None) -> pd.DataFrame:
    """Every estimate ever recorded (the history), oldest first."""
    es = s.estimates
    cond = [es.c.production_id == production_id] + ([es.c.account == account] if account else [])
    q = sa.select(es).where(*cond).order_by(es.c.account, es.c.effective_date)
    return _frame(conn.execute(q).mappings().all())


def efc(conn: sa.Connection, production_id: str, as_of: date | str | None = None,
        known_at: datetime | str | None = None) -> pd.DataFrame:
    """The estimate in force per account on ``as_of`` [account, amount, effective_date, reason, author]."""
    es = s.estimates
    q = (sa.select(es).where(*temporal_filter(es, "effective_date", production_id, as_of, known_at))
         .order_by(es.c.account, es.c.effective_date))
    latest = {}
    for r in conn.execute(q).mappings().all():
        latest[r["account"]] = r
    return _frame([latest[a] for a in sorted(latest)])


def etc(estimates: pd.DataFrame, actuals: pd.DataFrame, commitments: pd.DataFrame) -> pd.DataFrame:
    """Estimate to complete per estimated account: EFC - (actual + open commitments). Pure.

    An estimate for account "2500" covers the codes "2500" and "2500-*" (detail codes roll up
    to their account by prefix). Columns: account, efc, actual, commitments, etc.
    """
    act = dict(zip(actuals["cost_code"], money_to_cents(actuals["amount"]).tolist() if len(actuals) else [],
                   strict=True))
    com = dict(zip(commitments["cost_code"],
                   money_to_cents(commitments["amount"]).tolist() if len(commitments) else [], strict=True))

    def rolled(d: dict[str, int], acct: str) -> int:
        return sum(v for k, v in d.items() if k == acct or k.startswith(acct + "-"))

    accts = estimates["account"].tolist()
    efc_c = money_to_cents(estimates["amount"]) if len(estimates) else np.array([], np.int64)
    a = np.array([rolled(act, x) for x in accts], dtype=np.int64)
    c = np.array([rolled(com, x) for x in accts], dtype=np.int64)
    return pd.DataFrame({"account": pd.Series(accts, dtype=object), "efc": cents_to_money(efc_c),
                         "actual": cents_to_money(a), "commitments": cents_to_money(c),
                         "etc": cents_to_money(efc_c - a - c)})
