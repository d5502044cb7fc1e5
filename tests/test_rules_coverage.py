"""``prodlib rules coverage``: what a production's payroll needs that no schedule in force holds.

The production shoots in 2015, before every shipped schedule begins (the shipped files start in
2022 or later), so without its own rules each plan covering its lines is a gap; its own rules
folder then covers Washington SUI for the first half of 2015 only, and a 2015 PA minimum.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prodlib.cli import main
from prodlib.rules import load_rules
from prodlib.rules.coverage import rules_coverage
from prodlib.sources import load_input_set

PRODUCTION = """production_id: COV-1
title: Period Piece (test)
employer_code: EMP-C
window: {start: 2015-01-05, end: 2015-12-18}
principal_photography: 2015-03-02
budget: {version: BV-1, locked_on: 2015-01-02, author: Line producer}
states: [WA]
"""

SOURCES = """production: production.yaml
sources:
  - id: payroll_wk1
    kind: payroll
    path: payroll.csv
    columns: {employee_id: Emp, union: Union, classification: Class, state: State, period_end: PE,
              cost_code: Code, earning_type: ET, hours: Hours, rate: Rate, amount: Amount}
"""

PAYROLL = """Emp,Union,Class,State,PE,Code,ET,Hours,Rate,Amount
P1,NON-UNION,Production Assistant,WA,2015-03-07,2000-04,REG,40,25.00,1000.00
P1,NON-UNION,Production Assistant,WA,2015-03-14,2000-04,REG,40,25.00,1000.00
X1,IATSE,Best Boy Grip,WA,2015-03-07,2500-01,REG,8,50.00,400.00
"""

SUI = """plan: SUI
name: State unemployment insurance
covers: {unions: [SAG-AFTRA, DGA, WGA, IATSE, NON-UNION]}
date_basis: period_end
fringe_detail: ["01"]
remittance: {due: {days_after_period_end: 30}}
rates:
  - {id: sui-wa, fund: WA, kind: percent, rate: "0.0125", effective_from: 2015-01-01, effective_to: 2015-06-30,
     states: [WA], earning_types: [REG], source: "WA notice, first half of 2015", verified: false}
"""

SCALE = """source: employer's 2015 rate card
verified: true
effective_from: 2015-01-01
effective_to: 2015-12-31
classifications:
  - {union: NON-UNION, classification: Production Assistant, unit: hour, minimum: "9.47", charge_to: {sections: [BTL]}}
"""


def input_folder(root: Path, own_rules: bool) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    text = PRODUCTION + ("rules: rules\n" if own_rules else "")
    (root / "production.yaml").write_text(text, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "payroll.csv").write_text(PAYROLL, encoding="utf-8")
    if own_rules:
        (root / "rules" / "plans").mkdir(parents=True)
        (root / "rules" / "plans" / "sui.yaml").write_text(SUI, encoding="utf-8")
        (root / "rules" / "scale_minimums.yaml").write_text(SCALE, encoding="utf-8")
    return root


def report_of(root: Path, today: date = date(2015, 3, 10)):
    inputs = load_input_set(root)
    return rules_coverage(inputs, load_rules(inputs.production), today)


PA_WA = ("NON-UNION", "Production Assistant", "REG", "WA", "")


def test_without_own_rules_every_2015_need_is_a_gap(tmp_path: Path) -> None:
    report = report_of(input_folder(tmp_path, own_rules=False))
    assert (report.lines, report.shapes) == (3, 2)
    gaps = {(g.kind, g.id, g.shape): g.dates for g in report.gaps}
    # SUI on the two period ends and the window's start and end, in date order.
    assert gaps[("plan", "SUI", PA_WA)] == (date(2015, 1, 5), date(2015, 3, 7), date(2015, 3, 14), date(2015, 12, 18))
    assert ("minimum", "NON-UNION/Production Assistant", PA_WA) in gaps
    # A classification the scale rules do not know is named as such, not as a string of plan gaps.
    assert [k for k in gaps if k[2][1] == "Best Boy Grip"] == [
        ("classification", "IATSE/Best Boy Grip", ("IATSE", "Best Boy Grip", "REG", "WA", ""))]
    assert report.replaced == ()


def test_own_rules_close_the_gaps_they_cover_and_show_what_remains(tmp_path: Path) -> None:
    report = report_of(input_folder(tmp_path, own_rules=True))
    gaps = {(g.kind, g.id, g.shape): g.dates for g in report.gaps}
    # sui-wa runs to 2015-06-30: the period ends (03-07, 03-14) and the window start are covered; the
    # window's end (2015-12-18) is not, so it is listed before any payroll of December is quarantined.
    assert gaps[("plan", "SUI", PA_WA)] == (date(2015, 12, 18),)
    assert not any(k[0] == "minimum" for k in gaps)  # 9.47/hour in force all of 2015
    # In force today (2015-03-10): sui-wa is labelled a sample; the verified PA minimum is not listed.
    notes = {(n.kind, n.id): n.note for n in report.today}
    assert notes[("rate", "sui-wa")] == "sample"
    assert ("minimum", "NON-UNION/Production Assistant") not in notes
    assert {(r.kind, r.id) for r in report.replaced} == {("plan", "SUI")}  # the header; sui-wa is new


def test_cli_prints_the_gaps_and_exits_1(tmp_path: Path, capsys) -> None:
    root = input_folder(tmp_path, own_rules=True)
    assert main(["rules", "coverage", "--input", str(root), "--today", "2015-03-10"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Period Piece (test): theatrical, window 2015-01-05 .. 2015-12-18, PP 2015-03-02, "
                             "states WA; 3 payroll lines, 2 line shapes; rules: ")
    assert ("NO SCHEDULE: plan SUI: no schedule in force for NON-UNION/Production Assistant/REG/WA on 2015-12-18"
            in out)
    assert "NO SCHEDULE: classification IATSE/Best Boy Grip: not in the scale rules (lines on 2015-03-07)" in out
    assert any(line.startswith("replaced: ") and "plans/sui.yaml" in line for line in out)
    assert ("today (2015-03-10): rate sui-wa in force today is a labelled sample (verified: false): "
            "WA notice, first half of 2015") in out


def folder_with(tmp_path: Path, production: str, payroll_rows: str) -> Path:
    """An input folder with this production.yaml and these payroll rows (SOURCES' columns)."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "production.yaml").write_text(production, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "payroll.csv").write_text(PAYROLL.splitlines(keepends=True)[0] + payroll_rows, encoding="utf-8")
    return root


def test_illinois_2025_and_louisiana_gaps_say_why(tmp_path: Path) -> None:
    # A 2025 shoot in Illinois and Louisiana: the shipped SUI file has no IL entry after 2024 and no LA
    # rate at all, so each is a gap on the period end 2025-06-07, and the gap says why (the plan file's
    # `unpublished:` notes), before any payroll is quarantined for it.
    root = folder_with(tmp_path, PRODUCTION.replace("2015", "2025").replace("[WA]", "[IL, LA]"),
                       "P1,NON-UNION,Production Assistant,IL,2025-06-07,2000-04,REG,40,25.00,1000.00\n"
                       "P2,NON-UNION,Production Assistant,LA,2025-06-07,2000-04,REG,40,25.00,1000.00\n")
    report = report_of(root, date(2026, 12, 1))
    sui = {g.shape[3]: g for g in report.gaps if g.id == "SUI"}
    assert date(2025, 6, 7) in sui["IL"].dates and date(2025, 6, 7) in sui["LA"].dates
    assert "Illinois's 2025 and 2026" in sui["IL"].note and "not published" in sui["IL"].note
    assert "Louisiana has no single new-employer rate" in sui["LA"].note
    assert "(Illinois's 2025 and 2026" in str(sui["IL"])


def test_wga_high_tier_year_two_gap_says_the_schedule_was_not_readable(tmp_path: Path) -> None:
    # A high-budget production paying a writer in 2024 (year 2 of the 2023 MBA): no high-tier
    # screenplay minimum is shipped for that date, and the gap says why; the same writer in 2025-06
    # (year 3, 170,655.00 shipped from the guild's own figures) is no gap.
    prod = (PRODUCTION.replace("2015", "2024").replace("[WA]", "[CA]")
            + "budget_tier: high\n").replace("window: {start: 2024-01-05, end: 2024-12-18}",
                                             "window: {start: 2024-06-03, end: 2025-06-27}")
    root = folder_with(tmp_path, prod, "W1,WGA,Writer,CA,2024-06-08,1100-02,FLAT,,,180000.00\n"
                                       "W1,WGA,Writer,CA,2025-06-07,1100-02,FLAT,,,180000.00\n")
    report = report_of(root, date(2026, 12, 1))
    (gap,) = [g for g in report.gaps if g.kind == "minimum"]
    assert gap.id == "WGA/Original Screenplay, Including Treatment"
    assert date(2025, 6, 7) not in gap.dates and date(2024, 6, 8) in gap.dates
    assert "years 1 and 2" in gap.note and "not published" in gap.note
    today = {(n.kind, n.id): n for n in report.today}
    assert "2026 MBA" in today[("minimum", "WGA/Original Screenplay, Including Treatment")].source
