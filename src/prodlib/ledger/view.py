"""The read-only view of the books: actuals, trial balance, frames, budgets, commitments, estimates.

Every read is one deferred snapshot (SQLite WAL; PostgreSQL read committed) that never waits for a
writer. ``as_of`` cuts the accounting date, ``known_at`` what had been recorded by then, so a
report built with both is rebuilt byte for byte later. :meth:`LedgerView.open` never creates a file
and never migrates.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.accounts import (
    AP,
    BALANCE_SHEET_ACCOUNTS,
    CASH,
    FRINGE_PAYABLE_PREFIX,
    PAYROLL_LIABILITY,
    PETTY_CASH,
    is_cost_account,
)
from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.ledger import batches, budgets, commitments, estimates
from prodlib.ledger import schema as s
from prodlib.ledger.connection import open_readonly_engine
from prodlib.ledger.frames import cents_to_money, rows_frame
from prodlib.ledger.normalize import temporal_filter
from prodlib.ledger.periods import closed_periods
from prodlib.ledger.tenants import resolve_production

DateLike = date | str | None
Known = datetime | str | None


def account_balances(conn: sa.Connection, production_id: str, as_of: DateLike = None,
                     known_at: Known = None) -> dict[str, int]:
    """Net cents (debit positive) per account."""
    e, ln = s.journal_entries, s.journal_lines
    q = (sa.select(ln.c.account, sa.func.sum(ln.c.amount_cents))
         .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
         .where(*temporal_filter(e, "entry_date", production_id, as_of, known_at))
         .group_by(ln.c.account).order_by(ln.c.account))
    return {a: int(v) for a, v in conn.execute(q).all()}


#: Columns of :func:`kind_lines`: what the night reads of a posted line (``reconcile.invoices.posted_lines``).
KIND_LINE_COLUMNS = ("entry_id", "entry_date", "account", "amount_cents", "document_no", "party_id", "po_number",
                     "source_id", "source_line", "batch_id", "reverses_entry_id")


def _cost_lines(ln: sa.Table) -> list:
    """WHERE terms: cost-account lines only (``accounts.is_cost_account``, in SQL)."""
    return [ln.c.account.not_in(sorted(BALANCE_SHEET_ACCOUNTS)), ln.c.account.not_like(f"{FRINGE_PAYABLE_PREFIX}%")]


def _ranges(rows: list[tuple[int, int | None, int | None]]) -> list[tuple[int, int]]:
    """The entry id ranges of these batches (batch_id, first_entry_id, last_entry_id), adjacent ones merged."""
    spans = sorted((int(a), int(b)) for _, a, b in rows if a is not None and b is not None)
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def kind_lines(conn: sa.Connection, production_id: str, kinds: Sequence[str], as_of: DateLike = None,
               known_at: Known = None, after_entry: int | None = None,
               parties: Collection[str] | None = None) -> pd.DataFrame:
    """The cost-account lines of entries posted by batches of ``kinds``, and of every reversal, void
    or reissue (which carry the entry they correct in ``reverses_entry_id``), in :data:`KIND_LINE_COLUMNS`:
    what the night needs of the journal, selected in SQL by each batch's entry id range (the primary
    key) and the reversal index, instead of every line of every kind (``entries_frame``).
    ``after_entry``: only entries with a larger id (what was posted since); ``parties``: only entries of
    these parties (vendors, custodians)."""
    e, ln, b = s.journal_entries, s.journal_lines, s.batches
    batch_rows = conn.execute(sa.select(b.c.batch_id, b.c.first_entry_id, b.c.last_entry_id).where(
        b.c.production_id == production_id, b.c.kind.in_(list(kinds)))).all()
    ids = [int(r[0]) for r in batch_rows]
    cols = [e.c.entry_id, e.c.entry_date, ln.c.account, ln.c.amount_cents, e.c.document_no, e.c.party_id,
            e.c.po_number, e.c.source_id, e.c.source_line, e.c.batch_id, e.c.reverses_entry_id]
    base = (sa.select(*cols).select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
            .where(*_cost_lines(ln), *temporal_filter(e, "entry_date", production_id, as_of, known_at)))
    if after_entry is not None:
        base = base.where(e.c.entry_id > after_entry)
    if parties is not None:
        base = base.where(e.c.party_id.in_(sorted(parties)))
    rows: list = []
    for lo, hi in _ranges(batch_rows):
        rows.extend(conn.execute(base.where(e.c.entry_id.between(lo, hi), e.c.batch_id.in_(ids))
                                 .order_by(e.c.entry_id, ln.c.line_no)).all())
    outside = sa.or_(e.c.batch_id.is_(None), e.c.batch_id.not_in(ids)) if ids else sa.true()
    rows.extend(conn.execute(base.where(e.c.reverses_entry_id.is_not(None), outside)
                             .order_by(e.c.entry_id, ln.c.line_no)).all())
    frame = rows_frame(rows, list(KIND_LINE_COLUMNS))
    return frame.sort_values("entry_id", kind="stable").reset_index(drop=True) if len(frame) else frame


def kind_party_pos(conn: sa.Connection, production_id: str, kind: str, after_batch: int | None = None
                   ) -> set[tuple[str, str | None]]:
    """Distinct (party_id, po_number) of the entries posted by batches of ``kind`` (after batch
    ``after_batch``), aggregated in SQL by each batch's entry range: which vendors' lines carry which PO
    numbers (the night's invoice reconciliation partitions by vendor through them)."""
    e, b = s.journal_entries, s.batches
    cond = [b.c.production_id == production_id, b.c.kind == kind]
    if after_batch is not None:
        cond.append(b.c.batch_id > after_batch)
    batch_rows = conn.execute(sa.select(b.c.batch_id, b.c.first_entry_id, b.c.last_entry_id).where(*cond)).all()
    ids = [int(r[0]) for r in batch_rows]
    out: set[tuple[str, str | None]] = set()
    for lo, hi in _ranges(batch_rows):
        out.update((p, n) for p, n in conn.execute(
            sa.select(e.c.party_id, e.c.po_number).where(e.c.entry_id.between(lo, hi), e.c.batch_id.in_(ids),
                                                         e.c.production_id == production_id).distinct()))
    return out


def _after(prefix: str) -> str:
    """The least string above every string that starts with ``prefix`` (an index range, not LIKE)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def actuals_frame(balances: dict[str, int]) -> pd.DataFrame:
    """Net debits per cost code from account balances [cost_code, amount]."""
    bal = {a: v for a, v in balances.items() if is_cost_account(a)}
    return pd.DataFrame({"cost_code": pd.Series(list(bal), dtype=object),
                         "amount": cents_to_money(list(bal.values()))})


class LedgerView:
    """Reads of one production's books. Open read-only with :meth:`open`; each read is one snapshot.

    Attributes:
      engine: the SQLAlchemy engine.
      production_id: the production read.
    """

    def __init__(self, engine: sa.Engine, production_id: str = "default") -> None:
        self.engine = engine
        self.production_id = production_id

    @classmethod
    def open(cls, url: str | Path, *, production_id: str | None = None) -> LedgerView:
        """Open an existing, current ledger for reading (DatabaseLocationError if there is none).

        ``production_id`` None: $PRODLIB_PRODUCTION, else the database's only production
        (:func:`prodlib.ledger.tenants.resolve_production`; several unnamed is an InputError).
        """
        engine = open_readonly_engine(url)
        try:
            return cls(engine, resolve_production(engine, production_id))
        except BaseException:
            engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _read(self, fn, *args, **kwargs):
        with self.engine.connect() as conn:
            return fn(conn, self.production_id, *args, **kwargs)

    # --- journal ---------------------------------------------------------------------------

    def account_balances(self, as_of: DateLike = None, known_at: Known = None) -> dict[str, int]:
        """Net cents (debit positive) per account."""
        return self._read(account_balances, as_of, known_at)

    def actuals(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Net debits per cost code (entries dated on or before ``as_of``; recorded by ``known_at``)."""
        return actuals_frame(self.account_balances(as_of, known_at))

    def trial_balance(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Per account: debit, credit (both >= 0) and balance; the balance column sums to zero."""
        bal = self.account_balances(as_of, known_at)
        c = np.array(list(bal.values()), dtype=np.int64)
        return pd.DataFrame({
            "account": pd.Series(list(bal), dtype=object),
            "debit": cents_to_money(np.where(c > 0, c, 0)),
            "credit": cents_to_money(np.where(c < 0, -c, 0)),
            "balance": cents_to_money(c),
        })

    def entries_frame(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """One row per journal line, with its entry's header."""
        return self._entries(None, as_of, known_at)

    def _entries(self, which, as_of: DateLike, known_at: Known) -> pd.DataFrame:
        e, ln = s.journal_entries, s.journal_lines
        q = (sa.select(e.c.entry_id, ln.c.line_no, e.c.entry_date, e.c.period, e.c.kind, ln.c.account,
                       ln.c.amount_cents, e.c.description, e.c.document_no, e.c.party_id, e.c.po_number,
                       e.c.source_id, e.c.source_line, e.c.batch_id, e.c.reverses_entry_id, e.c.reason,
                       e.c.author, e.c.recorded_at, e.c.entry_hash)
             .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
             .where(*temporal_filter(e, "entry_date", self.production_id, as_of, known_at),
                    *([] if which is None else [which]))
             .order_by(e.c.entry_id, ln.c.line_no))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        df = rows_frame(rows, list(q.selected_columns.keys()))
        cents = df.pop("amount_cents").to_numpy(dtype=np.int64) if len(df) else np.array([], np.int64)
        pos = df.columns.get_loc("account") + 1
        df.insert(pos, "amount", cents_to_money(cents, index=df.index))
        df.insert(pos + 1, "debit", cents_to_money(np.where(cents > 0, cents, 0), index=df.index))
        df.insert(pos + 2, "credit", cents_to_money(np.where(cents < 0, -cents, 0), index=df.index))
        return df

    def kind_lines(self, kinds: Sequence[str], as_of: DateLike = None, known_at: Known = None,
                   after_entry: int | None = None, parties: Collection[str] | None = None) -> pd.DataFrame:
        """The cost lines of ``kinds``' batches and of every correction (:func:`kind_lines`)."""
        return self._read(kind_lines, kinds, as_of, known_at, after_entry, parties)

    def lines_of_entries_touching(self, prefix: str, as_of: DateLike = None,
                                  known_at: Known = None) -> pd.DataFrame:
        """Every line of the entries with a line on an account starting with ``prefix`` (e.g. the
        fringe payables), in entry then line order: the rows and columns of :meth:`entries_frame`,
        selected in the database (by the account index) instead of over the whole journal."""
        e, ln = s.journal_entries, s.journal_lines
        touching = sa.select(ln.c.entry_id).where(ln.c.account >= prefix, ln.c.account < _after(prefix))
        return self._entries(e.c.entry_id.in_(touching), as_of, known_at)

    def latest_entry_date(self, as_of: DateLike = None, known_at: Known = None) -> date | None:
        """The date of the latest entry (on or before ``as_of``), or None for an empty journal."""
        e = s.journal_entries
        q = sa.select(sa.func.max(e.c.entry_date)).where(*temporal_filter(e, "entry_date", self.production_id,
                                                                           as_of, known_at))
        with self.engine.connect() as conn:
            v = conn.execute(q).scalar()
        return None if v is None else (v if isinstance(v, date) else date.fromisoformat(str(v)[:10]))

    def cost_by_day_and_stream(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Net cost-account cents per entry date and stream, aggregated in SQL: [entry_date, stream,
        amount_cents]. The stream is the balance-sheet account the entry's cost lines are posted
        against (``AP``, ``PAYROLL_LIABILITY``, ``FRINGE_PAYABLE:<plan>``, ``PETTY_CASH``, ``CASH``;
        None for an entry between cost accounts only). No entry, document or party leaves the database."""
        e, ln = s.journal_entries, s.journal_lines
        balance_sheet = sa.or_(ln.c.account.in_([AP, CASH, PETTY_CASH, PAYROLL_LIABILITY]),
                               ln.c.account.like(f"{FRINGE_PAYABLE_PREFIX}%"))
        bs = (sa.select(ln.c.entry_id, sa.func.min(ln.c.account).label("stream")).where(balance_sheet)
              .group_by(ln.c.entry_id).subquery("bs"))
        q = (sa.select(e.c.entry_date, bs.c.stream, sa.func.sum(ln.c.amount_cents).label("amount_cents"))
             .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id).outerjoin(bs, bs.c.entry_id == ln.c.entry_id))
             .where(sa.not_(balance_sheet), *temporal_filter(e, "entry_date", self.production_id, as_of, known_at))
             .group_by(e.c.entry_date, bs.c.stream).order_by(e.c.entry_date, bs.c.stream))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return rows_frame(rows, ["entry_date", "stream", "amount_cents"])

    def cash_paid_by_day(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Cents credited to ``CASH`` per entry date (money out of the bank as the books record it):
        [entry_date, amount_cents], aggregated in SQL."""
        e, ln = s.journal_entries, s.journal_lines
        q = (sa.select(e.c.entry_date, (-sa.func.sum(ln.c.amount_cents)).label("amount_cents"))
             .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
             .where(ln.c.account == CASH, ln.c.amount_cents < 0,
                    *temporal_filter(e, "entry_date", self.production_id, as_of, known_at))
             .group_by(e.c.entry_date).order_by(e.c.entry_date))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return rows_frame(rows, ["entry_date", "amount_cents"])

    def fx_frame(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """One row per foreign-currency journal entry: entry_id, entry_date, kind, account (its first
        line's), currency, original_amount (in ``currency``), fx_rate (exact text) and amount (the
        first line in the production currency), in entry order."""
        e, ln, f = s.journal_entries, s.journal_lines, s.journal_fx
        q = (sa.select(e.c.entry_id, e.c.entry_date, e.c.kind, ln.c.account, f.c.currency, f.c.original_cents,
                       f.c.rate.label("fx_rate"), ln.c.amount_cents)
             .select_from(f.join(e, e.c.entry_id == f.c.entry_id)
                          .join(ln, sa.and_(ln.c.entry_id == f.c.entry_id, ln.c.line_no == 1)))
             .where(*temporal_filter(e, "entry_date", self.production_id, as_of, known_at))
             .order_by(e.c.entry_id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        df = rows_frame(rows, list(q.selected_columns.keys()))
        for col, out in (("original_cents", "original_amount"), ("amount_cents", "amount")):
            cents = df.pop(col).to_numpy(dtype=np.int64) if len(df) else np.array([], np.int64)
            df[out] = cents_to_money(cents, index=df.index)
        return df[["entry_id", "entry_date", "kind", "account", "currency", "original_amount", "fx_rate", "amount"]]

    def quarantine_frame(self) -> pd.DataFrame:
        """Every quarantined row, in the order recorded."""
        t = s.quarantine
        q = (sa.select(*[t.c[c] for c in QUARANTINE_COLUMNS], t.c.batch_id, t.c.recorded_at)
             .where(t.c.production_id == self.production_id).order_by(t.c.q_id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return rows_frame(rows, [*QUARANTINE_COLUMNS, "batch_id", "recorded_at"])

    def batches_frame(self) -> pd.DataFrame:
        """Per posted file: rows read, posted, quarantined, already posted (read = the other three, each row)."""
        t = s.batches
        cols = ["batch_id", "source_id", "source_file", "file_hash", "kind", "rows_read", "rows_posted",
                "rows_quarantined", "rows_already_posted", "first_entry_id", "last_entry_id", "recorded_at"]
        q = sa.select(*[t.c[c] for c in cols]).where(t.c.production_id == self.production_id).order_by(t.c.batch_id)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return rows_frame(rows, cols)

    def posted_row_keys(self, kind: str, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` (row keys, :mod:`prodlib.rowkeys`) of ``kind`` are posted (index lookups)."""
        return self._read(batches.posted_row_keys, kind, keys)

    def posted_documents(self, kind: str, documents: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of ``documents`` ((party_id, document_no)) batches of ``kind`` posted (index lookups)."""
        return self._read(batches.posted_documents, kind, documents)

    def batch_count(self, kind: str) -> int:
        """How many batches of ``kind`` are posted (one per file)."""
        return self._read(batches.batch_count, kind)

    def posted_file(self, file_hash: str) -> batches.BatchResult | None:
        """The batch that posted a file with this content hash, or None."""
        return self._read(batches.posted_file, file_hash)

    def closed_periods(self) -> list[str]:
        return sorted(self._read(closed_periods))

    # --- budgets, commitments, estimates ---------------------------------------------------

    def budget_versions_frame(self) -> pd.DataFrame:
        return self._read(budgets.budget_versions_frame)

    def budget_version_at(self, as_of: DateLike = None, known_at: Known = None) -> str | None:
        """The budget version in force on ``as_of`` (latest effective date, then latest recorded)."""
        return self._read(budgets.budget_version_at, as_of, known_at)

    def budget(self, version_id: str | None = None, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """A budget version's lines [cost_code, description, amount]; by default the one in force."""
        return self._read(budgets.budget, version_id, as_of, known_at)

    def purchase_orders_frame(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Each PO as it stood on ``as_of``: its latest version in effect by then."""
        return self._read(commitments.purchase_orders_frame, as_of, known_at)

    def open_commitments(self, as_of: DateLike = None, known_at: Known = None,
                         po_match_days: int | None = None) -> pd.DataFrame:
        """Approved POs with what is still open (see :func:`prodlib.ledger.commitments.open_commitments`)."""
        return self._read(commitments.open_commitments, as_of, known_at, po_match_days)

    def commitments(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Open commitments per cost code [cost_code, amount]."""
        return self._read(commitments.commitments, as_of, known_at)

    def estimates_frame(self, account: str | None = None) -> pd.DataFrame:
        """Every estimate ever recorded (the history), oldest first."""
        return self._read(estimates.estimates_frame, account)

    def efc(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """The estimate in force per account on ``as_of`` [account, amount, effective_date, reason, author]."""
        return self._read(estimates.efc, as_of, known_at)

    def etc(self, as_of: DateLike = None, known_at: Known = None) -> pd.DataFrame:
        """Estimate to complete per estimated account: EFC - (actual + open commitments)."""
        with self.engine.connect() as conn:
            pid = self.production_id
            return estimates.etc(estimates.efc(conn, pid, as_of, known_at),
                                 actuals_frame(account_balances(conn, pid, as_of, known_at)),
                                 commitments.commitments(conn, pid, as_of, known_at))
