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
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

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
from prodlib.ledger.frames import money_to_cents
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


def export_beancount(ledger: LedgerView | str | Path, path: str | Path, as_of: date | str | None = None,
                     currency: str = "USD") -> Path:
    """Write the ledger (entries dated on or before ``as_of``) to ``path``; returns the path.

    Given a URL, the ledger is opened read-only: a place without a ledger is DatabaseLocationError.
    """
    led = ledger if isinstance(ledger, LedgerView) else LedgerView.open(ledger)
    try:
        frame = led.entries_frame(as_of)
        fx = led.fx_frame(as_of)
        production = led.production_id
    finally:
        if not isinstance(ledger, LedgerView):
            led.close()
    names: dict[str, str] = {}
    for a in sorted(set(frame["account"])):
        n = beancount_account(a)
        if n in names.values():
            other = next(k for k, v in names.items() if v == n)
            raise LedgerError(f"accounts {other!r} and {a!r} both map to Beancount {n!r}")
        names[a] = n
    foreign = {int(e): (c, int(o), int(a)) for e, c, o, a in zip(
        fx["entry_id"], fx["currency"], money_to_cents(fx["original_amount"]) if len(fx) else [],
        money_to_cents(fx["amount"]) if len(fx) else [], strict=True)}
    first: dict[str, date] = {}
    totals: dict[tuple[str, str], int] = defaultdict(int)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    cents = money_to_cents(frame["amount"]).tolist() if len(frame) else []
    body: list[str] = []
    last_entry, last_date = None, None
    for i, (eid, d, acct, desc, party, h) in enumerate(zip(frame["entry_id"], frame["entry_date"], frame["account"],
                                                         frame["description"], frame["party_id"],
                                                         frame["entry_hash"], strict=True)):
        if eid != last_entry:
            if last_entry is not None:
                body.append("")
            payee = f'"{_text(party)}" ' if _text(party) else ""
            body.append(f'{d.isoformat()} * {payee}"{_text(desc)}"')
            body.append(f'  entry: "{int(eid)}"')
            body.append(f'  hash: "{h}"')
            last_entry = eid
        if acct not in first or d < first[acct]:
            first[acct] = d
        if int(eid) in foreign:
            cur, original, converted = foreign[int(eid)]
            if abs(cents[i]) != abs(converted):
                raise LedgerError(f"foreign-currency entry {int(eid)}: line of {from_cents(cents[i])} is not "
                                  f"its entry's amount {from_cents(converted)}")
            units = original if (cents[i] > 0) == (converted > 0) else -original
            totals[acct, cur] += units
            totals[acct, currency] += 0
            body.append(f"  {names[acct]}  {from_cents(units)} {cur} @@ {from_cents(abs(cents[i]))} {currency}")
        else:
            totals[acct, currency] += cents[i]
            body.append(f"  {names[acct]}  {from_cents(cents[i])} {currency}")
        last_date = d if last_date is None or d > last_date else last_date
    head = [f"; prodlib ledger export, production {production}" + (f", as of {as_of}" if as_of else ""),
            f'option "title" "{_text(production)}"', f'option "operating_currency" "{currency}"', ""]
    held: dict[str, list[str]] = defaultdict(list)
    for a, cur in totals:
        held[a].append(cur)
    opens = [f"{first[a].isoformat()} open {names[a]} {','.join(sorted(held[a]))}"
             for a in sorted(first, key=lambda k: names[k])]
    tail = []
    if last_date is not None:
        check = (last_date + timedelta(days=1)).isoformat()
        tail = ["", *[f"{check} balance {names[a]}  {from_cents(totals[a, cur])} {cur}"
                      for a, cur in sorted(totals, key=lambda k: (names[k[0]], k[1]))]]
    out.write_text("\n".join([*head, *opens, "", *body, *tail]) + "\n", encoding="utf-8")
    return out
