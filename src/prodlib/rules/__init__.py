"""Rule data: fringe plans, scale minimums, timecard rules, production facts; effective-date lookups."""

from prodlib.rules.plans import Cap, Plan, PlanSet, RateEntry, RemittanceTerms, load_plans
from prodlib.rules.scale import ScaleMinimum, ScaleTable, load_scale
from prodlib.rules.work import WorkRuleBook, WorkRules, load_work_rules

__all__ = [
    "Cap", "Plan", "PlanSet", "RateEntry", "RemittanceTerms", "load_plans",
    "ScaleMinimum", "ScaleTable", "load_scale", "WorkRuleBook", "WorkRules", "load_work_rules",
]
