"""A petty cash envelope balances before its lines post: its receipts plus the cash returned with it
equal the advance the custodian was given (ENVELOPE_UNBALANCED otherwise, every line of it).

The advance and the returned cash are the check register's items naming the envelope (its
``envelope_id`` column: the advance money out, negative; the return money in, positive), read for
the whole input set before the petty cash files (:func:`envelope_cash`, ``CheckContext.envelope_cash``).
An envelope that does not balance is held whole: each of its lines is quarantined with the same
detail naming the envelope and its three figures, so the queue shows it as one exception; none of its
lines posts alone. The receipts are the lines that reached this phase (a line refused earlier, say a
malformed amount, is missing from the sum, so its envelope waits with it). An input set without a
check register cannot say what was advanced: the rule is then not checked (the run says nothing of
envelopes, and ``prodlib reconcile`` has no envelope cash either). An envelope's lines are expected
in one file, as a custodian turns an envelope in at once.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from prodlib.checks.base import CheckContext, Finding, split
from prodlib.money import from_cents, money_to_cents
from prodlib.reasons import Reason

NAME = "envelope_balance"
REASONS = (Reason.ENVELOPE_UNBALANCED,)


def envelope_cash(cash: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Envelope id -> (advance, returned) in cents, both >= 0, from check register items carrying
    ``envelope_id`` and ``amount`` (money out is the advance, money in the returned cash)."""
    if cash.empty or "envelope_id" not in cash:
        return {}
    env = cash["envelope_id"].astype("string").fillna("").str.strip()
    c = money_to_cents(cash["amount"])
    out: dict[str, tuple[int, int]] = {}
    for e, v in zip(env.to_numpy(dtype=object), c, strict=True):
        if not e:
            continue
        adv, ret = out.get(e, (0, 0))
        out[e] = (adv - int(v), ret) if v < 0 else (adv, ret + int(v))
    return out


def unbalanced_detail(envelope: str, advance: int, receipts: int, returned: int, lines: int) -> str:
    """The one sentence every held line of an envelope carries (cents in)."""
    diff = advance - receipts - returned
    return (f"envelope {envelope}: advance {from_cents(advance)} against receipts {from_cents(receipts)} and returned "
            f"cash {from_cents(returned)}: {from_cents(abs(diff))} {'unaccounted for' if diff > 0 else 'over'}; "
            f"its {lines} lines are held together")


def check(frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    cash: Mapping[str, tuple[int, int]] | None = context.envelope_cash
    if cash is None or frame.empty or "envelope_id" not in frame:
        return split(frame, [])
    env = frame["envelope_id"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    cents = money_to_cents(frame["amount"])
    spent = pd.Series(cents, dtype=np.int64).groupby(env).sum().to_dict()
    count = pd.Series(env).value_counts().to_dict()
    findings = []
    for p, e in enumerate(env):
        adv, ret = cash.get(e, (0, 0))
        if adv - int(spent[e]) - ret != 0:
            findings.append(Finding(p, Reason.ENVELOPE_UNBALANCED, "envelope_id",
                                    unbalanced_detail(e, adv, int(spent[e]), ret, int(count[e]))))
    return split(frame, findings)
