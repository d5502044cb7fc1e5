"""WGA flat deals paid in installments: the scale check compares the deal, never one installment.

The minimum is this test's own rule file (independent of the shipped data): WGA "Original
Screenplay, Including Treatment", high budget tier, 170,655.00 flat, in force 2025-05-02 .. 2026-05-01.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prodlib.checks import make_context, rule
from prodlib.production import Production
from prodlib.rules import load_scale
from tests.payroll_frames import payroll

SCALE = """source: test rate card
verified: false
effective_from: 2025-05-02
effective_to: 2026-05-01
budget_tiers:
  tiers: [{tier: low, below: "5000000.00"}, {tier: high}]
aliases: [{union: WGA, classification: Writer, means: "Original Screenplay, Including Treatment"}]
classifications:
  - {union: WGA, classification: "Original Screenplay, Including Treatment", unit: flat, minimum: "170655.00",
     budget_tier: high, charge_to: {accounts: ["1100"]}}
"""

PROD = Production(title="T", employer_code="EMP", pp_date=date(2026, 3, 2), states=("CA",), budget_tier="high")


@pytest.fixture
def context(tmp_path: Path):
    path = tmp_path / "scale_minimums.yaml"
    path.write_text(SCALE, encoding="utf-8")
    return make_context(PROD, scale=load_scale(str(path)))


def installment(amount: str, period_end: str, **extra: str) -> dict:
    return {"employee_id": "W1", "union": "WGA", "classification": "Writer", "cost_code": "1100-02",
            "period_end": period_end, "earning_type": "FLAT", "amount": amount, **extra}


def refused(rows: list[dict], context) -> dict[int, tuple[str, str, str]]:
    valid, q = rule("scale_minimum").check(payroll(rows), context)
    assert len(valid) + len(q) == len(rows)
    return {int(r.source_line): (r.reason, r.field, r.detail) for r in q.itertuples()}


def test_three_installments_that_reach_the_minimum_pass(context) -> None:
    # 60,000.00 x 3 = 180,000.00 >= 170,655.00: the deal is at scale, so no installment is BELOW_SCALE,
    # though each one alone (60,000.00) is 110,655.00 short.
    rows = [installment("60000.00", pe) for pe in ("2025-06-07", "2025-09-06", "2025-12-06")]
    assert refused(rows, context) == {}


def test_declared_deal_below_the_minimum_is_below_scale_on_each_line(context) -> None:
    # A declared deal of 150,000.00 < 170,655.00 (20,655.00 short), paid 75,000.00 + 75,000.00: the deal
    # is below scale, and each of its two lines is quarantined BELOW_SCALE on field deal_amount.
    rows = [installment("75000.00", pe, deal_amount="150000.00") for pe in ("2025-06-07", "2025-09-06")]
    got = refused(rows, context)
    assert set(got) == {2, 3}
    for reason, field, detail in got.values():
        assert (reason, field) == ("BELOW_SCALE", "deal_amount")
        assert "150000.00" in detail and "170655.00" in detail


def test_lone_installment_of_a_declared_deal_at_scale_passes(context) -> None:
    # 50,000.00 alone is below 170,655.00, but it is one installment of a declared 200,000.00 deal
    # (>= 170,655.00): not BELOW_SCALE.
    assert refused([installment("50000.00", "2025-06-07", deal_amount="200000.00")], context) == {}


def test_undeclared_installments_short_of_the_minimum_are_held_for_the_deal_amount(context) -> None:
    # No deal_amount: 50,000.00 + 60,000.00 = 110,000.00 < 170,655.00, the sum of what this file holds.
    # The deal is not known (more installments may come), so neither line is BELOW_SCALE: both are
    # DEAL_AMOUNT_MISSING on field deal_amount, and the detail gives the partial sum and the minimum.
    rows = [installment("50000.00", "2025-06-07"), installment("60000.00", "2025-09-06")]
    got = refused(rows, context)
    assert set(got) == {2, 3}
    assert all(r == "DEAL_AMOUNT_MISSING" and f == "deal_amount" for r, f, _ in got.values())
    assert "110000.00" in got[2][2] and "partial sum" in got[2][2] and "170655.00" in got[2][2]


def test_lone_installment_below_the_minimum_is_not_below_scale(context) -> None:
    # A commencement payment of 17,065.50 (10% of 170,655.00) alone, no deal_amount, no rate: it is
    # 153,589.50 under the minimum, but it is one installment of a deal nobody declared. Not
    # BELOW_SCALE: DEAL_AMOUNT_MISSING, waiting for the deal's amount.
    got = refused([installment("17065.50", "2025-06-07")], context)
    assert got == {2: (got[2][0], "deal_amount", got[2][2])}
    assert got[2][0] == "DEAL_AMOUNT_MISSING"
    assert "17065.50" in got[2][2]


def test_the_same_installment_with_its_deal_declared_is_judged_by_the_deal(context) -> None:
    # The 17,065.50 installment again, now with deal_amount 170,655.00 (exactly the minimum): passes.
    # With deal_amount 170,654.99 (one cent short) the deal is below scale: BELOW_SCALE on deal_amount.
    assert refused([installment("17065.50", "2025-06-07", deal_amount="170655.00")], context) == {}
    got = refused([installment("17065.50", "2025-06-07", deal_amount="170654.99")], context)
    assert got[2][:2] == ("BELOW_SCALE", "deal_amount")


def test_deal_id_separates_two_works_of_one_writer(context) -> None:
    # Writer W1 has two deals: D1 paid 100,000.00 + 80,000.00 = 180,000.00 (at scale) and D2 paid
    # 90,000.00 (< 170,655.00, partial sum). Summed together they would be 270,000.00 and hide D2.
    rows = [installment("100000.00", "2025-06-07", deal_id="D1"), installment("80000.00", "2025-09-06", deal_id="D1"),
            installment("90000.00", "2025-09-06", deal_id="D2")]
    got = refused(rows, context)
    assert set(got) == {4}
    assert got[4][0] == "DEAL_AMOUNT_MISSING" and "90000.00" in got[4][2]
