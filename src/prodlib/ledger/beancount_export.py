"""Export the ledger as a Beancount file: plain-text interoperability and an independent check.

Accounts map to Beancount names (``AP`` -> ``Liabilities:AP``, ``CASH`` -> ``Assets:Cash``,
``FRINGE_PAYABLE:MPI`` -> ``Liabilities:Fringe-Payable:MPI``, cost code ``2500-02`` ->
``Expenses:2500-02``). Each journal entry is a transaction carrying its entry id and hash as
metadata; each account gets an ``open`` directive on its first date and a ``balance`` assertion
the day after the last entry, so ``bean-check`` re-adds every posting and compares.

A foreign-currency entry's lines are written in their original currency with the production-currency
total as the price: ``Expenses:2500-02  1234.56 EUR @@ 1336.41 USD``. Beancount weighs each line at
that total, so the entry balances in the production currency; an account that holds foreign lines
is opened for both currencies and gets a balance assertion per currency.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from prodlib.accounts import (
    AP,
    CASH,
    FRINGE_PAYABLE,
    FRINGE_PAYABLE_PREFIX,
    PAYROLL_LIABILITY,
    PETTY_CASH,
    is_cost_account,
)
from prodlib.errors import LedgerError
from prodlib.ledger import schema as s
from prodlib.ledger.chain import money_text
from prodlib.ledger.normalize import date_text, temporal_filter
from prodlib.ledger.view import LedgerView
from prodlib.money import from_cents

ROOTS = {AP: "Liabilities:AP", CASH: "Assets:Cash", PETTY_CASH: "Assets:Petty-Cash",
         PAYROLL_LIABILITY: "Liabilities:Payroll-Liability", FRINGE_PAYABLE: "Liabilities:Fringe-Payable"}
_BAD = re.compile(r"[^A-Za-z0-9-]+")


def _component(text: str) -> str:
    c = _BAD.sub("-", text.strip()).strip("-") or "X"
    if not (c[0].isupper() or c[0].isdigit()):
        c = c[0].upper() + c[1:] if c[0].isalpha() else "X" + c
    return c


def beancount_account(account: str) -> str:
    """Our account name as a valid Beancount account name."""
    if account in ROOTS:
        return ROOTS[account]
    if account.startswith(FRINGE_PAYABLE_PREFIX):
        return "Liabilities:Fringe-Payable:" + _component(account.split(":", 1)[1])
    if not is_cost_account(account):  # pragma: no cover - every balance-sheet account is mapped above
        return "Liabilities:" + _component(account)
    return "Expenses:" + ":".join(_component(p) for p in account.split(":"))


def _text(s: object) -> str:
    if not isinstance(s, str):
        return ""  # None or pandas' NaN for a missing string
    return s.replace("\\", "/").replace('"', "'").replace("\n", " ").replace("\r", " ")


#: Journal entries read and written per round trip: memory stays flat however large the ledger.
CHUNK = 50_000


def _rows(conn: sa.Connection, q: sa.Select) -> list[tuple]:
    """A query's rows as plain tuples, through the driver's own cursor (no per-row wrapping)."""
    compiled = q.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args = (tuple(params[k] for k in compiled.positiontup) if compiled.positional else params)
    return conn.exec_driver_sql(str(compiled), args).cursor.fetchall()


def export_beancount(ledger: LedgerView | str | Path, path: str | Path, as_of: date | str | None = None,
                     currency: str = "USD", chunk: int | None = None) -> Path:
    """Write the ledger (entries dated on or before ``as_of``) to ``path``; returns the path.

    Streaming: the ``open`` directives and the balance assertions come from aggregates the database
    computes (first date and net cents per account; foreign-currency lines, few, added up here), then
    the transactions are read ``chunk`` entries at a time (default :data:`CHUNK`) and written as
    they are read, so memory does not grow with the ledger. All in one read snapshot.
    Given a URL, the ledger is opened read-only: a place without a ledger is DatabaseLocationError.
    """
    led = ledger if isinstance(ledger, LedgerView) else LedgerView.open(ledger)
    try:
        with led.engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one snapshot for the aggregates and every chunk
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                return _export(conn, led.production_id, Path(path), as_of, currency, chunk or CHUNK)
    finally:
        if not isinstance(ledger, LedgerView):
            led.close()


def _export(conn: sa.Connection, production: str, out: Path, as_of, currency: str, chunk: int) -> Path:
    e, ln, f = s.journal_entries, s.journal_lines, s.journal_fx
    where = temporal_filter(e, "entry_date", production, as_of, None)
    joined = ln.join(e, e.c.entry_id == ln.c.entry_id)
    first_line = ln.alias("first_line")
    fx_of = (f.join(e, e.c.entry_id == f.c.entry_id)
             .join(first_line, sa.and_(first_line.c.entry_id == f.c.entry_id, first_line.c.line_no == 1)))
    span = conn.execute(sa.select(sa.func.min(e.c.entry_id), sa.func.max(e.c.entry_id)).where(*where)).first()
    acc = _Totals(currency)
    body_q = (sa.select(e.c.entry_id, e.c.entry_date, ln.c.account, e.c.description, e.c.party_id, e.c.entry_hash,
                        ln.c.amount_cents).select_from(joined))
    out.parent.mkdir(parents=True, exist_ok=True)
    # The transactions go to a file beside the export as they are read; the open directives they
    # imply (first date, currencies per account) are known at the end and written before them.
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=out.parent) as body:
        lo, hi = span if span is not None else (None, None)
        for a in range(int(lo), int(hi) + 1, chunk) if lo is not None else ():
            ids = sa.and_(e.c.entry_id >= a, e.c.entry_id < a + chunk)
            rows = _rows(conn, body_q.where(*where, ids).order_by(e.c.entry_id, ln.c.line_no))
            foreign = {int(i): (c, int(o), int(v)) for i, c, o, v in _rows(conn, sa.select(
                f.c.entry_id, f.c.currency, f.c.original_cents, first_line.c.amount_cents)
                .select_from(fx_of).where(*where, ids))}
            body.write(acc.body(rows, foreign))
        names = acc.checked_names()
        head = [f"; prodlib ledger export, production {production}" + (f", as of {as_of}" if as_of else ""),
                f'option "title" "{_text(production)}"', f'option "operating_currency" "{currency}"', ""]
        held: dict[str, list[str]] = defaultdict(list)
        for a, cur in acc.totals:
            held[a].append(cur)
        opens = [f"{acc.first[a]} open {names[a]} {','.join(sorted(held[a]))}"
                 for a in sorted(acc.first, key=lambda k: names[k])]
        tail = []
        if acc.last is not None:
            check = (date.fromisoformat(acc.last) + timedelta(days=1)).isoformat()
            tail = ["", *[f"{check} balance {names[a]}  {money_text(acc.totals[a, cur])} {cur}"
                          for a, cur in sorted(acc.totals, key=lambda k: (names[k[0]], k[1]))]]
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n".join([*head, *opens, ""]))  # then each line after a newline, one at the very end
            body.seek(0)
            shutil.copyfileobj(body, fh, 1 << 20)
            fh.write("".join("\n" + t for t in tail) + "\n")
    return out


class _Totals:
    """What the export adds up while it writes: account names, first dates, totals per currency."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.names: dict[str, str] = {}
        self.first: dict[str, str] = {}  # ISO dates: text order is date order
        self.totals: dict[tuple[str, str], int] = defaultdict(int)
        self.last: str | None = None
        self.started = False

    def checked_names(self) -> dict[str, str]:
        seen: dict[str, str] = {}
        for a in sorted(self.names):
            n = self.names[a]
            if n in seen:
                raise LedgerError(f"accounts {seen[n]!r} and {a!r} both map to Beancount {n!r}")
            seen[n] = a
        return self.names

    def body(self, rows: list[tuple], foreign: dict[int, tuple[str, int, int]]) -> str:
        """The transactions of one chunk of journal lines (entry then line order), as text."""
        out: list[str] = []
        last_entry, day = None, ""
        texts: dict[object, str] = {}  # payees and descriptions repeat: each cleaned once per chunk
        names, first, totals, currency = self.names, self.first, self.totals, self.currency
        for eid, d, acct, desc, party, h, cents in rows:
            if eid != last_entry:
                if self.started:
                    out.append("")
                self.started = True
                if party not in texts:
                    texts[party] = f'"{_text(party)}" ' if _text(party) else ""
                if desc not in texts:
                    texts[desc] = _text(desc)
                day = date_text(d)
                if self.last is None or day > self.last:
                    self.last = day
                out.append(f'{day} * {texts[party]}"{texts[desc]}"')
                out.append(f'  entry: "{int(eid)}"')
                out.append(f'  hash: "{h}"')
                last_entry = eid
            name = names.get(acct)
            if name is None:
                name = names[acct] = beancount_account(acct)
            if acct not in first or day < first[acct]:
                first[acct] = day
            fx = foreign.get(eid)
            if fx is not None:
                cur, original, converted = fx
                units = _units(int(eid), int(cents), original, converted)
                totals[acct, cur] += units
                totals[acct, currency] += 0
                out.append(f"  {name}  {money_text(units)} {cur} @@ {money_text(abs(cents))} {currency}")
            else:
                totals[acct, currency] += cents
                out.append(f"  {name}  {money_text(cents)} {currency}")
        return "".join("\n" + line for line in out)


def _units(eid: int, cents: int, original: int, converted: int) -> int:
    """A foreign-currency line in its own currency: the entry's original amount, signed as the line."""
    if abs(cents) != abs(converted):
        raise LedgerError(f"foreign-currency entry {eid}: line of {from_cents(cents)} is not "
                          f"its entry's amount {from_cents(converted)}")
    return original if (cents > 0) == (converted > 0) else -original
