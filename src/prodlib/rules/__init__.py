"""Rule data: fringe plans, scale minimums, timecard rules, production facts; effective-date lookups.

A production's rule book (:func:`load_rules`) is the shipped files with its own ``rules:`` folder
laid over them by id (:mod:`prodlib.rules.overlay`).
"""

from prodlib.rules.book import RuleBook, load_rules, rules_in, shipped_rules
from prodlib.rules.overlay import Replacement
from prodlib.rules.plans import Cap, Plan, PlanSet, RateEntry, RemittanceTerms, load_plans
from prodlib.rules.scale import ScaleMinimum, ScaleTable, load_scale
from prodlib.rules.work import WorkRuleBook, WorkRules, load_work_rules

__all__ = [
    "Cap", "Plan", "PlanSet", "RateEntry", "RemittanceTerms", "load_plans",
    "ScaleMinimum", "ScaleTable", "load_scale", "WorkRuleBook", "WorkRules", "load_work_rules",
    "Replacement", "RuleBook", "load_rules", "rules_in", "shipped_rules",
]
