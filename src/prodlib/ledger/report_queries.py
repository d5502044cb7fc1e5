"""Narrow read-side queries for the reports: the journal aggregated or selected in the database.

The reports (:mod:`prodlib.reports.load`) read through :class:`prodlib.ledger.LedgerView`; where a
view method would read far more of the journal than the report needs, the narrower query lives here
(issue 12, item 5: the builders push their aggregation into SQL instead of loading every journal line).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import sqlalchemy as sa

from prodlib.ledger import schema as s
from prodlib.ledger.frames import cents_to_money, rows_frame
from prodlib.ledger.normalize import temporal_filter
from prodlib.ledger.view import _after


def chains_netting_to(where: list, amounts: Collection[int],
                      keys: Collection[tuple[str, str, int]] | None = None) -> sa.ColumnElement[bool]:
    """WHERE term: the line's correction chain (``COALESCE(reverses_entry_id, entry_id)``, the chain
    ``reconcile.invoices.posted_lines`` nets) is one of the chains that, among the lines ``where``
    selects, nets to one of ``amounts`` (cents) on some account, or the chain of such a chain's first
    entry (so every line of the entry that opens a chain is read, as ``posted_lines`` needs to know it).

    Why: a journal line without a PO number can only relieve a PO whose open amount its netted line
    equals (``reconcile.invoices.match_lines``); this selects those lines' chains, whole, in the
    database, instead of reading every unnumbered invoice line of the vendors (most of a million-line
    ledger) for the matcher to drop. Every chain it leaves out nets to no amount of ``amounts`` on any
    account, so the matcher would never take a line of it. ``amounts`` are integers, written into the
    SQL as literals: thousands of them, more than a database takes as bound parameters.

    With ``keys`` (vendor, cost code, open amount in cents: the approved POs'), a chain is kept only
    where its netted line on an account has one of them as (party, account, sum): the matcher takes a
    line only for a PO of its vendor and cost code (the account) whose open amount it equals, so at
    a million lines a few hundred chains are read instead of 185,000. A chain whose lines carry more
    than one party is kept whatever its key (the matcher takes its last entry's party).
    """
    e, ln = s.journal_entries, s.journal_lines
    chain = sa.func.coalesce(e.c.reverses_entry_id, e.c.entry_id)
    net = sa.func.sum(ln.c.amount_cents)
    if keys is None:
        nets = net.in_(sa.bindparam("net_amounts", sorted(int(a) for a in amounts), expanding=True,
                                    literal_execute=True))
    else:
        party = sa.func.max(e.c.party_id)
        nets = sa.or_(sa.tuple_(party, ln.c.account, net).in_(sa.bindparam(
                          "net_keys", sorted({(str(v), str(c), int(a)) for v, c, a in keys}), expanding=True,
                          literal_execute=True)),
                      sa.func.min(e.c.party_id) != party)
    netting = (sa.select(chain.label("chain")).select_from(ln.join(e, e.c.entry_id == ln.c.entry_id)).where(*where)
               .group_by(chain, ln.c.account).having(nets).correlate(None).cte("netting"))
    openers = sa.select(chain).where(e.c.entry_id.in_(sa.select(netting.c.chain))).correlate(None)
    return chain.in_(sa.union(sa.select(netting.c.chain), openers))


def lines_touching(conn: sa.Connection, production_id: str, prefix: str) -> pd.DataFrame:
    """Every line of the entries with a line on an account starting with ``prefix``, in entry then
    line order: entry_id, entry_date, kind, account, amount (MONEY_DTYPE, debit positive), document_no.

    ``LedgerView.lines_of_entries_touching``'s rows with only the columns the P&H report reads (the
    same values and types), so the 150,000 fringe lines of a studio ledger come without their
    descriptions, hashes and sources."""
    e, ln = s.journal_entries, s.journal_lines
    touching = sa.select(ln.c.entry_id).where(ln.c.account >= prefix, ln.c.account < _after(prefix))
    q = (sa.select(e.c.entry_id, e.c.entry_date, e.c.kind, ln.c.account, ln.c.amount_cents, e.c.document_no)
         .select_from(ln.join(e, e.c.entry_id == ln.c.entry_id))
         .where(e.c.entry_id.in_(touching), *temporal_filter(e, "entry_date", production_id, None, None))
         .order_by(e.c.entry_id, ln.c.line_no))
    df = rows_frame(conn.execute(q).all(), ["entry_id", "entry_date", "kind", "account", "amount_cents",
                                            "document_no"])
    cents = df.pop("amount_cents").to_numpy(dtype=np.int64) if len(df) else np.array([], np.int64)
    df.insert(4, "amount", cents_to_money(cents, index=df.index))
    return df
