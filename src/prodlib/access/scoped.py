"""The scoped session: every read of the books through one person's role on one production.

:class:`ScopedView` opens the ledger read-only for ``(person, role, production)`` checked against
the role book (roles.yaml), and answers the reads :class:`~prodlib.ledger.view.LedgerView` answers,
each with the role's filter applied before anything is returned; a read the role may not make is a
:class:`~prodlib.errors.ScopeError` (exit 2), never an empty frame::

    with ScopedView.open(url, person="P-0301", role="department_head", roles="var/sample") as v:
        v.actuals()          # camera (3300) only
        v.quarantine_frame() # ScopeError: a department head does not read the quarantine

What each role reads (:data:`ROLE_READS`; the same matrix as PostgreSQL's policies, prodlib.access.rls):

============================  =====================================================================
production_accountant         everything of one production; the only role that writes (:meth:`ledger`)
line_producer, upm            everything of the production, read
studio_executive, auditor     everything of each production they hold, read (:meth:`for_production`)
payroll_processor             entries, batches and quarantine of payroll, fringe and timecard batches
department_head               lines, budget, POs, estimates on their department's accounts (crew pay
                              included: payroll lines land on those accounts); no quarantine, batches
bond_rep                      totals only: balances, actuals, trial balance, period totals, budget,
                              commitments and EFC per cost code, exception counts; nothing per entry,
                              per document or per person
============================  =====================================================================

Every read calls ``on_read`` (when given) with a :class:`ReadRecord`: the hook a query log hangs on.

On SQLite (one user) this scoping is the library's: whoever can open the file with sqlite3 reads
everything. On PostgreSQL the same scopes are also row-level security (prodlib.access.rls) that raw
SQL cannot get around; with ``database=True`` (the default when the session may ``SET ROLE`` to the
role's group) each read of this session also runs as that group role, so the database filters too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from prodlib.access.rls import DB_ROLE, PAYROLL_KINDS, READ_ALL
from prodlib.access.roles import (
    BOND_REP,
    DEPARTMENT_HEAD,
    PAYROLL_PROCESSOR,
    PRODUCTION_ACCOUNTANT,
    ROLES,
    RoleBook,
    load_roles,
)
from prodlib.errors import ScopeError
from prodlib.ledger.connection import open_readonly_engine
from prodlib.ledger.frames import cents_to_money
from prodlib.ledger.tenants import productions_in, resolve_production
from prodlib.ledger.view import LedgerView, actuals_frame

#: The kinds of read a session makes (each :class:`ScopedView` method is one of them).
JOURNAL, TOTALS, BUDGET, COMMITMENTS, PURCHASE_ORDERS = "journal", "totals", "budget", "commitments", "purchase_orders"
ESTIMATES, EFC, QUARANTINE, EXCEPTION_COUNTS, BATCHES, PERIODS = (
    "estimates", "efc", "quarantine", "exception_counts", "batches", "periods")
READS = (JOURNAL, TOTALS, BUDGET, COMMITMENTS, PURCHASE_ORDERS, ESTIMATES, EFC, QUARANTINE, EXCEPTION_COUNTS,
         BATCHES, PERIODS)
_EVERYTHING = frozenset(READS)
#: role -> the kinds of read it may make (filters narrow some of them further, see the module doc).
ROLE_READS: dict[str, frozenset[str]] = {
    **{role: _EVERYTHING for role in READ_ALL},  # production accountant, line producer, UPM, studio, auditor
    PAYROLL_PROCESSOR: frozenset({JOURNAL, TOTALS, QUARANTINE, EXCEPTION_COUNTS, BATCHES, PERIODS}),
    DEPARTMENT_HEAD: frozenset({JOURNAL, TOTALS, BUDGET, COMMITMENTS, PURCHASE_ORDERS, ESTIMATES, EFC, PERIODS}),
    BOND_REP: frozenset({TOTALS, BUDGET, COMMITMENTS, EFC, EXCEPTION_COUNTS, PERIODS}),
}
#: Roles that write the books.
WRITERS = frozenset({PRODUCTION_ACCOUNTANT})


@dataclass(frozen=True)
class ReadRecord:
    """One read a scoped session answered (what a query log records).

    Attributes:
      person: the person id the session reads for.
      role: the role it reads as.
      production_id: the production read.
      read: the method called (``actuals``, ``entries_frame``...).
      kind: the kind of read (one of :data:`READS`).
      rows: rows (or accounts, for a mapping) returned.
    """

    person: str
    role: str
    production_id: str
    read: str
    kind: str
    rows: int


def _book(roles: RoleBook | str | Path) -> RoleBook:
    return roles if isinstance(roles, RoleBook) else load_roles(roles)


def _set_local(role: str, person: str) -> Callable[[sa.Connection], None]:
    """Each transaction of the session runs as the role's group, for the person (reset at its end).

    The production is not set: every read names its production, and the policies already bound the
    person to the productions they hold (a studio executive's :meth:`ScopedView.for_production`
    shares the engine)."""
    def on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(f"SET LOCAL ROLE {DB_ROLE[role]}")
        conn.exec_driver_sql("SELECT set_config('prodlib.person', %(p)s, true)", {"p": person})
    return on_begin


def may_set_role(engine: sa.Engine, role: str) -> bool:
    """Whether this engine's login may ``SET ROLE`` to the role's group (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(conn.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %(r)s) AND "
            "(pg_has_role(session_user, %(r)s, 'MEMBER') OR (SELECT rolsuper FROM pg_roles "
            "WHERE rolname = session_user))", {"r": DB_ROLE[role]}).scalar())


class ScopedView:
    """Reads of one production's books as one person in one role. Open with :meth:`open`.

    Attributes:
      person: the person id (roles.yaml's member id).
      role: the role read as (one of :data:`~prodlib.access.roles.ROLES`).
      production_id: the production read.
      book: the role book the scope was checked against.
      in_database: True when the database enforces the scope too (PostgreSQL row-level security).
      on_read: called with a :class:`ReadRecord` after every read, or None.
    """

    def __init__(self, view: LedgerView, person: str, role: str, book: RoleBook, *,
                 on_read: Callable[[ReadRecord], None] | None = None, in_database: bool = False) -> None:
        if role not in ROLES:
            raise ScopeError(f"{role!r} is not a role (roles: {', '.join(ROLES)})")
        if not book.holds(person, role, view.production_id):
            held = book.productions_of(person, role)
            raise ScopeError(f"{person} does not hold {role} on production {view.production_id!r}"
                             + (f" (holds it on {', '.join(held)})" if held else ""))
        self._view = view
        self.person, self.role, self.production_id, self.book = person, role, view.production_id, book
        self.on_read = on_read
        self.in_database = in_database
        self._accounts = book.accounts_of(person, view.production_id) if role == DEPARTMENT_HEAD else ()

    @classmethod
    def open(cls, url: str | Path, *, person: str, role: str, roles: RoleBook | str | Path,
             production: str | None = None, on_read: Callable[[ReadRecord], None] | None = None,
             database: bool | None = None) -> ScopedView:
        """Open the ledger at ``url`` read-only for ``person`` as ``role`` on ``production``.

        ``roles``: a RoleBook, roles.yaml, or the input folder holding it. ``production`` None: the
        one production the person holds the role on, else as :class:`LedgerView` resolves it.
        ``database``: also enforce in the database (PostgreSQL; None: when this login may).
        """
        book = _book(roles)
        if role not in ROLES:
            raise ScopeError(f"{role!r} is not a role (roles: {', '.join(ROLES)})")
        held = book.productions_of(person, role)
        if not held:
            raise ScopeError(f"{person} holds no {role} role in {book.source or 'the role book'}")
        engine = open_readonly_engine(url)
        try:
            pid = resolve_production(engine, production or (held[0] if len(held) == 1 else None))
            use_db = role != BOND_REP and (may_set_role(engine, role) if database is None else database)
            if use_db:
                if engine.dialect.name != "postgresql":
                    raise ScopeError("database enforcement needs PostgreSQL (row-level security)")
                sa.event.listen(engine, "begin", _set_local(role, person))
            return cls(LedgerView(engine, pid), person, role, book, on_read=on_read, in_database=use_db)
        except BaseException:
            engine.dispose()
            raise

    def close(self) -> None:
        self._view.close()

    def __enter__(self) -> ScopedView:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- the scope ---------------------------------------------------------------------------

    @property
    def productions(self) -> tuple[str, ...]:
        """The productions of this database the person holds the role on (a studio executive's several)."""
        with self._view.engine.connect() as conn:
            there = set(productions_in(conn))
        return tuple(p for p in self.book.productions_of(self.person, self.role) if p in there)

    def for_production(self, production_id: str) -> ScopedView:
        """The same person and role on another production they hold it on (same connection pool)."""
        return ScopedView(LedgerView(self._view.engine, production_id), self.person, self.role, self.book,
                          on_read=self.on_read, in_database=self.in_database)

    def may(self, kind: str) -> bool:
        """Whether this session's role may make reads of ``kind`` (one of :data:`READS`)."""
        return kind in ROLE_READS[self.role]

    def _check(self, kind: str, read: str) -> None:
        if not self.may(kind):
            raise ScopeError(f"{self.person} as {self.role} may not read {read} ({kind}) of production "
                             f"{self.production_id!r}")

    def _done(self, read: str, kind: str, out: Any) -> Any:
        if self.on_read is not None:
            self.on_read(ReadRecord(self.person, self.role, self.production_id, read, kind, len(out)))
        return out

    def _covers(self, code: Any) -> bool:
        return isinstance(code, str) and any(code == a or code.startswith(a + "-") for a in self._accounts)

    def _rows(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        """A department head's rows of ``frame``: ``column`` one of their accounts (others: unchanged)."""
        if self.role != DEPARTMENT_HEAD:
            return frame
        keep = frame[column].map(self._covers).astype(bool) if len(frame) else pd.Series([], dtype=bool)
        out = frame[keep.to_numpy()].reset_index(drop=True)
        out.attrs.update(frame.attrs)
        return out

    def _payroll_batches(self) -> pd.DataFrame:
        b = self._view.batches_frame()
        return b[b["kind"].isin(PAYROLL_KINDS)].reset_index(drop=True)

    def _entries(self, as_of, known_at) -> pd.DataFrame:
        frame = self._view.entries_frame(as_of, known_at)
        if self.role == PAYROLL_PROCESSOR:
            frame = frame[frame["batch_id"].isin(self._payroll_batches()["batch_id"])].reset_index(drop=True)
        return self._rows(frame, "account")

    # --- journal -----------------------------------------------------------------------------

    def account_balances(self, as_of=None, known_at=None) -> dict[str, int]:
        """Net cents (debit positive) per account the role may see."""
        self._check(TOTALS, "account balances")
        if self.role == PAYROLL_PROCESSOR:
            from prodlib.money import money_to_cents

            f = self._entries(as_of, known_at)
            cents = pd.Series(money_to_cents(f["amount"]) if len(f) else [], index=f.index, dtype="int64")
            out = {a: int(v) for a, v in cents.groupby(f["account"]).sum().sort_index().items()}
        else:
            out = {a: v for a, v in self._view.account_balances(as_of, known_at).items()
                   if self.role != DEPARTMENT_HEAD or self._covers(a)}
        return self._done("account_balances", TOTALS, out)

    def actuals(self, as_of=None, known_at=None) -> pd.DataFrame:
        """Net debits per cost code the role may see."""
        self._check(TOTALS, "actuals")
        return self._done("actuals", TOTALS, actuals_frame(self._quiet_balances(as_of, known_at)))

    def trial_balance(self, as_of=None, known_at=None) -> pd.DataFrame:
        """Per account: debit, credit, balance (over the accounts the role may see)."""
        self._check(TOTALS, "the trial balance")
        bal = self._quiet_balances(as_of, known_at)
        c = pd.Series(list(bal.values()), dtype="int64")
        out = pd.DataFrame({"account": pd.Series(list(bal), dtype=object),
                            "debit": cents_to_money(c.where(c > 0, 0).to_numpy()),
                            "credit": cents_to_money((-c).where(c < 0, 0).to_numpy()),
                            "balance": cents_to_money(c.to_numpy())})
        return self._done("trial_balance", TOTALS, out)

    def _quiet_balances(self, as_of, known_at) -> dict[str, int]:
        hook, self.on_read = self.on_read, None
        try:
            return self.account_balances(as_of, known_at)
        finally:
            self.on_read = hook

    def period_totals(self, as_of=None, known_at=None) -> pd.DataFrame:
        """Net amount per accounting period and account [period, account, amount]: the cash flow's
        input (the CASH rows) and the spend curve."""
        self._check(TOTALS, "period totals")
        f = self._entries(as_of, known_at) if self.role != BOND_REP else self._view.entries_frame(as_of, known_at)
        from prodlib.money import money_to_cents

        cents = pd.Series(money_to_cents(f["amount"]) if len(f) else [], index=f.index, dtype="int64")
        g = cents.groupby([f["period"], f["account"]]).sum().sort_index() if len(f) else cents
        idx = g.index.to_list() if len(f) else []
        out = pd.DataFrame({"period": pd.Series([i[0] for i in idx], dtype=object),
                            "account": pd.Series([i[1] for i in idx], dtype=object),
                            "amount": cents_to_money(g.to_numpy() if len(f) else [])})
        return self._done("period_totals", TOTALS, out)

    def entries_frame(self, as_of=None, known_at=None) -> pd.DataFrame:
        """One row per journal line the role may see, with its entry's header."""
        self._check(JOURNAL, "journal entries")
        return self._done("entries_frame", JOURNAL, self._entries(as_of, known_at))

    def fx_frame(self, as_of=None, known_at=None) -> pd.DataFrame:
        """Foreign-currency entries the role may see (a payroll processor: none but payroll's)."""
        self._check(JOURNAL, "foreign-currency entries")
        frame = self._view.fx_frame(as_of, known_at)
        if self.role == PAYROLL_PROCESSOR:
            ids = set(self._entries(as_of, known_at)["entry_id"])
            frame = frame[frame["entry_id"].isin(ids)].reset_index(drop=True)
        return self._done("fx_frame", JOURNAL, self._rows(frame, "account"))

    # --- batches, quarantine -----------------------------------------------------------------

    def batches_frame(self) -> pd.DataFrame:
        """Posted files the role may see (a payroll processor: payroll, fringe and timecard files)."""
        self._check(BATCHES, "posted files")
        out = self._payroll_batches() if self.role == PAYROLL_PROCESSOR else self._view.batches_frame()
        return self._done("batches_frame", BATCHES, out)

    def quarantine_frame(self) -> pd.DataFrame:
        """Quarantined rows the role may see, raw payload included."""
        self._check(QUARANTINE, "the quarantine")
        q = self._view.quarantine_frame()
        if self.role == PAYROLL_PROCESSOR:
            q = q[q["batch_id"].isin(self._payroll_batches()["batch_id"])].reset_index(drop=True)
        return self._done("quarantine_frame", QUARANTINE, q)

    def exception_counts(self) -> pd.DataFrame:
        """Quarantined rows counted per reason [reason, exceptions]: counts only, no row, no payload."""
        self._check(EXCEPTION_COUNTS, "exception counts")
        q = self._view.quarantine_frame()
        if self.role == PAYROLL_PROCESSOR:
            q = q[q["batch_id"].isin(self._payroll_batches()["batch_id"])]
        counts = q.groupby("reason").size() if len(q) else pd.Series([], dtype="int64")
        out = pd.DataFrame({"reason": pd.Series(list(counts.index), dtype=object),
                            "exceptions": pd.Series(counts.to_numpy(), dtype="int64")})
        return self._done("exception_counts", EXCEPTION_COUNTS, out)

    def closed_periods(self) -> list[str]:
        self._check(PERIODS, "closed periods")
        return self._done("closed_periods", PERIODS, self._view.closed_periods())

    # --- budgets, commitments, estimates -----------------------------------------------------

    def budget_versions_frame(self) -> pd.DataFrame:
        self._check(BUDGET, "budget versions")
        return self._done("budget_versions_frame", BUDGET, self._view.budget_versions_frame())

    def budget_version_at(self, as_of=None, known_at=None) -> str | None:
        self._check(BUDGET, "the budget version in force")
        return self._view.budget_version_at(as_of, known_at)

    def budget(self, version_id: str | None = None, as_of=None, known_at=None) -> pd.DataFrame:
        """A budget version's lines the role may see [cost_code, description, amount]."""
        self._check(BUDGET, "the budget")
        return self._done("budget", BUDGET, self._rows(self._view.budget(version_id, as_of, known_at), "cost_code"))

    def purchase_orders_frame(self, as_of=None, known_at=None) -> pd.DataFrame:
        self._check(PURCHASE_ORDERS, "purchase orders")
        out = self._rows(self._view.purchase_orders_frame(as_of, known_at), "cost_code")
        return self._done("purchase_orders_frame", PURCHASE_ORDERS, out)

    def open_commitments(self, as_of=None, known_at=None) -> pd.DataFrame:
        self._check(PURCHASE_ORDERS, "open purchase orders")
        out = self._rows(self._view.open_commitments(as_of, known_at), "cost_code")
        return self._done("open_commitments", PURCHASE_ORDERS, out)

    def commitments(self, as_of=None, known_at=None) -> pd.DataFrame:
        """Open commitments per cost code the role may see [cost_code, amount]."""
        self._check(COMMITMENTS, "commitments")
        return self._done("commitments", COMMITMENTS, self._rows(self._view.commitments(as_of, known_at), "cost_code"))

    def estimates_frame(self, account: str | None = None) -> pd.DataFrame:
        self._check(ESTIMATES, "the estimates' history")
        return self._done("estimates_frame", ESTIMATES, self._rows(self._view.estimates_frame(account), "account"))

    def efc(self, as_of=None, known_at=None) -> pd.DataFrame:
        """The estimate in force per account the role may see."""
        self._check(EFC, "estimates at completion")
        out = self._rows(self._view.efc(as_of, known_at), "account")
        if self.role == BOND_REP:
            out = out[["account", "amount", "effective_date"]]
        return self._done("efc", EFC, out)

    def etc(self, as_of=None, known_at=None) -> pd.DataFrame:
        """Estimate to complete per estimated account the role may see."""
        self._check(EFC, "estimates to complete")
        return self._done("etc", EFC, self._rows(self._view.etc(as_of, known_at), "account"))

    # --- writes ------------------------------------------------------------------------------

    def ledger(self, url: str | Path):
        """The production's :class:`~prodlib.ledger.Ledger` for writing: a production accountant's only."""
        if self.role not in WRITERS:
            raise ScopeError(f"{self.person} as {self.role} may not write the books of production "
                             f"{self.production_id!r} (only a production_accountant writes)")
        from prodlib.ledger import Ledger

        return Ledger.open(url, production_id=self.production_id)
