"""Validation rules you can find by name: one small module per rule, each
``check(frame, context) -> (valid, quarantine)``, in an ordered registry per input kind.

``REGISTRY[kind]`` is the tuple of :class:`Rule` the pipeline runs on a kind's rows, in order, after
the kind's Great Expectations suite (schema, and the production window: ``expectations/<kind>.json``,
run by ``prodlib.pipeline.validate_stages``). Rules come in phases: every rule of a phase reads the
same rows (those that entered the phase) and a row's first failing rule, in registry order, is its
reason; the next phase reads the rows the phase accepted. ``classify`` resolves cost codes (the
pipeline then writes the resolved codes onto the rows), ``documents`` compares a row with the
ledger and the rest of its file, ``envelopes`` balances petty cash envelopes against the check
register (after the duplicates, so a repeated receipt is not counted), ``guild`` holds the payroll
rules (line rules, reversals, then the timecard day rules, which compare a line with its peers and
so read every line of the phase).
``docs/ARCHITECTURE.md`` has the table of rule -> module -> reason codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import pandas as pd

from prodlib.checks import (
    amount_hours_rate,
    budget_tier,
    chart_resolution,
    dga_days,
    duplicate_bank_transaction,
    duplicate_budget_line,
    duplicate_invoice,
    envelope_balance,
    impossible_timecard,
    known_classification,
    meal_penalties,
    misclassification,
    negative_hours,
    overtime,
    pp_date,
    priceable,
    repeated_receipt,
    rest,
    reversals,
    scale_minimum,
    schedule_in_force,
    sixth_seventh_day,
    timecard_held,
    timecard_readable,
)
from prodlib.checks.base import Check, CheckContext, Finding, empty_quarantine, forget, make_context, split
from prodlib.reasons import Reason

PHASES = ("classify", "documents", "envelopes", "guild")


@dataclass(frozen=True)
class Rule:
    """One named validation rule.

    Attributes:
        name: the rule's name (its module's ``NAME``), how it is found: ``rule("scale_minimum")``.
        module: the module that implements it (``prodlib.checks.<name>``).
        phase: the phase it runs in (one of :data:`PHASES`).
        reasons: the reason codes it quarantines with.
        check: ``check(frame, context) -> (valid, quarantine)``.
    """

    name: str
    module: str
    phase: str
    reasons: tuple[Reason, ...]
    check: Check


def _rule(module: ModuleType, phase: str) -> Rule:
    return Rule(module.NAME, module.__name__, phase, tuple(module.REASONS), module.check)


_CLASSIFY = (_rule(chart_resolution, "classify"),)
_GUILD = tuple(_rule(m, "guild") for m in (
    timecard_held, known_classification, misclassification, pp_date, schedule_in_force, priceable, budget_tier,
    scale_minimum, negative_hours, reversals, overtime, sixth_seventh_day, rest, meal_penalties, dga_days,
    amount_hours_rate,
))

#: The rules of each input kind, in the order they run.
REGISTRY: dict[str, tuple[Rule, ...]] = {
    "budget": (*_CLASSIFY, _rule(duplicate_budget_line, "documents")),
    "purchase_order": _CLASSIFY,
    "invoice": (*_CLASSIFY, _rule(duplicate_invoice, "documents")),
    "petty_cash": (*_CLASSIFY, _rule(repeated_receipt, "documents"), _rule(envelope_balance, "envelopes")),
    "timecard": (*_CLASSIFY, _rule(timecard_readable, "guild"), _rule(impossible_timecard, "guild")),
    "payroll": (*_CLASSIFY, *_GUILD),
    "bank": (*_CLASSIFY, _rule(duplicate_bank_transaction, "documents")),
}


def rule(name: str) -> Rule:
    """The rule of that name."""
    for rules in REGISTRY.values():
        for r in rules:
            if r.name == name:
                return r
    raise KeyError(f"no rule named {name!r}; rules: {sorted({r.name for rs in REGISTRY.values() for r in rs})}")


def rules_of(kind: str, phase: str) -> tuple[Rule, ...]:
    """A kind's rules of one phase, in order."""
    return tuple(r for r in REGISTRY.get(kind, ()) if r.phase == phase)


def run_phase(rules: tuple[Rule, ...], frame: pd.DataFrame, context: CheckContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every rule over the same ``frame``; a row's first failing rule wins. Returns ``(valid, quarantine)``,
    the quarantine in frame order, indexed by the refused rows' labels."""
    try:
        parts = [q for q in (r.check(frame, context)[1] for r in rules) if len(q)]
    finally:
        forget()
    if not parts:
        return frame, empty_quarantine()
    q = pd.concat(parts)
    q = q[~q.index.duplicated(keep="first")]
    order = frame.index.get_indexer(q.index)
    q = q.iloc[order.argsort(kind="stable")]
    return frame[~frame.index.isin(q.index)], q


__all__ = ["PHASES", "REGISTRY", "CheckContext", "Finding", "Rule", "make_context", "rule", "rules_of",
           "run_phase", "split"]
