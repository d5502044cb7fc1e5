"""General entries and corrections: post a balanced entry, void, reverse, reissue.

Corrections are entries: a void is a reversal on the original's date, a reversal is dated, a
reissue is a reversal plus the corrected entry in one transaction. At most one void or reversal
per entry (the API checks; a unique partial index refuses too).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.errors import LedgerArgumentError, LedgerError, PeriodClosedError, UnbalancedEntryError
from prodlib.ledger import journal
from prodlib.ledger import schema as s
from prodlib.ledger.frames import money_to_cents
from prodlib.ledger.journal import EntryColumns, Scope
from prodlib.ledger.normalize import iso, stamp, str_list
from prodlib.ledger.periods import closed_periods
from prodlib.money import from_cents, to_cents

#: A spec's foreign-currency keys (:class:`prodlib.ledger.journal.EntryColumns`): a reversal of a
#: foreign-currency entry reverses its original amount too, at the same rate.
FX_KEYS = ("fx_currency", "fx_original_cents", "fx_rate")
ENTRY_KINDS = ("posting", "general", "adjustment", "void", "reversal", "reissue")


def normalize_lines(lines) -> tuple[list[str], list[int]]:
    """(accounts, cents) of an entry's lines: (account, amount) pairs or a frame [account, amount]."""
    if isinstance(lines, pd.DataFrame):
        accounts = str_list(lines["account"], len(lines))
        cents = money_to_cents(lines["amount"]).tolist() if len(lines) else []
    else:
        accounts, cents = [], []
        for acct, amt in lines:
            if isinstance(amt, float):
                raise TypeError("amounts must be Decimal or text, never float")
            accounts.append(acct)
            cents.append(to_cents(amt if isinstance(amt, Decimal) else Decimal(str(amt))))
    if len(accounts) < 2:
        raise UnbalancedEntryError("a journal entry needs at least two lines")
    if any(not a for a in accounts):
        raise LedgerArgumentError("every line needs an account")
    total = sum(cents)
    if total != 0:
        raise UnbalancedEntryError(f"debits and credits differ by {from_cents(total)}")
    return accounts, [int(c) for c in cents]


def post_specs(conn: sa.Connection, scope: Scope, specs: list[dict], now: str) -> list[int]:
    """Write API-made entries. Each spec: date, kind, accounts, cents, and the optional header fields."""
    seq, prev = journal.lock_head(conn, "journal")
    closed = closed_periods(conn, scope.production_id)
    for sp in specs:
        if sp["kind"] != "adjustment" and sp["date"][:7] in closed:
            raise PeriodClosedError(
                f"{sp['date']} falls in closed period {sp['date'][:7]}: post a dated adjustment instead")
    idx, accts, cents = [], [], []
    for i, sp in enumerate(specs):
        idx += [i] * len(sp["accounts"])
        accts += sp["accounts"]
        cents += sp["cents"]

    def col(k):
        return [sp.get(k) for sp in specs]

    cols = EntryColumns(
        dates=col("date"), kind=col("kind"), source_id=col("source_id"), source_line=col("source_line"),
        row_hash=col("row_hash"), document_no=col("document_no"), party_id=col("party_id"),
        po_number=col("po_number"), description=col("description"), reverses=col("reverses"),
        reason=col("reason"), author=col("author"), line_entry_idx=np.array(idx, dtype=np.int64),
        line_accounts=accts, line_cents=np.array(cents, dtype=np.int64),
        **({k: col(k) for k in FX_KEYS} if any(sp.get("fx_currency") for sp in specs) else {}))
    new_seq, new_hash = journal.write_entries(conn, scope, cols, start_id=seq + 1, prev_hash=prev, batch_id=None,
                                              now=now)
    journal.set_head(conn, "journal", new_seq, new_hash)
    return list(range(seq + 1, new_seq + 1))


def post_entry(conn: sa.Connection, scope: Scope, entry_date: date | str, lines, description: str, *,
               kind: str = "general", reason: str | None = None, author: str | None = None,
               document_no: str | None = None, party_id: str | None = None, po_number: str | None = None) -> int:
    """Post one balanced journal entry; returns its id.

    ``lines``: (account, amount) pairs, debit positive and credit negative, or a frame
    [account, amount]. Unbalanced entries raise :class:`UnbalancedEntryError`. ``kind``
    "adjustment" (with a reason and an author) is the only way into a closed period.
    """
    if kind not in ("general", "adjustment"):
        raise LedgerArgumentError(
            "post_entry kind is 'general' or 'adjustment' (voids and reversals have their own calls)")
    if kind == "adjustment" and not (reason and author):
        raise LedgerArgumentError("an adjustment needs a reason and an author")
    accounts, cents = normalize_lines(lines)
    spec = {"date": iso(entry_date), "kind": kind, "accounts": accounts, "cents": cents,
            "description": description, "reason": reason, "author": author, "document_no": document_no,
            "party_id": party_id, "po_number": po_number}
    return post_specs(conn, scope, [spec], stamp(scope.clock()))[0]


def entry(conn: sa.Connection, production_id: str, entry_id: int) -> tuple[sa.Row, list[tuple[str, int]]]:
    """An entry's header row and its (account, cents) lines; LookupError if there is none."""
    e, ln = s.journal_entries, s.journal_lines
    row = conn.execute(sa.select(e).where(e.c.entry_id == entry_id, e.c.production_id == production_id)).first()
    if row is None:
        raise LookupError(f"no journal entry {entry_id}")
    lines = conn.execute(sa.select(ln.c.account, ln.c.amount_cents).where(ln.c.entry_id == entry_id)
                         .order_by(ln.c.line_no)).all()
    return row, [(a, int(c)) for a, c in lines]


def _reversal_spec(conn: sa.Connection, scope: Scope, entry_id: int, entry_date: str | None, kind: str,
                   reason: str, author: str) -> dict:
    if not (reason and author):
        raise LedgerArgumentError(f"a {kind} needs a reason and an author")
    journal.lock_head(conn, "journal")
    row, lines = entry(conn, scope.production_id, entry_id)
    if row.kind in ("void", "reversal"):
        raise LedgerError(f"entry {entry_id} is itself a {row.kind}; post a new entry instead")
    e = s.journal_entries
    done = conn.execute(sa.select(e.c.entry_id).where(
        e.c.reverses_entry_id == entry_id, e.c.kind.in_(["void", "reversal"]))).first()
    if done is not None:
        raise LedgerError(f"entry {entry_id} was already reversed by entry {done.entry_id}")
    f = s.journal_fx
    fx = conn.execute(sa.select(f.c.currency, f.c.original_cents, f.c.rate).where(f.c.entry_id == entry_id)).first()
    return {"date": entry_date or iso(row.entry_date), "kind": kind, "accounts": [a for a, _ in lines],
            "cents": [-c for _, c in lines], "fx_currency": fx.currency if fx else None,
            "fx_original_cents": -int(fx.original_cents) if fx else None, "fx_rate": fx.rate if fx else None,
            "description": f"{kind.upper()} of entry {entry_id}: {reason}",
            "reason": reason, "author": author, "document_no": row.document_no, "party_id": row.party_id,
            "po_number": row.po_number, "reverses": entry_id, "source_id": row.source_id,
            "source_line": row.source_line, "row_hash": row.row_hash, "original_description": row.description}


def reverse_entry(conn: sa.Connection, scope: Scope, entry_id: int, entry_date: date | str, reason: str,
                  author: str) -> int:
    """A reversing entry dated ``entry_date`` (same lines, sides swapped). Returns its id."""
    spec = _reversal_spec(conn, scope, entry_id, iso(entry_date), "reversal", reason, author)
    return post_specs(conn, scope, [spec], stamp(scope.clock()))[0]


def void_entry(conn: sa.Connection, scope: Scope, entry_id: int, reason: str, author: str) -> int:
    """Void: a reversing entry on the original's own date (its period must be open)."""
    spec = _reversal_spec(conn, scope, entry_id, None, "void", reason, author)
    return post_specs(conn, scope, [spec], stamp(scope.clock()))[0]


def reissue_entry(conn: sa.Connection, scope: Scope, entry_id: int, entry_date: date | str, lines, reason: str,
                  author: str, description: str | None = None) -> tuple[int, int]:
    """Correct an entry: reverse it and post the corrected one, atomically. Returns (reversal, reissue)."""
    accounts, cents = normalize_lines(lines)
    rev = _reversal_spec(conn, scope, entry_id, iso(entry_date), "reversal", reason, author)
    new = {**rev, **dict.fromkeys(FX_KEYS), "kind": "reissue", "accounts": accounts, "cents": cents,
           "description": description or rev["original_description"]}
    ids = post_specs(conn, scope, [rev, new], stamp(scope.clock()))
    return ids[0], ids[1]
