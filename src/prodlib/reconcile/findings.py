"""What a reconciliation finds, and the production's settings it judges by.

A finding is a value, not an exception: each reconciliation returns the findings it made beside what it
matched, and the command writes them out. Findings are frozen so that a second run of the same night
compares equal to the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from prodlib.money import money, to_money_series
from prodlib.reasons import Reason

#: The reconciliations, in the order the command runs them (a finding's ``kind``).
KINDS = ("invoice", "timecard", "bank", "petty_cash")


@dataclass(frozen=True)
class Finding:
    """One thing a person must look at.

    Attributes:
      kind: the reconciliation that found it: invoice (invoice vs PO), timecard (timecards vs payroll vs
        rates), bank (bank vs books) or petty_cash (envelopes).
      reason: the finding's code, a :class:`prodlib.reasons.Reason` of the reconciliation block.
      amount: the money at stake (always >= 0): the excess, the unmatched amount, the imbalance.
      documents: the documents involved, each "<type> <id>" ("invoice V-ACME/INV-0042", "po PO-10003",
        "bank 20260216000001", "check 1001", "envelope PC-0001", "timecard E-0007/2026-03-02",
        "payroll E-0007/2026-03-07"), in a stable order.
      detail: one human sentence naming the figures and why they are a finding.
      figures: the figures the finding compares, as (name, amount) pairs, e.g.
        (("po_amount", 1000.00), ("invoiced", 1075.00)).
      lines: the source rows involved, each "<source id>:<line>" (the sources.yaml id and physical line)
        (the lines a held petty cash envelope keeps together).
    """

    kind: str
    reason: Reason
    amount: Decimal
    documents: tuple[str, ...]
    detail: str
    figures: tuple[tuple[str, Decimal], ...] = ()
    lines: tuple[str, ...] = ()


#: Columns of :func:`findings_frame` (and of the CSV the command writes).
FINDING_COLUMNS = ("kind", "reason", "amount", "documents", "detail", "figures", "lines")


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding, amounts exact (MONEY_DTYPE), lists joined by "; "."""
    fs = list(findings)
    return pd.DataFrame({
        "kind": pd.Series([f.kind for f in fs], dtype=object),
        "reason": pd.Series([f.reason.value for f in fs], dtype=object),
        "amount": to_money_series([f.amount for f in fs]),
        "documents": pd.Series(["; ".join(f.documents) for f in fs], dtype=object),
        "detail": pd.Series([f.detail for f in fs], dtype=object),
        "figures": pd.Series(["; ".join(f"{k}={v}" for k, v in f.figures) for f in fs], dtype=object),
        "lines": pd.Series(["; ".join(f.lines) for f in fs], dtype=object),
    }, columns=list(FINDING_COLUMNS))


@dataclass(frozen=True)
class ReconcileSettings:
    """The production's reconciliation settings. The defaults are SAMPLES, not advice: each production
    sets its own (proposed production.yaml block ``reconcile:``, one key per field).

    Attributes:
      over_invoice_abs: how far invoices may exceed a PO, in money (sample 50.00).
      over_invoice_pct: how far invoices may exceed a PO, in percent of the PO (sample 5). The stricter
        (smaller) of the two allowances applies; exactly at the allowance is not a finding, a cent over is.
      no_po_threshold: an invoice (document total) above this with no PO is a finding (sample 2,500.00);
        at the threshold it is not.
      po_match_days: an invoice line without a PO number matches a PO of its vendor, cost code and open
        amount dated up to this many days before the line (sample 60).
      bank_match_days: a book entry without a reference match matches a bank line of its amount posted
        from its date up to this many days later (sample 10).
      stale_days: a check or deposit not cleared this many days after its date is a finding (sample 90).
    """

    over_invoice_abs: Decimal = Decimal("50.00")
    over_invoice_pct: Decimal = Decimal("5")
    no_po_threshold: Decimal = Decimal("2500.00")
    po_match_days: int = 60
    bank_match_days: int = 10
    stale_days: int = 90

    def __post_init__(self) -> None:
        for name in ("over_invoice_abs", "over_invoice_pct", "no_po_threshold"):
            value = getattr(self, name)
            if isinstance(value, float):
                raise TypeError(f"{name} must be Decimal or text, never float")
            object.__setattr__(self, name, money(value) if name != "over_invoice_pct" else Decimal(str(value)))
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        for name in ("po_match_days", "bank_match_days", "stale_days"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"{name} must not be negative")
