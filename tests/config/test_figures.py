"""Money and rates in YAML are quoted strings: a YAML float (or int) for an amount, a rate, a cap or a
minimum is refused with a message saying to quote it, in every rule file and in production.yaml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.errors import ConfigError, RuleDataError
from prodlib.production import load_production
from prodlib.rules import load_plans, load_scale, load_work_rules
from tests.config.files import PRODUCTION, line_of, plans_copy, rule_copy


@pytest.mark.parametrize(("old", "new", "field"), [
    ('rate: "0.085"', "rate: 0.085", "wga-2019-pension.rate"),  # a float rate
    ('amount: "225000.00"', "amount: 225000.00", "wga-2019-pension.cap.amount"),  # a float cap (via the anchor)
    ('annual_rate: "0.10"', "annual_rate: 0.10", "remittance.late_charges.annual_rate"),
])
def test_plan_float_refused(tmp_path: Path, old: str, new: str, field: str) -> None:
    folder, _ = plans_copy(tmp_path, "wga.yaml", old, new)
    with pytest.raises(RuleDataError) as err:
        load_plans(folder)
    assert err.value.field == field
    assert "must be quoted" in err.value.message


@pytest.mark.parametrize("new", ["minimum: 1246.00", "minimum: 1246"])  # float, and int: both refused
def test_scale_minimum_float_or_int_refused(tmp_path: Path, new: str) -> None:
    path, text = rule_copy(tmp_path, "scale", 'minimum: "1246.00"', new)
    with pytest.raises(RuleDataError) as err:
        load_scale(str(path))
    assert err.value.line == line_of(text, new)
    assert err.value.field == "classifications[Principal Performer].minimum"
    assert "must be quoted" in err.value.message


def test_scale_budget_tier_line_float_refused(tmp_path: Path) -> None:
    path, _ = rule_copy(tmp_path, "scale", 'below: "5000000.00"', "below: 5000000.00")
    with pytest.raises(RuleDataError, match=r"field 'budget_tiers.tiers\[low\].below': 5000000.0 must be quoted"):
        load_scale(str(path))


def test_work_rules_float_refused(tmp_path: Path) -> None:
    path, text = rule_copy(tmp_path, "work", 'penalty_each_further: "12.50"', "penalty_each_further: 12.50")
    with pytest.raises(RuleDataError) as err:
        load_work_rules(str(path))
    assert err.value.line == line_of(text, "penalty_each_further")
    assert "12.5 must be quoted" in err.value.message


@pytest.mark.parametrize("total", ["4500000.00", "4500000"])
def test_production_budget_total_float_or_int_refused(tmp_path: Path, total: str) -> None:
    (tmp_path / "production.yaml").write_text(PRODUCTION + f"budget_total: {total}\n")
    with pytest.raises(ConfigError) as err:
        load_production(tmp_path / "production.yaml")
    assert (err.value.field, err.value.line) == ("budget_total", 7)  # PRODUCTION has 6 lines
    assert "must be quoted" in err.value.message


def test_production_budget_total_quoted_is_exact(tmp_path: Path) -> None:
    (tmp_path / "production.yaml").write_text(PRODUCTION + 'budget_total: "4500000.10"\n')
    p = load_production(tmp_path / "production.yaml")
    assert p.budget_total == Decimal("4500000.10") and p.budget_tier == "low"  # 4.5M < 5M


def test_the_shipped_figures_load_exactly() -> None:
    # Figures as written in the shipped files (quoted): value and representation kept.
    wga = load_plans().plan("WGA")
    pension = next(r for r in wga.rates if r.id == "wga-2019-pension")
    assert str(pension.rate) == "0.085" and str(pension.cap.amount) == "225000.00"
    principal = load_scale().lookup("SAG-AFTRA", "Principal Performer", load_scale().entries[0].effective_from)
    assert str(principal.minimum) == "1246.00"
    (work,) = load_work_rules().schedules
    assert [str(x) for x in work.meal_steps] == ["7.50", "10.00"] and str(work.meal_each_further) == "12.50"


def test_a_bad_budget_total_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "production.yaml").write_text(PRODUCTION + 'budget_total: "lots"\n')  # line 7
    with pytest.raises(ConfigError, match=r"production\.yaml, line 7, field 'budget_total': 'lots' is not an amount"):
        load_production(tmp_path / "production.yaml")
