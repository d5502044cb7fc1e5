"""``Ledger``: the facade over the ledger's modules, for callers that want one object.

Each write method is one transaction; :meth:`Ledger.transaction` hands out a caller-owned write
connection so several writes (a payroll batch and its fringe batch) commit together, e.g.::

    with led.transaction() as conn:
        batches.post_batch(conn, led.scope, ...)
        batches.post_batch(conn, led.scope, ...)

The logic lives in the modules (see docs/LEDGER.md, "Modules"); reads come from
:class:`~prodlib.ledger.view.LedgerView`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from prodlib.errors import DatabaseLocationError, LedgerError
from prodlib.ledger import batches, budgets, commitments, entries, estimates, periods
from prodlib.ledger.batches import BatchResult
from prodlib.ledger.connection import make_engine, open_readonly_engine, render_url, write_transaction
from prodlib.ledger.journal import Scope
from prodlib.ledger.migrations import migrate
from prodlib.ledger.normalize import utc_now
from prodlib.ledger.tenants import resolve_production
from prodlib.ledger.view import LedgerView


class Ledger(LedgerView):
    """The production's books, readable and writable. Open with :meth:`open`.

    Attributes:
      engine: the SQLAlchemy engine.
      production_id: the production every row written belongs to.
      clock: the wall clock for ``recorded_at``.
      chunk_rows: entries per bulk insert statement.
      readonly: opened for reading: every write is refused before it reaches the database.
    """

    chunk_rows = 50_000

    def __init__(self, engine: sa.Engine, production_id: str = "default",
                 clock: Callable[[], datetime] = utc_now, readonly: bool = False) -> None:
        super().__init__(engine, production_id)
        self.clock = clock
        self.readonly = readonly

    @classmethod
    def open(cls, url: str | Path, *, production_id: str | None = None,
             clock: Callable[[], datetime] | None = None, readonly: bool = False) -> Ledger:
        """Open the ledger at ``url`` (a SQLite path/URL or a PostgreSQL URL).

        For writing it is created or migrated; ``readonly=True`` creates and migrates nothing and
        raises DatabaseLocationError where there is no current ledger. ``production_id`` None:
        $PRODLIB_PRODUCTION, else the database's only production, else ``default`` for a new one
        (:func:`prodlib.ledger.tenants.resolve_production`).
        """
        if readonly:
            engine = open_readonly_engine(url)
        else:
            engine = make_engine(url)
            try:
                migrate(engine)
            except sa.exc.OperationalError as exc:  # no such folder, read-only file, server unreachable
                engine.dispose()
                why = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
                raise DatabaseLocationError(render_url(url), f"cannot be opened for writing ({why})") from None
        try:
            production = resolve_production(engine, production_id, reading=readonly)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, production, clock or utc_now, readonly=readonly)

    @property
    def scope(self) -> Scope:
        """Who writes and when, for the module writers."""
        return Scope(self.production_id, self.clock, self.chunk_rows)

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """A caller-owned write transaction: committed when the block ends, rolled back if it raises."""
        if self.readonly:
            raise LedgerError("this ledger was opened read-only; open it without readonly=True to write")
        with write_transaction(self.engine) as conn:
            yield conn

    def _one(self, fn, *args, **kwargs):
        with self.transaction() as conn:
            return fn(conn, self.scope, *args, **kwargs)

    # --- writes: each one transaction -------------------------------------------------------

    def post_batch(self, source_id: str, source_file: str, file_hash: str, kind: str, postings: pd.DataFrame | None,
                   quarantine: pd.DataFrame | None, rows_read: int, *, purchase_orders: pd.DataFrame | None = None,
                   effective_date: date | str | None = None, budget: dict | None = None,
                   accepted: int = 0, row_keys: Sequence[str] | None = None,
                   already_posted: int = 0) -> BatchResult:
        """Post one file atomically (see :func:`prodlib.ledger.batches.post_batch`)."""
        return self._one(batches.post_batch, source_id, source_file, file_hash, kind, postings, quarantine,
                         rows_read, purchase_orders=purchase_orders, effective_date=effective_date, budget=budget,
                         accepted=accepted, row_keys=row_keys, already_posted=already_posted)

    def record_budget(self, version_id: str, lines: pd.DataFrame, locked_on: date | str, author: str,
                      reason: str = "original locked budget", *, effective_date: date | str | None = None,
                      kind: str = "original", parent_version_id: str | None = None) -> bool:
        """Record a locked budget version (see :func:`prodlib.ledger.budgets.record_budget`)."""
        return self._one(budgets.record_budget, version_id, lines, locked_on, author, reason,
                         effective_date=effective_date, kind=kind, parent_version_id=parent_version_id)

    def post_entry(self, entry_date: date | str, lines, description: str, *, kind: str = "general",
                   reason: str | None = None, author: str | None = None, document_no: str | None = None,
                   party_id: str | None = None, po_number: str | None = None) -> int:
        """Post one balanced journal entry (see :func:`prodlib.ledger.entries.post_entry`)."""
        return self._one(entries.post_entry, entry_date, lines, description, kind=kind, reason=reason,
                         author=author, document_no=document_no, party_id=party_id, po_number=po_number)

    def reverse_entry(self, entry_id: int, entry_date: date | str, reason: str, author: str) -> int:
        """A reversing entry dated ``entry_date``. Returns its id."""
        return self._one(entries.reverse_entry, entry_id, entry_date, reason, author)

    def void_entry(self, entry_id: int, reason: str, author: str) -> int:
        """Void: a reversing entry on the original's own date (its period must be open)."""
        return self._one(entries.void_entry, entry_id, reason, author)

    def reissue_entry(self, entry_id: int, entry_date: date | str, lines, reason: str, author: str,
                      description: str | None = None) -> tuple[int, int]:
        """Reverse an entry and post the corrected one, atomically. Returns (reversal, reissue)."""
        return self._one(entries.reissue_entry, entry_id, entry_date, lines, reason, author, description)

    def close_period(self, period: str, author: str, reason: str | None = None,
                     closed_on: date | str | None = None) -> None:
        """Close an accounting period ("2026-03"): from now on only dated adjustments post into it."""
        return self._one(periods.close_period, period, author, reason, closed_on)

    def record_purchase_orders(self, frame: pd.DataFrame, effective_date: date | str | None = None) -> int:
        """Append each changed PO version (see :func:`prodlib.ledger.commitments.record_purchase_orders`)."""
        return self._one(commitments.record_purchase_orders, frame, effective_date)

    def record_estimate(self, account: str, efc: Decimal | str, effective_date: date | str, reason: str,
                        author: str) -> int:
        """Record an account's estimated final cost from ``effective_date`` on; returns its id."""
        return self._one(estimates.record_estimate, account, efc, effective_date, reason, author)
