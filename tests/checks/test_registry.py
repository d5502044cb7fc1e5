"""The registry: every rule found by its name, in the documented order, each reason it uses documented."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from prodlib.checks import REGISTRY, rule, rules_of
from prodlib.reasons import DESCRIPTIONS, Reason

GUILD_ORDER = ["timecard_held", "known_classification", "misclassification", "pp_date", "schedule_in_force",
               "priceable", "budget_tier", "scale_minimum", "negative_hours", "reversals", "overtime",
               "sixth_seventh_day", "rest", "meal_penalties", "dga_days", "amount_hours_rate"]


def test_registry_order_and_names() -> None:
    assert set(REGISTRY) == {"budget", "purchase_order", "invoice", "petty_cash", "timecard", "payroll", "bank"}
    assert [r.name for r in REGISTRY["invoice"]] == ["chart_resolution", "duplicate_invoice"]
    assert [r.name for r in REGISTRY["payroll"]] == ["chart_resolution", *GUILD_ORDER]
    assert [r.name for r in rules_of("payroll", "guild")] == GUILD_ORDER
    assert [r.name for r in REGISTRY["purchase_order"]] == ["chart_resolution"]
    assert [r.name for r in REGISTRY["budget"]] == ["chart_resolution", "duplicate_budget_line"]
    assert [r.name for r in REGISTRY["petty_cash"]] == ["chart_resolution", "repeated_receipt", "envelope_balance"]
    assert [r.name for r in rules_of("petty_cash", "envelopes")] == ["envelope_balance"]
    assert [r.name for r in REGISTRY["bank"]] == ["chart_resolution", "duplicate_bank_transaction"]
    assert [r.name for r in REGISTRY["timecard"]] == ["chart_resolution", "timecard_readable", "impossible_timecard"]
    assert [r.name for r in rules_of("timecard", "guild")] == ["timecard_readable", "impossible_timecard"]


def test_a_rule_is_found_by_its_name_in_its_own_module() -> None:
    for rules in REGISTRY.values():
        for r in rules:
            assert rule(r.name) == r
            assert r.module == f"prodlib.checks.{r.name}"
            assert importlib.import_module(r.module).check is r.check
    with pytest.raises(KeyError, match="no rule named 'overtme'"):
        rule("overtme")


def test_every_reason_a_check_uses_is_declared_and_documented() -> None:
    for rules in REGISTRY.values():
        for r in rules:
            assert r.reasons, r.name
            for reason in r.reasons:
                assert DESCRIPTIONS.get(reason), f"{r.name}: {reason} has no description"
            # Every Reason.X named in the module's source is one it declares (the day rules name theirs too).
            used = set(re.findall(r"Reason\.([A-Z_]+)", inspect.getsource(importlib.import_module(r.module))))
            assert {Reason[u] for u in used} <= set(r.reasons), r.name


def test_day_evaluation_names_only_day_rule_reasons() -> None:
    # The day rules share one evaluation (prodlib.checks.days); what it names, they declare
    # (schedule_in_force keeps its days without a work-rule schedule in force).
    day_rules = ("overtime", "sixth_seventh_day", "rest", "meal_penalties", "dga_days", "schedule_in_force")
    declared = {reason for n in day_rules for reason in rule(n).reasons}
    used = set(re.findall(r"Reason\.([A-Z_]+)", inspect.getsource(importlib.import_module("prodlib.checks.days"))))
    assert {Reason[u] for u in used} == declared
