"""The ledger store: double-entry journal, quarantine, batches and budget versions.

One code path for SQLite (default, a file) and PostgreSQL (a URL). Every write is one
transaction that first takes the chain-head row (``SELECT ... FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), so concurrent writers append to one valid hash chain.
The API offers no update and no delete; triggers refuse them in the database too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from prodlib.accounts import is_balance_sheet, is_cost_account  # noqa: F401 - re-exported
from prodlib.columns import POSTING_COLUMNS, QUARANTINE_COLUMNS
from prodlib.errors import (  # noqa: F401 - re-exported by prodlib.ledger
    BudgetLockedError,
    ConservationError,
    LedgerError,
    PeriodClosedError,
    UnbalancedEntryError,
)
from prodlib.ledger import chain as ch
from prodlib.ledger import schema as s
from prodlib.ledger.frames import cents_to_money, money_to_cents
from prodlib.ledger.migrations import migrate
from prodlib.money import from_cents, to_cents

ENTRY_KINDS = ("posting", "general", "adjustment", "void", "reversal", "reissue")
PO_STATUSES = ("approved", "draft", "cancelled", "closed")

#: Test hook: called with the number of entries written so far after each chunk of a batch.
_AFTER_CHUNK: Callable[[int], None] | None = None


@dataclass(frozen=True)
class BatchResult:
    batch_id: int | None
    source_id: str
    file_hash: str
    rows_read: int
    rows_posted: int
    rows_quarantined: int
    already_posted: bool = False
    first_entry_id: int | None = None
    last_entry_id: int | None = None

    @property
    def posted(self) -> int:
        return self.rows_posted

    @property
    def quarantined(self) -> int:
        return self.rows_quarantined


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(dt: datetime) -> str:
    """Fixed-width ISO-8601 UTC, so text order is time order."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _to_url(url: str | Path) -> str:
    text = str(url)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser().resolve()}"


def make_engine(url: str | Path) -> sa.Engine:
    """Engine with the per-backend settings the ledger relies on."""
    u = _to_url(url)
    if u.startswith("sqlite"):
        if u in ("sqlite://", "sqlite:///:memory:"):
            raise ValueError("the ledger needs a file (an in-memory SQLite database lives per connection)")
        engine = sa.create_engine(u, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _rec):  # pragma: no cover - exercised by every SQLite test
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA busy_timeout = 60000")
            cur.execute("PRAGMA cache_size = -131072")  # 128 MB: big batches stay fast
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn):  # pragma: no cover
            # A writer takes the write lock up front (no lock-upgrade deadlock); a reader begins a
            # deferred transaction: a WAL snapshot that neither waits for nor blocks a writer.
            write = conn.get_execution_options().get("prodlib_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return sa.create_engine(u, pool_pre_ping=True)


# --- column normalization --------------------------------------------------------------------


def _str_list(series: pd.Series | None, n: int) -> list[str | None]:
    if series is None:
        return [None] * n
    out = pa.array(series.astype(object).where(series.notna(), None), pa.string(), from_pandas=True)
    return out.to_pylist()


def _int_list(series: pd.Series | None, n: int) -> list[int | None]:
    if series is None:
        return [None] * n
    return [None if pd.isna(v) else int(v) for v in series.tolist()]


def _dates(series: pd.Series) -> list[str]:
    """ISO date strings from dates, timestamps or ISO text; refuses missing dates."""
    if series.isna().any():
        raise ValueError("entry_date is missing on some rows")
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        arr = pa.array(series)
    else:
        ts = pd.to_datetime(series.astype(object) if series.dtype == object else series)
        arr = pa.array(ts.to_numpy().astype("datetime64[D]"))
    return pc.strftime(pc.cast(arr, pa.timestamp("s")), "%Y-%m-%d").to_pylist()


def _iso(d: date | str | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.date().isoformat()
    if isinstance(d, date):
        return d.isoformat()
    return date.fromisoformat(str(d)[:10]).isoformat()


def _date_text(v) -> str | None:
    """A date read back from either backend, as ISO text."""
    if v is None:
        return None
    return v.isoformat() if isinstance(v, date) else str(v)[:10]


class Ledger:
    """The production's books. Open with :meth:`open`; every method is one transaction."""

    chunk_rows = 50_000

    def __init__(self, engine: sa.Engine, production_id: str = "default",
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.engine = engine
        self.production_id = production_id
        self.clock = clock

    @classmethod
    def open(cls, url: str | Path, *, production_id: str = "default",
             clock: Callable[[], datetime] | None = None) -> Ledger:
        """Open (creating or migrating) the ledger at ``url``: a SQLite path/URL or a PostgreSQL URL."""
        engine = make_engine(url)
        migrate(engine)
        return cls(engine, production_id, clock or _utc_now)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite; the caller then locks the chain head)."""
        with self.engine.connect().execution_options(prodlib_write=True) as conn, conn.begin():
            yield conn

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # --- low-level helpers ------------------------------------------------------------------

    def _lock_head(self, conn: sa.Connection, chain: str) -> tuple[int, str]:
        row = conn.execute(
            sa.select(s.chain_heads.c.seq, s.chain_heads.c.hash)
            .where(s.chain_heads.c.chain == chain)
            .with_for_update()
        ).one()
        return int(row.seq), row.hash

    def _set_head(self, conn: sa.Connection, chain: str, seq: int, hash_: str) -> None:
        conn.execute(s.chain_heads.update().where(s.chain_heads.c.chain == chain).values(seq=seq, hash=hash_))

    def _bulk_insert(self, conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: list[tuple]) -> None:
        """Fast multi-row insert inside the current transaction (COPY on PostgreSQL)."""
        if not rows:
            return
        cols = ", ".join(columns)
        if self.dialect == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        else:
            marks = ", ".join("?" * len(columns))
            conn.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)

    def _append_event(self, conn: sa.Connection, event_type: str, payload: dict, now: str) -> int:
        """Append one audit event to the audit chain (caller holds the journal head lock)."""
        seq, prev = self._lock_head(conn, "audit")
        event_id = seq + 1
        text = ch.canonical_json(payload)
        h = ch.sha256_hex(ch.event_text(event_id, event_type, self.production_id, text, prev))
        conn.execute(s.audit_events.insert().values(
            event_id=event_id, production_id=self.production_id, event_type=event_type, payload=text,
            recorded_at=now, prev_hash=prev, event_hash=h))
        self._set_head(conn, "audit", event_id, h)
        return event_id

    def _closed_periods(self, conn: sa.Connection) -> set[str]:
        rows = conn.execute(sa.select(s.period_closes.c.period).where(
            s.period_closes.c.production_id == self.production_id)).all()
        return {r.period for r in rows}

    def _write_entries(self, conn: sa.Connection, *, start_id: int, prev_hash: str, batch_id: int | None,
                       dates: list[str], kind: list[str] | str, source_id: list | str | None,
                       source_line: list, row_hash: list, document_no: list, party_id: list, po_number: list,
                       description: list, reverses: list, reason: list | str | None, author: list | str | None,
                       line_entry_idx: np.ndarray, line_accounts: list[str], line_cents: np.ndarray,
                       now: str, progress: bool = False) -> tuple[int, str]:
        """Hash, then insert lines and sealed headers for n entries. Returns the new head (seq, hash).

        ``line_entry_idx`` gives, per line, the 0-based index of its entry (lines grouped by entry).
        """
        n = len(dates)

        def full(v):
            return v if isinstance(v, list) else [v] * n

        kind, source_id, reason, author = full(kind), full(source_id), full(reason), full(author)
        ids = np.arange(start_id, start_id + n, dtype=np.int64)
        line_entry_ids = ids[line_entry_idx] if n else np.array([], np.int64)
        # line_no: position of the line within its entry
        line_no = np.arange(len(line_entry_idx)) - np.searchsorted(line_entry_idx, line_entry_idx, side="left") + 1
        lines = ch.lines_json(line_entry_ids, line_accounts, line_cents, ids)
        cols = {
            "author": author, "batch": [batch_id] * n, "date": dates, "desc": description, "doc": document_no,
            "id": ids, "kind": kind, "line": source_line, "party": party_id, "po": po_number,
            "production": [self.production_id] * n, "reason": reason, "reverses": reverses, "row_hash": row_hash,
            "source": source_id,
        }
        heads, tails = ch.entry_parts(cols, lines)
        hashes = ch.chain_hashes(heads, tails, prev_hash)
        prevs = [prev_hash, *hashes[:-1]]
        ids_l = ids.tolist()
        periods = [d[:7] for d in dates]
        le_ids = line_entry_ids.tolist()
        ln = line_no.tolist()
        lc = line_cents.tolist()
        pid = self.production_id
        entry_cols = [c.name for c in s.journal_entries.columns]
        line_cols = ["entry_id", "line_no", "production_id", "account", "amount_cents"]
        step = self.chunk_rows
        line_pos = np.searchsorted(line_entry_idx, np.arange(0, n + step, step), side="left").tolist()
        for k, a in enumerate(range(0, n, step)):
            b = min(n, a + step)
            la, lb = line_pos[k], line_pos[k + 1] if b < n else len(le_ids)
            self._bulk_insert(conn, s.journal_lines, line_cols, list(zip(
                le_ids[la:lb], ln[la:lb], [pid] * (lb - la), line_accounts[la:lb], lc[la:lb], strict=True)))
            self._bulk_insert(conn, s.journal_entries, entry_cols, list(zip(
                ids_l[a:b], [pid] * (b - a), [batch_id] * (b - a), dates[a:b], periods[a:b], kind[a:b],
                source_id[a:b], source_line[a:b], row_hash[a:b], document_no[a:b], party_id[a:b],
                po_number[a:b], description[a:b], reverses[a:b], reason[a:b], author[a:b], [now] * (b - a),
                prevs[a:b], hashes[a:b], strict=True)))
            if _AFTER_CHUNK is not None:
                _AFTER_CHUNK(b)
        if n == 0:
            return start_id - 1, prev_hash
        return start_id + n - 1, hashes[-1]

    # --- posting ----------------------------------------------------------------------------

    def post_batch(self, source_id: str, source_file: str, file_hash: str, kind: str, postings: pd.DataFrame | None,
                   quarantine: pd.DataFrame | None, rows_read: int, *,
                   purchase_orders: pd.DataFrame | None = None,
                   effective_date: date | str | None = None, budget: dict | None = None,
                   accepted: int = 0) -> BatchResult:
        """Post one file's valid rows (each a balanced two-line entry) and its quarantine, atomically.

        Raises :class:`ConservationError` unless ``rows_read == len(postings) + len(quarantine)``.
        A ``file_hash`` already posted returns ``already_posted=True`` and writes nothing.
        A negative amount is a credit note: the sides flip (debit account is credited).
        An optional ``po_number`` column links an invoice line to the PO it relieves.
        A purchase-order file passes its valid rows as ``purchase_orders`` (see
        :meth:`record_purchase_orders`; changes take effect on ``effective_date``); they count as posted.
        A budget file passes ``budget`` = the keyword arguments of :meth:`record_budget` (version_id,
        lines, locked_on, author, reason, ...); its lines count as posted.
        A file whose valid rows are used but not journaled (timecards, checked against payroll; bank
        lines, for reconciliation) passes their number as ``accepted``; they count as posted.
        """
        if accepted < 0:
            raise ValueError("accepted rows cannot be negative")
        with ch.no_gc():
            return self._post_batch(source_id, source_file, file_hash, kind, postings, quarantine, rows_read,
                                    purchase_orders, effective_date, budget, accepted)

    def _post_batch(self, source_id, source_file, file_hash, kind, postings, quarantine, rows_read,
                    purchase_orders, effective_date, budget, accepted) -> BatchResult:
        quarantine = quarantine if quarantine is not None else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
        if postings is None:
            postings = pd.DataFrame(columns=list(POSTING_COLUMNS))
        new_pos = _po_rows(purchase_orders) if purchase_orders is not None else []
        bud = self._prepare_budget(**budget) if budget is not None else None
        n, nq = len(postings), len(quarantine)
        npo = len(new_pos) + (len(bud["rows"]) if bud else 0) + accepted
        if rows_read != n + npo + nq:
            more = f" + purchase orders {len(new_pos)}" if purchase_orders is not None else ""
            more += f" + budget lines {len(bud['rows'])}" if bud else ""
            more += f" + accepted {accepted}" if accepted else ""
            raise ConservationError(
                f"{source_id} ({source_file}): rows read {rows_read} != posted {n}{more} + quarantined {nq}")
        missing = [c for c in ("entry_date", "debit_account", "credit_account", "amount") if c not in postings]
        if missing and n:
            raise ValueError(f"posting frame lacks columns {missing}")
        cents = money_to_cents(postings["amount"]) if n else np.array([], np.int64)
        dates = _dates(postings["entry_date"]) if n else []
        debit = _str_list(postings["debit_account"], n)
        credit = _str_list(postings["credit_account"], n)
        for i, (d, c) in enumerate(zip(debit, credit, strict=True)):
            if not d or not c:
                raise ValueError(f"posting row {i}: debit and credit accounts are required")
            if d == c:
                raise UnbalancedEntryError(f"posting row {i}: debit and credit are the same account {d!r}")
        # two lines per entry: debit account +amount, credit account -amount
        line_idx = np.repeat(np.arange(n, dtype=np.int64), 2)
        line_cents = np.empty(2 * n, dtype=np.int64)
        line_cents[0::2], line_cents[1::2] = cents, -cents
        line_accounts: list[str] = [None] * (2 * n)  # type: ignore[list-item]
        line_accounts[0::2], line_accounts[1::2] = debit, credit
        get = postings.get
        q = _quarantine_rows(quarantine, source_id, source_file)
        now = _stamp(self.clock())
        with self._write() as conn:
            seq, prev = self._lock_head(conn, "journal")
            existing = conn.execute(sa.select(s.batches).where(
                s.batches.c.production_id == self.production_id, s.batches.c.file_hash == file_hash)).first()
            if existing is not None:
                return BatchResult(existing.batch_id, existing.source_id, file_hash, existing.rows_read,
                                   existing.rows_posted, existing.rows_quarantined, True,
                                   existing.first_entry_id, existing.last_entry_id)
            closed = self._closed_periods(conn) & {d[:7] for d in set(dates)}
            if closed:
                raise PeriodClosedError(f"{source_id}: postings dated in closed period(s) {sorted(closed)}")
            batch_id = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(s.batches.c.batch_id), 0))).scalar()) + 1
            first = seq + 1 if n else None
            last = seq + n if n else None
            conn.execute(s.batches.insert().values(
                batch_id=batch_id, production_id=self.production_id, source_id=source_id, source_file=source_file,
                file_hash=file_hash, kind=kind, rows_read=rows_read, rows_posted=n + npo, rows_quarantined=nq,
                first_entry_id=first, last_entry_id=last, recorded_at=now))
            new_seq, new_hash = self._write_entries(
                conn, start_id=seq + 1, prev_hash=prev, batch_id=batch_id, dates=dates, kind="posting",
                source_id=source_id, source_line=_int_list(get("source_line"), n),
                row_hash=_str_list(get("row_hash"), n), document_no=_str_list(get("document_no"), n),
                party_id=_str_list(get("party_id"), n), po_number=_str_list(get("po_number"), n),
                description=_str_list(get("description"), n), reverses=[None] * n, reason=None, author=None,
                line_entry_idx=line_idx, line_accounts=line_accounts, line_cents=line_cents, now=now)
            q_start = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(s.quarantine.c.q_id), 0))).scalar()) + 1
            q_rows = [(q_start + i, self.production_id, batch_id, *r, now) for i, r in enumerate(q)]
            self._bulk_insert(conn, s.quarantine, [c.name for c in s.quarantine.columns], q_rows)
            self._set_head(conn, "journal", new_seq, new_hash)
            if bud:
                self._write_budget(conn, bud, now)
            if new_pos:
                self._write_pos(conn, new_pos, _iso(effective_date) or self.clock().astimezone(UTC).date().isoformat(),
                                now)
            self._append_event(conn, "batch_posted", {
                "batch_id": batch_id, "source_id": source_id, "source_file": source_file, "file_hash": file_hash,
                "kind": kind, "rows_read": rows_read, "rows_posted": n + npo, "rows_quarantined": nq,
                "first_entry_id": first, "last_entry_id": last, "journal_head": new_hash,
                "quarantine_digest": ch.rows_digest([_q_record(r) for r in q_rows]),
            }, now)
        return BatchResult(batch_id, source_id, file_hash, rows_read, n + npo, nq, False, first, last)

    # --- reads ------------------------------------------------------------------------------

    def _entry_filter(self, e: sa.Table, as_of: date | str | None, known_at: datetime | str | None) -> list:
        cond = [e.c.production_id == self.production_id]
        if as_of is not None:
            cond.append(e.c.entry_date <= date.fromisoformat(_iso(as_of)))
        if known_at is not None:
            cond.append(e.c.recorded_at <= (_stamp(known_at) if isinstance(known_at, datetime) else known_at))
        return cond

    def account_balances(self, as_of: date | str | None = None,
                         known_at: datetime | str | None = None) -> dict[str, int]:
        """Net cents (debit positive) per account."""
        e, ln = s.journal_entries, s.journal_lines
        q = (sa.select(ln.c.account, sa.func.sum(ln.c.amount_cents))
             .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
             .where(*self._entry_filter(e, as_of, known_at)).group_by(ln.c.account).order_by(ln.c.account))
        with self.engine.connect() as conn:
            return {a: int(v) for a, v in conn.execute(q).all()}

    def actuals(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> pd.DataFrame:
        """Net debits per cost code (entries dated on or before ``as_of``; recorded by ``known_at``)."""
        bal = {a: v for a, v in self.account_balances(as_of, known_at).items() if is_cost_account(a)}
        return pd.DataFrame({"cost_code": pd.Series(list(bal), dtype=object),
                             "amount": cents_to_money(list(bal.values()))})

    def trial_balance(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> pd.DataFrame:
        """Per account: debit, credit (both >= 0) and balance; the balance column sums to zero."""
        bal = self.account_balances(as_of, known_at)
        c = np.array(list(bal.values()), dtype=np.int64)
        return pd.DataFrame({
            "account": pd.Series(list(bal), dtype=object),
            "debit": cents_to_money(np.where(c > 0, c, 0)),
            "credit": cents_to_money(np.where(c < 0, -c, 0)),
            "balance": cents_to_money(c),
        })

    def entries_frame(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> pd.DataFrame:
        """One row per journal line, with its entry's header."""
        e, ln = s.journal_entries, s.journal_lines
        q = (sa.select(e.c.entry_id, ln.c.line_no, e.c.entry_date, e.c.period, e.c.kind, ln.c.account,
                       ln.c.amount_cents, e.c.description, e.c.document_no, e.c.party_id, e.c.po_number,
                       e.c.source_id, e.c.source_line, e.c.batch_id, e.c.reverses_entry_id, e.c.reason,
                       e.c.author, e.c.recorded_at, e.c.entry_hash)
             .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
             .where(*self._entry_filter(e, as_of, known_at)).order_by(e.c.entry_id, ln.c.line_no))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        df = pd.DataFrame(rows, columns=list(q.selected_columns.keys()))
        cents = df.pop("amount_cents").to_numpy(dtype=np.int64) if len(df) else np.array([], np.int64)
        pos = df.columns.get_loc("account") + 1
        df.insert(pos, "amount", cents_to_money(cents, index=df.index))
        df.insert(pos + 1, "debit", cents_to_money(np.where(cents > 0, cents, 0), index=df.index))
        df.insert(pos + 2, "credit", cents_to_money(np.where(cents < 0, -cents, 0), index=df.index))
        return df

    def quarantine_frame(self) -> pd.DataFrame:
        """Every quarantined row, in the order recorded."""
        t = s.quarantine
        q = (sa.select(*[t.c[c] for c in QUARANTINE_COLUMNS], t.c.batch_id, t.c.recorded_at)
             .where(t.c.production_id == self.production_id).order_by(t.c.q_id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return pd.DataFrame(rows, columns=[*QUARANTINE_COLUMNS, "batch_id", "recorded_at"])

    def batches_frame(self) -> pd.DataFrame:
        """Per posted file: rows read, posted, quarantined (conservation holds on every row)."""
        t = s.batches
        cols = ["batch_id", "source_id", "source_file", "file_hash", "kind", "rows_read", "rows_posted",
                "rows_quarantined", "first_entry_id", "last_entry_id", "recorded_at"]
        q = sa.select(*[t.c[c] for c in cols]).where(t.c.production_id == self.production_id).order_by(t.c.batch_id)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return pd.DataFrame(rows, columns=cols)

    # --- budgets ----------------------------------------------------------------------------

    def record_budget(self, version_id: str, lines: pd.DataFrame, locked_on: date | str, author: str,
                      reason: str = "original locked budget", *, effective_date: date | str | None = None,
                      kind: str = "original", parent_version_id: str | None = None) -> bool:
        """Record a locked budget version. Returns True if written, False if the identical version exists.

        A version is immutable: recording the same id with different content raises BudgetLockedError.
        Revisions and approved overages are new versions (``kind`` "revision"/"overage", a parent,
        a reason, an author and the date they take effect). (A budget *file* goes through
        ``post_batch(..., budget={...these arguments...})``: same version, plus batch and quarantine.)
        """
        prepared = self._prepare_budget(version_id, lines, locked_on, author, reason, effective_date, kind,
                                        parent_version_id)
        with self._write() as conn:
            self._lock_head(conn, "journal")
            return self._write_budget(conn, prepared, _stamp(self.clock()))

    def _prepare_budget(self, version_id: str, lines: pd.DataFrame, locked_on: date | str, author: str,
                        reason: str = "original locked budget", effective_date: date | str | None = None,
                        kind: str = "original", parent_version_id: str | None = None) -> dict:
        if kind not in ("original", "revision", "overage"):
            raise ValueError(f"budget version kind {kind!r}: original, revision or overage")
        if not version_id or not author or not reason:
            raise ValueError("a budget version needs an id, an author and a reason")
        n = len(lines)
        cents = money_to_cents(lines["amount"]).tolist() if n else []
        codes = _str_list(lines["cost_code"], n)
        if any(not c for c in codes):
            raise ValueError("budget line without cost_code")
        descs = _str_list(lines.get("description"), n)
        locked = _iso(locked_on)
        eff = _iso(effective_date) or locked
        records = [{"line_no": i + 1, "cost_code": c, "description": d, "amount": str(from_cents(v))}
                   for i, (c, d, v) in enumerate(zip(codes, descs, cents, strict=True))]
        meta = {"version_id": version_id, "kind": kind, "parent_version_id": parent_version_id,
                "locked_on": locked, "effective_date": eff, "author": author, "reason": reason,
                "production_id": self.production_id}
        digest = ch.rows_digest(records)
        content_hash = ch.sha256_hex(ch.canonical_json({"meta": meta, "lines_digest": digest}))
        rows = [(version_id, i + 1, self.production_id, c, d, v)
                for i, (c, d, v) in enumerate(zip(codes, descs, cents, strict=True))]
        return {"meta": meta, "digest": digest, "content_hash": content_hash, "rows": rows}

    def _write_budget(self, conn: sa.Connection, prepared: dict, now: str) -> bool:
        meta, content_hash = prepared["meta"], prepared["content_hash"]
        version_id, parent = meta["version_id"], meta["parent_version_id"]
        bv = s.budget_versions
        existing = conn.execute(sa.select(bv.c.content_hash).where(bv.c.version_id == version_id)).first()
        if existing is not None:
            if existing.content_hash == content_hash:
                return False
            raise BudgetLockedError(f"budget version {version_id} is locked; record a new version")
        if parent is not None and conn.execute(
                sa.select(bv.c.version_id).where(bv.c.version_id == parent)).first() is None:
            raise ValueError(f"parent budget version {parent} does not exist")
        header = {k: v for k, v in meta.items() if k not in ("locked_on", "effective_date")}
        conn.execute(bv.insert().values(
            **header, locked_on=date.fromisoformat(meta["locked_on"]),
            effective_date=date.fromisoformat(meta["effective_date"]), content_hash=content_hash, recorded_at=now))
        self._bulk_insert(conn, s.budget_lines, ["version_id", "line_no", "production_id", "cost_code",
                                                 "description", "amount_cents"], prepared["rows"])
        self._append_event(conn, "budget_recorded", {**meta, "content_hash": content_hash,
                                                     "lines_digest": prepared["digest"]}, now)
        return True

    def budget_versions_frame(self) -> pd.DataFrame:
        bv = s.budget_versions
        cols = ["version_id", "kind", "parent_version_id", "locked_on", "effective_date", "author", "reason",
                "content_hash", "recorded_at"]
        q = (sa.select(*[bv.c[c] for c in cols]).where(bv.c.production_id == self.production_id)
             .order_by(bv.c.effective_date, bv.c.recorded_at))
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).all(), columns=cols)

    def budget_version_at(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> str | None:
        """The budget version in force on ``as_of`` (latest effective date, then latest recorded)."""
        bv = s.budget_versions
        cond = [bv.c.production_id == self.production_id]
        if as_of is not None:
            cond.append(bv.c.effective_date <= date.fromisoformat(_iso(as_of)))
        if known_at is not None:
            cond.append(bv.c.recorded_at <= (_stamp(known_at) if isinstance(known_at, datetime) else known_at))
        q = sa.select(bv.c.version_id).where(*cond).order_by(bv.c.effective_date.desc(), bv.c.recorded_at.desc())
        with self.engine.connect() as conn:
            return conn.execute(q.limit(1)).scalar()

    def budget(self, version_id: str | None = None, as_of: date | str | None = None,
               known_at: datetime | str | None = None) -> pd.DataFrame:
        """A budget version's lines [cost_code, description, amount]; by default the one in force.

        The frame's ``attrs["version_id"]`` names the version, so a report can state it.
        """
        if version_id is None:
            version_id = self.budget_version_at(as_of, known_at)
            if version_id is None:
                raise LookupError("no budget version recorded" + (f" in force on {as_of}" if as_of else ""))
        bl = s.budget_lines
        q = (sa.select(bl.c.cost_code, bl.c.description, bl.c.amount_cents)
             .where(bl.c.version_id == version_id, bl.c.production_id == self.production_id).order_by(bl.c.line_no))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            if not rows and conn.execute(sa.select(s.budget_versions.c.version_id).where(
                    s.budget_versions.c.version_id == version_id)).first() is None:
                raise LookupError(f"no budget version {version_id}")
        df = pd.DataFrame({"cost_code": pd.Series([r[0] for r in rows], dtype=object),
                           "description": pd.Series([r[1] for r in rows], dtype=object),
                           "amount": cents_to_money([int(r[2]) for r in rows])})
        df.attrs["version_id"] = version_id
        return df

    # --- general entries, voids, reversals, reissues ----------------------------------------

    def _normalize_lines(self, lines) -> tuple[list[str], list[int]]:
        if isinstance(lines, pd.DataFrame):
            accounts = _str_list(lines["account"], len(lines))
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
            raise ValueError("every line needs an account")
        total = sum(cents)
        if total != 0:
            raise UnbalancedEntryError(f"debits and credits differ by {from_cents(total)}")
        return accounts, [int(c) for c in cents]

    def _post_specs(self, conn: sa.Connection, specs: list[dict], now: str) -> list[int]:
        """Write API-made entries (caller holds the journal lock). Each spec: date, kind, accounts, cents, ..."""
        closed = self._closed_periods(conn)
        for sp in specs:
            if sp["kind"] != "adjustment" and sp["date"][:7] in closed:
                raise PeriodClosedError(
                    f"{sp['date']} falls in closed period {sp['date'][:7]}: post a dated adjustment instead")
        seq, prev = self._lock_head(conn, "journal")
        idx, accts, cents = [], [], []
        for i, sp in enumerate(specs):
            idx += [i] * len(sp["accounts"])
            accts += sp["accounts"]
            cents += sp["cents"]

        def col(k):
            return [sp.get(k) for sp in specs]

        new_seq, new_hash = self._write_entries(
            conn, start_id=seq + 1, prev_hash=prev, batch_id=None, dates=col("date"), kind=col("kind"),
            source_id=col("source_id"), source_line=col("source_line"), row_hash=col("row_hash"),
            document_no=col("document_no"), party_id=col("party_id"), po_number=col("po_number"),
            description=col("description"), reverses=col("reverses"), reason=col("reason"), author=col("author"),
            line_entry_idx=np.array(idx, dtype=np.int64), line_accounts=accts,
            line_cents=np.array(cents, dtype=np.int64), now=now)
        self._set_head(conn, "journal", new_seq, new_hash)
        return list(range(seq + 1, new_seq + 1))

    def post_entry(self, entry_date: date | str, lines, description: str, *, kind: str = "general",
                   reason: str | None = None, author: str | None = None, document_no: str | None = None,
                   party_id: str | None = None, po_number: str | None = None) -> int:
        """Post one balanced journal entry; returns its id.

        ``lines``: (account, amount) pairs, debit positive and credit negative, or a frame
        [account, amount]. Unbalanced entries raise :class:`UnbalancedEntryError`. ``kind``
        "adjustment" (with a reason and an author) is the only way into a closed period.
        """
        if kind not in ("general", "adjustment"):
            raise ValueError("post_entry kind is 'general' or 'adjustment' (voids and reversals have their own calls)")
        if kind == "adjustment" and not (reason and author):
            raise ValueError("an adjustment needs a reason and an author")
        accounts, cents = self._normalize_lines(lines)
        spec = {"date": _iso(entry_date), "kind": kind, "accounts": accounts, "cents": cents,
                "description": description, "reason": reason, "author": author, "document_no": document_no,
                "party_id": party_id, "po_number": po_number}
        with self._write() as conn:
            return self._post_specs(conn, [spec], _stamp(self.clock()))[0]

    def _entry(self, conn: sa.Connection, entry_id: int) -> tuple[sa.Row, list[tuple[str, int]]]:
        e = s.journal_entries
        row = conn.execute(sa.select(e).where(e.c.entry_id == entry_id,
                                              e.c.production_id == self.production_id)).first()
        if row is None:
            raise LookupError(f"no journal entry {entry_id}")
        ln = s.journal_lines
        lines = conn.execute(sa.select(ln.c.account, ln.c.amount_cents).where(ln.c.entry_id == entry_id)
                             .order_by(ln.c.line_no)).all()
        return row, [(a, int(c)) for a, c in lines]

    def _reversal_spec(self, conn: sa.Connection, entry_id: int, entry_date: str, kind: str, reason: str,
                       author: str) -> dict:
        if not (reason and author):
            raise ValueError(f"a {kind} needs a reason and an author")
        row, lines = self._entry(conn, entry_id)
        if row.kind in ("void", "reversal"):
            raise LedgerError(f"entry {entry_id} is itself a {row.kind}; post a new entry instead")
        e = s.journal_entries
        done = conn.execute(sa.select(e.c.entry_id).where(
            e.c.reverses_entry_id == entry_id, e.c.kind.in_(["void", "reversal"]))).first()
        if done is not None:
            raise LedgerError(f"entry {entry_id} was already reversed by entry {done.entry_id}")
        return {"date": entry_date, "kind": kind, "accounts": [a for a, _ in lines], "cents": [-c for _, c in lines],
                "description": f"{kind.upper()} of entry {entry_id}: {reason}", "reason": reason, "author": author,
                "document_no": row.document_no, "party_id": row.party_id, "po_number": row.po_number,
                "reverses": entry_id, "source_id": row.source_id, "source_line": row.source_line,
                "row_hash": row.row_hash}

    def reverse_entry(self, entry_id: int, entry_date: date | str, reason: str, author: str) -> int:
        """A reversing entry dated ``entry_date`` (same lines, sides swapped). Returns its id."""
        with self._write() as conn:
            self._lock_head(conn, "journal")
            spec = self._reversal_spec(conn, entry_id, _iso(entry_date), "reversal", reason, author)
            return self._post_specs(conn, [spec], _stamp(self.clock()))[0]

    def void_entry(self, entry_id: int, reason: str, author: str) -> int:
        """Void: a reversing entry on the original's own date (its period must be open)."""
        with self._write() as conn:
            self._lock_head(conn, "journal")
            row, _ = self._entry(conn, entry_id)
            spec = self._reversal_spec(conn, entry_id, _iso(row.entry_date), "void", reason, author)
            return self._post_specs(conn, [spec], _stamp(self.clock()))[0]

    def reissue_entry(self, entry_id: int, entry_date: date | str, lines, reason: str, author: str,
                      description: str | None = None) -> tuple[int, int]:
        """Correct an entry: reverse it and post the corrected one, atomically. Returns (reversal, reissue)."""
        accounts, cents = self._normalize_lines(lines)
        with self._write() as conn:
            self._lock_head(conn, "journal")
            rev = self._reversal_spec(conn, entry_id, _iso(entry_date), "reversal", reason, author)
            row, _ = self._entry(conn, entry_id)
            new = {**rev, "kind": "reissue", "accounts": accounts, "cents": cents,
                   "description": description or row.description}
            ids = self._post_specs(conn, [rev, new], _stamp(self.clock()))
        return ids[0], ids[1]

    # --- periods ----------------------------------------------------------------------------

    def close_period(self, period: str, author: str, reason: str | None = None,
                     closed_on: date | str | None = None) -> None:
        """Close an accounting period ("2026-03"): from now on only dated adjustments post into it."""
        if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
            raise ValueError(f"period {period!r} is not YYYY-MM")
        if not author:
            raise ValueError("closing a period needs an author")
        now_dt = self.clock()
        closed = _iso(closed_on) or now_dt.astimezone(UTC).date().isoformat()
        now = _stamp(now_dt)
        with self._write() as conn:
            self._lock_head(conn, "journal")
            if period in self._closed_periods(conn):
                raise LedgerError(f"period {period} is already closed")
            conn.execute(s.period_closes.insert().values(
                period=period, production_id=self.production_id, closed_on=date.fromisoformat(closed),
                author=author, reason=reason, recorded_at=now))
            self._append_event(conn, "period_closed", {"period": period, "closed_on": closed, "author": author,
                                                       "reason": reason}, now)

    def closed_periods(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(self._closed_periods(conn))

    # --- purchase orders and commitments ----------------------------------------------------

    def record_purchase_orders(self, frame: pd.DataFrame, effective_date: date | str | None = None) -> int:
        """Append each PO whose content differs from its latest recorded version; returns rows written.

        A new PO takes effect on its ``po_date``; a changed one (status, amount) on ``effective_date``
        (default: today). Statuses: approved, draft, cancelled, closed; only approved ones commit.
        (A PO *file* goes through ``post_batch(..., purchase_orders=frame)`` instead: same rows, plus
        the batch, its quarantine and the conservation check.)
        """
        new = _po_rows(frame)
        now_dt = self.clock()
        with self._write() as conn:
            self._lock_head(conn, "journal")
            return self._write_pos(conn, new, _iso(effective_date) or now_dt.astimezone(UTC).date().isoformat(),
                                   _stamp(now_dt))

    def _write_pos(self, conn: sa.Connection, new: list[tuple], eff_change: str, now: str) -> int:
        po = s.purchase_orders
        latest: dict[str, tuple] = {}
        for r in conn.execute(sa.select(po).where(po.c.production_id == self.production_id)
                              .order_by(po.c.po_row_id)).mappings():
            latest[r["po_number"]] = (r["po_number"], r["vendor_id"], _date_text(r["po_date"]), r["cost_code"],
                                      r["description"], int(r["amount_cents"]), r["status"])
        start = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(po.c.po_row_id), 0))).scalar()) + 1
        rows = []
        for rec in new:
            if latest.get(rec[0]) == rec:
                continue
            eff = rec[2] if rec[0] not in latest else eff_change
            latest[rec[0]] = rec
            rows.append((start + len(rows), self.production_id, *rec, eff, now))
        cols = ["po_row_id", "production_id", "po_number", "vendor_id", "po_date", "cost_code", "description",
                "amount_cents", "status", "effective_date", "recorded_at"]
        self._bulk_insert(conn, po, cols, rows)
        if rows:
            from prodlib.ledger.seals import po_record

            digest = ch.rows_digest([po_record(dict(zip(cols, r, strict=True))) for r in rows])
            self._append_event(conn, "purchase_orders_recorded", {
                "first_row": rows[0][0], "last_row": rows[-1][0], "count": len(rows), "digest": digest}, now)
        return len(rows)

    def _filters(self, t: sa.Table, date_col: str, as_of, known_at) -> list:
        cond = [t.c.production_id == self.production_id]
        if as_of is not None:
            cond.append(t.c[date_col] <= date.fromisoformat(_iso(as_of)))
        if known_at is not None:
            cond.append(t.c.recorded_at <= (_stamp(known_at) if isinstance(known_at, datetime) else known_at))
        return cond

    def purchase_orders_frame(self, as_of: date | str | None = None,
                              known_at: datetime | str | None = None) -> pd.DataFrame:
        """Each PO as it stood on ``as_of``: its latest version in effect by then."""
        po = s.purchase_orders
        q = sa.select(po).where(*self._filters(po, "effective_date", as_of, known_at)).order_by(po.c.po_row_id)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        latest = {}
        for r in rows:
            if as_of is None or r["po_date"] <= date.fromisoformat(_iso(as_of)):
                latest[r["po_number"]] = r
        recs = sorted(latest.values(), key=lambda r: r["po_number"])
        return pd.DataFrame({
            "po_number": pd.Series([r["po_number"] for r in recs], dtype=object),
            "vendor_id": pd.Series([r["vendor_id"] for r in recs], dtype=object),
            "po_date": pd.Series([r["po_date"] for r in recs], dtype=object),
            "cost_code": pd.Series([r["cost_code"] for r in recs], dtype=object),
            "description": pd.Series([r["description"] for r in recs], dtype=object),
            "amount": cents_to_money([int(r["amount_cents"]) for r in recs]),
            "status": pd.Series([r["status"] for r in recs], dtype=object),
            "effective_date": pd.Series([r["effective_date"] for r in recs], dtype=object),
        })

    def _relief(self, as_of, known_at) -> dict[str, int]:
        """Cents invoiced against each PO (cost-account lines of entries carrying the PO number)."""
        e, ln = s.journal_entries, s.journal_lines
        q = (sa.select(e.c.po_number, ln.c.account, sa.func.sum(ln.c.amount_cents))
             .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
             .where(e.c.po_number.is_not(None), *self._entry_filter(e, as_of, known_at))
             .group_by(e.c.po_number, ln.c.account))
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for po_no, acct, c in conn.execute(q).all():
                if is_cost_account(acct):
                    out[po_no] = out.get(po_no, 0) + int(c)
        return out

    def open_commitments(self, as_of: date | str | None = None,
                         known_at: datetime | str | None = None) -> pd.DataFrame:
        """Approved POs with what is still open: PO amount less invoiced against it (never below zero).

        Draft, cancelled and closed POs never count. Columns: po_number, vendor_id, cost_code,
        po_amount, relieved, amount (open).
        """
        pos = self.purchase_orders_frame(as_of, known_at)
        pos = pos[pos["status"] == "approved"].reset_index(drop=True)
        relief = self._relief(as_of, known_at)
        po_c = money_to_cents(pos["amount"]) if len(pos) else np.array([], np.int64)
        rel = np.array([relief.get(p, 0) for p in pos["po_number"]], dtype=np.int64)
        open_c = np.clip(po_c - rel, 0, None)
        out = pd.DataFrame({
            "po_number": pos["po_number"], "vendor_id": pos["vendor_id"], "cost_code": pos["cost_code"],
            "po_amount": cents_to_money(po_c), "relieved": cents_to_money(rel), "amount": cents_to_money(open_c),
        })
        return out[open_c > 0].reset_index(drop=True)

    def commitments(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> pd.DataFrame:
        """Open commitments per cost code [cost_code, amount]."""
        oc = self.open_commitments(as_of, known_at)
        tot: dict[str, int] = {}
        for code, c in zip(oc["cost_code"], money_to_cents(oc["amount"]).tolist() if len(oc) else [], strict=True):
            tot[code] = tot.get(code, 0) + c
        codes = sorted(tot)
        return pd.DataFrame({"cost_code": pd.Series(codes, dtype=object),
                             "amount": cents_to_money([tot[c] for c in codes])})

    # --- estimates (EFC / ETC) --------------------------------------------------------------

    def record_estimate(self, account: str, efc: Decimal | str, effective_date: date | str, reason: str,
                        author: str) -> int:
        """Record the estimated final cost of an account from ``effective_date`` on; returns its id.

        Each estimate for an account must take effect later than the one before; history is kept.
        """
        if not (account and reason and author):
            raise ValueError("an estimate needs an account, a reason and an author")
        if isinstance(efc, float):
            raise TypeError("amounts must be Decimal or text, never float")
        cents = to_cents(efc if isinstance(efc, Decimal) else Decimal(str(efc)))
        eff = _iso(effective_date)
        now = _stamp(self.clock())
        es = s.estimates
        with self._write() as conn:
            self._lock_head(conn, "journal")
            last = conn.execute(sa.select(sa.func.max(es.c.effective_date)).where(
                es.c.production_id == self.production_id, es.c.account == account)).scalar()
            if last is not None and _date_text(last) >= eff:
                raise ValueError(f"estimate for {account} on {eff} must be later than the previous one ({last})")
            eid = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(es.c.estimate_id), 0))).scalar()) + 1
            conn.execute(es.insert().values(estimate_id=eid, production_id=self.production_id, account=account,
                                            effective_date=date.fromisoformat(eff), efc_cents=cents, reason=reason,
                                            author=author, recorded_at=now))
            self._append_event(conn, "estimate_recorded", {
                "estimate_id": eid, "account": account, "effective_date": eff, "efc": str(from_cents(cents)),
                "reason": reason, "author": author}, now)
        return eid

    def estimates_frame(self, account: str | None = None) -> pd.DataFrame:
        """Every estimate ever recorded (the history), oldest first."""
        es = s.estimates
        cond = [es.c.production_id == self.production_id] + ([es.c.account == account] if account else [])
        q = sa.select(es).where(*cond).order_by(es.c.account, es.c.effective_date)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return self._estimates(rows)

    @staticmethod
    def _estimates(rows) -> pd.DataFrame:
        return pd.DataFrame({
            "account": pd.Series([r["account"] for r in rows], dtype=object),
            "amount": cents_to_money([int(r["efc_cents"]) for r in rows]),
            "effective_date": pd.Series([r["effective_date"] for r in rows], dtype=object),
            "reason": pd.Series([r["reason"] for r in rows], dtype=object),
            "author": pd.Series([r["author"] for r in rows], dtype=object),
        })

    def efc(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> pd.DataFrame:
        """The estimate in force per account on ``as_of`` [account, amount, effective_date, reason, author]."""
        es = s.estimates
        q = (sa.select(es).where(*self._filters(es, "effective_date", as_of, known_at))
             .order_by(es.c.account, es.c.effective_date))
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        latest = {}
        for r in rows:
            latest[r["account"]] = r
        return self._estimates([latest[a] for a in sorted(latest)])

    def etc(self, as_of: date | str | None = None, known_at: datetime | str | None = None) -> pd.DataFrame:
        """Estimate to complete per estimated account: EFC - (actual + open commitments).

        An estimate for account "2500" covers the codes "2500" and "2500-*" (detail codes roll up
        to their account by prefix). Columns: account, efc, actual, commitments, etc.
        """
        est = self.efc(as_of, known_at)
        act_f = self.actuals(as_of, known_at)
        act = dict(zip(act_f["cost_code"], money_to_cents(act_f["amount"]).tolist() if len(act_f) else [],
                       strict=True))
        com_f = self.commitments(as_of, known_at)
        com = dict(zip(com_f["cost_code"], money_to_cents(com_f["amount"]).tolist() if len(com_f) else [],
                       strict=True))

        def rolled(d: dict[str, int], acct: str) -> int:
            return sum(v for k, v in d.items() if k == acct or k.startswith(acct + "-"))

        accts = est["account"].tolist()
        efc_c = money_to_cents(est["amount"]) if len(est) else np.array([], np.int64)
        a = np.array([rolled(act, x) for x in accts], dtype=np.int64)
        c = np.array([rolled(com, x) for x in accts], dtype=np.int64)
        return pd.DataFrame({"account": pd.Series(accts, dtype=object), "efc": cents_to_money(efc_c),
                             "actual": cents_to_money(a), "commitments": cents_to_money(c),
                             "etc": cents_to_money(efc_c - a - c)})

    # --- helpers for the pipeline -----------------------------------------------------------

    def document_keys(self, kind: str = "invoice") -> set[tuple[str, str]]:
        """(party_id, document_no) of every entry posted from batches of ``kind`` (duplicate detection)."""
        e, b = s.journal_entries, s.batches
        q = (sa.select(e.c.party_id, e.c.document_no).select_from(e.join(b, b.c.batch_id == e.c.batch_id))
             .where(b.c.kind == kind, e.c.production_id == self.production_id, e.c.kind == "posting")
             .distinct())
        with self.engine.connect() as conn:
            return {(p, d) for p, d in conn.execute(q).all()}



def _po_rows(frame: pd.DataFrame) -> list[tuple]:
    """Validated PO rows: (po_number, vendor_id, po_date, cost_code, description, cents, status)."""
    n = len(frame)
    need = ["po_number", "vendor_id", "po_date", "cost_code", "amount", "status"]
    missing = [c for c in need if c not in frame]
    if missing:
        raise ValueError(f"purchase order frame lacks {missing}")
    cents = money_to_cents(frame["amount"]).tolist() if n else []
    po_dates = _dates(frame["po_date"]) if n else []
    status = [str(x).strip().lower() for x in _str_list(frame["status"], n)]
    bad = sorted({x for x in status if x not in PO_STATUSES})
    if bad:
        raise ValueError(f"unknown purchase order status {bad}: {PO_STATUSES}")
    numbers = _str_list(frame["po_number"], n)
    if any(not x for x in numbers):
        raise ValueError("purchase order without po_number")
    return list(zip(numbers, _str_list(frame["vendor_id"], n), po_dates, _str_list(frame["cost_code"], n),
                    _str_list(frame.get("description"), n), cents, status, strict=True))


def _quarantine_rows(frame: pd.DataFrame, source_id: str, source_file: str) -> list[tuple]:
    """(source_id, source_file, source_line, row_hash, reason, field, detail, payload) per row."""
    n = len(frame)
    if n and ("reason" not in frame or frame["reason"].isna().any()):
        raise ValueError("every quarantined row needs a reason")
    get = frame.get
    sid = _str_list(get("source_id"), n)
    sfile = _str_list(get("source_file"), n)
    payload = get("payload")
    payloads: list[str | None]
    if payload is None:
        payloads = [None] * n
    else:
        payloads = [None if v is None or (not isinstance(v, dict | list) and pd.isna(v))
                    else (v if isinstance(v, str) else ch.canonical_json(v)) for v in payload.tolist()]
    return list(zip([x or source_id for x in sid], [x or source_file for x in sfile],
                    _int_list(get("source_line"), n), _str_list(get("row_hash"), n),
                    [str(x) for x in _str_list(get("reason"), n)], _str_list(get("field"), n),
                    _str_list(get("detail"), n), payloads, strict=True))


def _q_record(row: Sequence) -> dict:
    """Canonical record of a stored quarantine row (q_id, production, batch, 8 fields, recorded_at)."""
    keys = ("q_id", "production_id", "batch_id", *QUARANTINE_COLUMNS)
    return {k: (int(v) if k in ("q_id", "batch_id", "source_line") and v is not None else v)
            for k, v in zip(keys, row[: len(keys)], strict=True)}

