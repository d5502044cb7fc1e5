"""Contingency builder: versions drawing on 8000, the roll-forward, accounts over budget; worked by hand.

Versions (chart feature-us-sample; amounts by account after roll-up):
  V1 original            1100 100,000  2500 40,000  3300 20,000  8000 10,000
  V2 revision  (of V1)   2500 +3,000, 3300 -1,000 (saving), 8000 -2,000 (transfer)
      increases 3,000; decreases 1,000; used = 3,000 - 1,000 = 2,000; moved out = min(2,000, 2,000) = 2,000
  V3 overage   (of V2)   1100 +1,500, 8000 unchanged (8,000)
      used 1,500; moved out 0; still in the line 1,500
  V4 revision  (of V3)   8000 +500 (topped up), nothing else: used 0
  VX revision  (of V1)   a sibling draft: not in the lineage of V4, ignored
In force: V4. original 10,000; budgeted (V4) 8,500; line changes -1,500 (-2,000 + 500)
  used 2,000 + 1,500 = 3,500; moved out 2,000; still in the line 1,500
  remaining = 8,500 - 1,500 = 7,000  (= 10,000 - 1,500 + 2,000 - 3,500)
Cost (budget = V4): actuals 1100-01 102,000.00; 2500-02 44,250.25; 3300-02 5,000.00; 3700-01 300.00 (no budget)
  EFC = max(budget, actual): 1100 102,000.00 (budget 101,500: over 500.00); 2500 44,250.25 (budget 43,000: over
  1,250.25); 3300 19,000 (budget 19,000); 3700 300.00 (over 300.00); 8000 8,500 (contingency: never listed)
  projected overruns 500.00 + 1,250.25 + 300.00 = 2,050.25; after overruns 7,000 - 2,050.25 = 4,949.75
"""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from prodlib.money import MONEY_DTYPE, to_money_series
from prodlib.reports.contingency import contingency_report
from prodlib.reports.cost import cost_report
from prodlib.reports.demo import demo_actuals, demo_budget_lines, demo_budget_versions, demo_commitments, demo_efc
from prodlib.taxonomy import get_chart

CHART = get_chart("feature_us_sample")
V1 = {"1100-01": "100000.00", "2500-02": "40000.00", "3300-02": "20000.00", "8000-01": "10000.00"}
V2 = {**V1, "2500-02": "43000.00", "3300-02": "19000.00", "8000-01": "8000.00"}
V3 = {**V2, "1100-01": "101500.00"}
V4 = {**V3, "8000-01": "8500.00"}
VX = {**V1, "1100-01": "150000.00"}


def lines(d: dict) -> pd.DataFrame:
    return pd.DataFrame({"cost_code": list(d), "amount": to_money_series(list(d.values()))})


def versions(rows) -> pd.DataFrame:
    return pd.DataFrame([{"version_id": v, "kind": k, "parent_version_id": p, "effective_date": e,
                          "author": "LP", "reason": f"{k} {v}"} for v, k, p, e in rows])


VERSIONS = versions([("V1", "original", None, "2026-01-02"), ("V2", "revision", "V1", "2026-02-01"),
                     ("V3", "overage", "V2", "2026-03-01"), ("VX", "revision", "V1", "2026-03-05"),
                     ("V4", "revision", "V3", "2026-04-01")])
BUDGETS = {"V1": lines(V1), "V2": lines(V2), "V3": lines(V3), "V4": lines(V4), "VX": lines(VX)}
ACTUALS = lines({"1100-01": "102000.00", "2500-02": "44250.25", "3300-02": "5000.00", "3700-01": "300.00"})


def build(in_force="V4", **kw):
    cost = cost_report(BUDGETS[in_force], ACTUALS, CHART)
    return contingency_report(VERSIONS, BUDGETS, in_force, cost, CHART, **kw)


def test_rollforward_by_hand():
    r = build()
    assert (r.original_version, r.version_in_force) == ("V1", "V4")
    assert (r.original, r.line_changes, r.budgeted) == (D("10000.00"), D("-1500.00"), D("8500.00"))
    assert (r.used, r.moved_out, r.still_in_line, r.remaining) == (D("3500.00"), D("2000.00"), D("1500.00"),
                                                                   D("7000.00"))
    assert r.remaining == r.original + r.line_changes + r.moved_out - r.used
    assert (r.projected_overruns, r.after_overruns, r.exhausted) == (D("2050.25"), D("4949.75"), False)
    roll = r.rollforward()
    assert roll["amount"].dtype == MONEY_DTYPE and len(roll) == 9
    assert D(roll["amount"].iloc[-1]) == D("4949.75")


def test_steps_follow_the_lineage_and_show_each_draw():
    s = build().steps.set_index("version_id")
    assert list(s.index) == ["V2", "V3", "V4"]  # VX (a sibling of V2) is not in V4's lineage
    assert (D(s.loc["V2", "increases"]), D(s.loc["V2", "decreases"]), D(s.loc["V2", "used"]),
            D(s.loc["V2", "moved_out"]), D(s.loc["V2", "contingency_change"])) == (
        D("3000.00"), D("1000.00"), D("2000.00"), D("2000.00"), D("-2000.00"))
    assert (D(s.loc["V3", "used"]), D(s.loc["V3", "still_in_line"])) == (D("1500.00"), D("1500.00"))
    assert s.loc["V3", "increased_accounts"] == "1100 +1500.00"
    assert (D(s.loc["V4", "used"]), D(s.loc["V4", "contingency_change"])) == (D("0.00"), D("500.00"))


def test_accounts_over_budget_largest_first_without_contingency():
    o = build().over_budget
    assert list(o["account"]) == ["2500", "1100", "3700"]
    assert [D(x) for x in o["overrun"]] == [D("1250.25"), D("500.00"), D("300.00")]
    assert (D(o["budget"].iloc[0]), D(o["efc"].iloc[0])) == (D("43000.00"), D("44250.25"))


def test_a_kind_that_does_not_draw_and_a_release():
    # overages funded outside contingency: V3's 1,500 is not used; used = 2,000 (all moved out) -> remaining 8,500
    r = build(draw_kinds=("revision",))
    assert (r.used, r.still_in_line, r.remaining) == (D("2000.00"), D("0.00"), D("8500.00"))
    assert not bool(r.steps.set_index("version_id").loc["V3", "draws"])
    # a release: V2 cuts 8000 by 5,000 (10,000 -> 5,000) with the same +3,000 / -1,000 elsewhere:
    # used 2,000, moved out min(2,000, 5,000) = 2,000; the other 3,000 leaves the budget; remaining 5,000
    v2 = {**V2, "8000-01": "5000.00"}
    budgets = {**BUDGETS, "V2": lines(v2)}
    cost = cost_report(budgets["V2"], ACTUALS, CHART)
    r2 = contingency_report(VERSIONS, budgets, "V2", cost, CHART)
    assert (r2.budgeted, r2.used, r2.moved_out, r2.remaining) == (D("5000.00"), D("2000.00"), D("2000.00"),
                                                                   D("5000.00"))


def test_exhausted_when_overruns_exceed_what_remains():
    big = lines({"1100-01": "110000.00", "2500-02": "44250.25"})  # 1100 over by 8,500 -> 8,500 + 1,250.25
    cost = cost_report(BUDGETS["V4"], big, CHART)
    r = contingency_report(VERSIONS, BUDGETS, "V4", cost, CHART)
    assert r.projected_overruns == D("9750.25") and r.after_overruns == D("-2750.25") and r.exhausted


def test_original_only_and_bad_inputs():
    cost = cost_report(BUDGETS["V1"], ACTUALS, CHART)
    r = contingency_report(VERSIONS, BUDGETS, "V1", cost, CHART)
    assert len(r.steps) == 0 and r.budgeted == r.remaining == D("10000.00") and r.used == D("0.00")
    with pytest.raises(LookupError, match="V9"):
        contingency_report(VERSIONS, BUDGETS, "V9", cost, CHART)
    with pytest.raises(LookupError, match="no budget lines given for version V2"):
        contingency_report(VERSIONS, {"V1": BUDGETS["V1"], "V3": BUDGETS["V3"]}, "V3", cost, CHART)
    floats = pd.DataFrame({"cost_code": ["8000-01"], "amount": [10000.0]})
    with pytest.raises(TypeError):
        contingency_report(VERSIONS.iloc[:1], {"V1": floats}, "V1", cost, CHART)


def test_demo_figures():
    """prodlib.reports.demo: BV-2 revision (+3,500 +2,000 -1,500, contingency 30,000 -> 26,000),
    BV-3 overage (+3,000). used 4,000 + 3,000 = 7,000; moved 4,000; remaining 26,000 - 3,000 = 23,000.
    Over budget on BV-3: 2500 (48,000 vs 44,260.95 actual + 5,000 open = 49,260.95: 1,260.95) and 3700
    (no budget, 2,845.60): 4,106.55; after overruns 23,000 - 4,106.55 = 18,893.45."""
    budgets = demo_budget_lines()
    cost = cost_report(budgets["DEMO-BV-3"], demo_actuals(), CHART, demo_commitments(), demo_efc())
    r = contingency_report(demo_budget_versions(), budgets, "DEMO-BV-3", cost, CHART)
    assert (r.budgeted, r.used, r.moved_out, r.remaining) == (D("26000.00"), D("7000.00"), D("4000.00"),
                                                               D("23000.00"))
    assert (r.projected_overruns, r.after_overruns) == (D("4106.55"), D("18893.45"))
