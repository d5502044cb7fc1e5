"""Petty cash envelopes: each balances (receipts + returned cash = advance) before its lines post.

The advance is the check (or cash) the custodian was given for the envelope, and the returned cash the
deposit that came back with it: both are check register items naming the envelope (``envelope_id``;
the advance is money out, negative; the return money in, positive). The receipts are the envelope's
lines. An envelope that does not balance is ONE finding carrying every line of the envelope: they are
held together, never posted one by one. An envelope whose advance is out and no receipt is back yet is
open, not a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prodlib.money import cents_to_money, from_cents, money_to_cents
from prodlib.reasons import Reason
from prodlib.reconcile.findings import Finding

#: Columns this module reads of the receipts (canonical ``petty_cash`` columns plus ``line``).
RECEIPT_COLUMNS = ("envelope_id", "custodian", "receipt_date", "amount", "line")
#: Columns this module reads of the envelope's cash (check register items with an envelope).
CASH_COLUMNS = ("envelope_id", "document_no", "amount", "line")


@dataclass(frozen=True)
class EnvelopeCheck:
    """The envelopes, balanced or not.

    Attributes:
      envelopes: one row per envelope: envelope_id, custodian, advance (>= 0), receipts, returned,
        difference (advance - receipts - returned), lines (its receipt lines), status (balanced |
        unbalanced | open | held: its lines wait in the quarantine, ENVELOPE_UNBALANCED).
      findings: one ``ENVELOPE_UNBALANCED`` per unbalanced envelope.
    """

    envelopes: pd.DataFrame
    findings: tuple[Finding, ...]

    def held_lines(self) -> set[str]:
        """Every receipt line of an unbalanced envelope: the lines that must not post yet."""
        return {ln for f in self.findings for ln in f.lines}


def _sum_by(frame: pd.DataFrame, key: str) -> dict[str, int]:
    if frame.empty:
        return {}
    c = money_to_cents(frame["amount"])
    return {str(k): int(v) for k, v in pd.Series(c, index=frame[key].astype(str).to_numpy()).groupby(level=0).sum()
            .items()}


def check_envelopes(receipts: pd.DataFrame, cash: pd.DataFrame, held: frozenset[str] = frozenset()) -> EnvelopeCheck:
    """Balance every envelope: receipts (:data:`RECEIPT_COLUMNS`) against its cash (:data:`CASH_COLUMNS`).

    An envelope in ``held`` (the pipeline's rule ``envelope_balance`` holds its lines: they are one
    exception of the queue already) is listed with status ``held`` and is no finding."""
    rec = receipts.assign(envelope_id=receipts["envelope_id"].astype(str))
    cash = cash.assign(envelope_id=cash["envelope_id"].astype(str))
    cash_c = money_to_cents(cash["amount"]) if len(cash) else np.zeros(0, np.int64)
    advance = _sum_by(cash[cash_c < 0], "envelope_id")
    returned = _sum_by(cash[cash_c > 0], "envelope_id")
    spent = _sum_by(rec, "envelope_id")
    envs = sorted(set(spent) | set(advance) | set(returned) | set(held))
    rows, findings = [], []
    for e in envs:
        mine = rec[rec["envelope_id"] == e]
        adv, got, ret = -advance.get(e, 0), spent.get(e, 0), returned.get(e, 0)
        diff = adv - got - ret
        lines = tuple(sorted(mine["line"]))
        status = ("held" if e in held else "open" if (mine.empty and ret == 0) else
                  "balanced" if diff == 0 else "unbalanced")
        cust = str(mine["custodian"].iloc[0]) if len(mine) else ""
        rows.append((e, cust, adv, got, ret, diff, lines, status))
        if status == "unbalanced":
            docs = (f"envelope {e}", *(f"{'check' if c < 0 else 'deposit'} {n}" for n, c in zip(
                cash.loc[cash["envelope_id"] == e, "document_no"], cash_c[(cash["envelope_id"] == e).to_numpy()],
                strict=True)))
            findings.append(Finding(
                "petty_cash", Reason.ENVELOPE_UNBALANCED, from_cents(abs(diff)), docs,
                f"envelope {e} ({cust}): advance {from_cents(adv)} against receipts {from_cents(got)} and returned "
                f"cash {from_cents(ret)}: {from_cents(abs(diff))} {'unaccounted for' if diff > 0 else 'over'}; "
                f"its {len(lines)} lines are held together",
                (("advance", from_cents(adv)), ("receipts", from_cents(got)), ("returned", from_cents(ret))),
                lines))
    frame = pd.DataFrame({
        "envelope_id": pd.Series([r[0] for r in rows], dtype=object),
        "custodian": pd.Series([r[1] for r in rows], dtype=object),
        "advance": cents_to_money([r[2] for r in rows]), "receipts": cents_to_money([r[3] for r in rows]),
        "returned": cents_to_money([r[4] for r in rows]), "difference": cents_to_money([r[5] for r in rows]),
        "lines": pd.Series([len(r[6]) for r in rows], dtype="int64"),
        "status": pd.Series([r[7] for r in rows], dtype=object),
    })
    return EnvelopeCheck(frame, tuple(findings))
