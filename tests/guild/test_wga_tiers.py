"""WGA theatrical minimums by work type and budget tier: hand-worked figures in comments.

Figures (data/rules/scale_minimums.yaml, flat per deal), in force on the period end 2026-03-07:
  original screenplay incl. treatment ("Writer"): low 80,000.00 (sample), high 170,655.00
      (WGA: 200% cap of $341,310 as of 2025-05-02, halved: 341,310 / 2 = 170,655, in force to 2026-05-01)
  rewrite of screenplay:                            low 30,000.00 (sample), high 52,000.00 (sample)
Tier: low under $5,000,000.00 of budget, high at $5,000,000.00 and over.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from prodlib.guild import validate_payroll
from prodlib.production import Production, budget_tier_of
from prodlib.rules import load_scale
from prodlib.sources import InputError, load_production
from tests.payroll_frames import payroll

PE = "2026-03-07"


def prod(tier: str | None) -> Production:
    return Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",),
                           budget_tier=tier)


def writer(amount: str, classification: str = "Writer", period_end: str = PE) -> dict:
    return {"employee_id": "W", "union": "WGA", "classification": classification, "cost_code": "1100-02",
            "period_end": period_end, "earning_type": "FLAT", "rate": amount, "amount": amount}


def outcome(rows: list[dict], facts: Production) -> dict[int, tuple[str, str]]:
    valid, q = validate_payroll(payroll(rows), None, facts)
    assert len(valid) + len(q) == len(rows)
    return {int(r.source_line): (r.reason, r.detail) for r in q.itertuples()}


def reasons(rows: list[dict], facts: Production) -> dict[int, str]:
    return {k: v[0] for k, v in outcome(rows, facts).items()}


def test_high_tier_just_below_and_at_the_minimum() -> None:
    # High tier, original screenplay incl. treatment: 170,655.00. 170,654.99 is one cent short -> BELOW_SCALE;
    # 170,655.00 exactly is at scale -> passes. Same for the explicit work-type name of "Writer".
    rows = [writer("170654.99"), writer("170655.00"),
            writer("170654.99", "Original Screenplay, Including Treatment"),
            writer("170655.00", "Original Screenplay, Including Treatment")]
    got = outcome(rows, prod("high"))
    assert {k: v[0] for k, v in got.items()} == {2: "BELOW_SCALE", 4: "BELOW_SCALE"}
    assert "170655.00" in got[2][1] and "high budget tier" in got[2][1]


def test_same_pay_passes_on_a_low_tier_production() -> None:
    # Low tier minimum 80,000.00: 170,654.99 >= 80,000.00 -> passes; 79,999.99 < 80,000.00 -> BELOW_SCALE.
    assert reasons([writer("170654.99"), writer("79999.99")], prod("low")) == {3: "BELOW_SCALE"}


def test_rewrite_versus_original_screenplay() -> None:
    # Paid 60,000.00 on a high-tier production: as a rewrite (52,000.00) it passes; as an original
    # screenplay incl. treatment (170,655.00) it is 110,655.00 short -> BELOW_SCALE. A rewrite paid
    # 51,999.99 is one cent under 52,000.00 -> BELOW_SCALE. On the low tier a rewrite's minimum is
    # 30,000.00, so 29,999.99 is below and 30,000.00 passes.
    high = [writer("60000.00", "Rewrite of Screenplay"), writer("60000.00"),
            writer("51999.99", "Rewrite of Screenplay")]
    assert reasons(high, prod("high")) == {3: "BELOW_SCALE", 4: "BELOW_SCALE"}
    low = [writer("29999.99", "Rewrite of Screenplay"), writer("30000.00", "Rewrite of Screenplay")]
    assert reasons(low, prod("low")) == {2: "BELOW_SCALE"}


def test_no_tier_declared_is_quarantined_never_defaulted() -> None:
    # Without a tier the writer's minimum is 80,000.00 or 170,655.00: neither is assumed, even for pay
    # (200,000.00) above both. Lines whose minimum has no tier (IATSE grip 45.00/h) still pass.
    grip = {"employee_id": "G", "union": "IATSE", "classification": "Grip", "cost_code": "2500-01",
            "period_end": PE, "work_date": "2026-03-02", "earning_type": "REG", "hours": "8", "rate": "45",
            "amount": "360.00"}
    got = outcome([writer("200000.00"), writer("60000.00", "Rewrite of Screenplay"), grip], prod(None))
    assert {k: v[0] for k, v in got.items()} == {2: "BUDGET_TIER_MISSING", 3: "BUDGET_TIER_MISSING"}
    assert "budget_tier" in got[2][1]


def test_high_tier_outside_the_cited_dates_has_no_schedule() -> None:
    # The cited high-tier screenplay figure is in force 2025-05-02 .. 2026-05-01 only: a high-tier writer
    # paid for the week ending 2026-05-09 finds no minimum -> NO_SCHEDULE_IN_FORCE (never 0.00); the
    # low-tier sample figure (open-ended from 2024-01-01) still applies on a low-tier production.
    assert reasons([writer("200000.00", period_end="2026-05-09")], prod("high")) == {2: "NO_SCHEDULE_IN_FORCE"}
    assert reasons([writer("200000.00", period_end="2026-05-09")], prod("low")) == {}


def test_tier_from_budget_total_and_threshold() -> None:
    # $5,000,000.00 is high ("equals or exceeds"); 4,999,999.99 is low.
    scale = load_scale()
    assert scale.tier_for(Decimal("4999999.99")) == "low"
    assert scale.tier_for(Decimal("5000000.00")) == "high"
    assert budget_tier_of("production.yaml", {"budget_total": "4,999,999.99"})[0] == "low"
    assert budget_tier_of("production.yaml", {"budget_total": 5000000})[0] == "high"
    assert budget_tier_of("production.yaml", {})[0] is None


def _write(tmp_path: Path, **extra: object) -> Path:
    doc = {"production_id": "P1", "title": "T", "window": {"start": "2026-01-05", "end": "2026-06-26"},
           "principal_photography": "2026-03-02", **extra}
    path = tmp_path / "production.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_production_yaml_tier_reaches_the_rules(tmp_path: Path) -> None:
    p = load_production(_write(tmp_path, budget_tier="High"))
    assert p.budget_tier == "high"
    p = load_production(_write(tmp_path, budget_total="1500000.00"))
    assert (p.budget_tier, p.budget_total) == ("low", Decimal("1500000.00"))
    assert load_production(_write(tmp_path)).budget_tier is None


@pytest.mark.parametrize(("extra", "field"), [
    ({"budget_tier": "medium"}, "budget_tier"),
    ({"budget_total": "lots"}, "budget_total"),
    ({"budget_total": "-1.00"}, "budget_total"),
    ({"budget_tier": "low", "budget_total": "35000000.00"}, "budget_tier"),  # 35M is a high-budget picture
])
def test_bad_tier_in_production_yaml_is_an_input_error(tmp_path: Path, extra: dict, field: str) -> None:
    path = _write(tmp_path, **extra)
    with pytest.raises(InputError) as exc:
        load_production(path)
    assert exc.value.field == field and exc.value.file == str(path)
    assert str(path) in str(exc.value) and repr(field) in str(exc.value)


def test_sample_writes_the_tier_and_pays_writers_at_its_minimum() -> None:
    # Sample budgets: indie 1,500,000 < 5,000,000 -> low; feature 35,000,000 and studio 150,000,000 -> high.
    # The rate card's writer minimum at each tier equals the rules' figure (80,000.00 / 170,655.00), and
    # the generator's pay range starts at or above it.
    from prodlib.production import production_document
    from prodlib.sample import production_facts
    from prodlib.sample.catalog import rate_card

    tiers = {s: production_facts(s).budget_tier for s in ("indie", "feature", "studio")}
    assert tiers == {"indie": "low", "feature": "high", "studio": "high"}
    assert production_document(production_facts("feature"))["budget_tier"] == "high"
    scale = load_scale()
    for tier, minimum in (("low", Decimal("80000.00")), ("high", Decimal("170655.00"))):
        line = rate_card(tier)["Writer"]
        assert scale.lookup("WGA", "Writer", date(2026, 1, 10), tier).minimum == minimum
        assert line.min_cents == int(minimum * 100) <= line.low_cents
