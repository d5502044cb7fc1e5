"""A television production: production.yaml says its medium and program length, and SAG-AFTRA's TV
entries (rates by PP date, per-episode ceilings by program length) are the ones levied on it.

Scenario: "Night Shift" (test), a one-hour drama, PP 2024-01-08. The shipped TV ceilings stop at PP
2023-06-30 (the 2023 agreement's were not published where read), so `prodlib rules coverage` names
the gap and why; the production's own rules folder then adds its ceiling (a figure from its own
rate card, here 35,000.00 per episode), and the principal's 50,000.00 on one episode is priced on it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.cli import main
from prodlib.errors import ConfigError
from prodlib.fringes import compute_fringes
from prodlib.guild import validate_payroll
from prodlib.production import Episode, Production, load_production, write_production
from prodlib.rules import load_rules
from prodlib.rules.coverage import rules_coverage
from prodlib.sources import load_input_set
from tests.payroll_frames import payroll

PRODUCTION = """production_id: TV-1
title: Night Shift (test)
employer_code: EMP-T
window: {start: 2023-12-01, end: 2024-06-28}
medium: television
program_length: one_hour
budget: {version: BV-1, locked_on: 2023-11-30, author: Line producer}
states: [CA]
episodes:
  - {id: E101, pp_date: 2024-01-08}
"""

SOURCES = """production: production.yaml
sources:
  - id: payroll_wk1
    kind: payroll
    path: payroll.csv
    columns: {employee_id: Emp, union: Union, classification: Class, state: State, period_end: PE,
              cost_code: Code, earning_type: ET, amount: Amount, episode: Ep}
"""

PAYROLL = """Emp,Union,Class,State,PE,Code,ET,Amount,Ep
A1,SAG-AFTRA,Principal Performer,CA,2024-01-13,1400-01,REG,50000.00,E101
"""

OWN_CEILING = """plan: SAG-AFTRA
name: SAG-AFTRA (our 2023 TV ceiling)
covers: {unions: [SAG-AFTRA]}
date_basis: pp_date
fringe_detail: ["02"]
remittance: {due: {days_after_period_end: 30}}
rates:
  - {id: own-tv-2023-perf-hour, fund: P&H, kind: percent, rate: "0.2100", effective_from: 2023-07-01,
     classifications: [Principal Performer, Stunt Performer], earning_types: [REG, FLAT], media: [television],
     program_lengths: [one_hour], cap: {amount: "35000.00", scope: episode, pool: own-tv},
     source: "our payroll house's 2023 TV rate card", verified: false}
"""


def folder(root: Path, own: bool) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION + ("rules: rules\n" if own else ""), encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "payroll.csv").write_text(PAYROLL, encoding="utf-8")
    if own:
        (root / "rules" / "plans").mkdir(parents=True)
        (root / "rules" / "plans" / "sag_aftra.yaml").write_text(OWN_CEILING, encoding="utf-8")
    return root


def test_production_yaml_reads_medium_and_program_length(tmp_path: Path) -> None:
    prod = load_production(folder(tmp_path, own=False) / "production.yaml")
    assert (prod.medium, prod.program_length, prod.program_length_for("E101")) == ("television", "one_hour",
                                                                                   "one_hour")


def test_episodes_without_a_medium_are_refused_naming_the_key(tmp_path: Path) -> None:
    # Episodes say it is episodic, not whether it is television: never guessed (TV and theatrical
    # ceilings differ by a factor of ten).
    path = tmp_path / "production.yaml"
    path.write_text(PRODUCTION.replace("medium: television\nprogram_length: one_hour\n", ""), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_production(path)
    assert "medium" in str(err.value) and err.value.line == 7  # the `episodes:` line (the two medium lines removed)


def test_program_length_on_a_theatrical_production_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "production.yaml"
    path.write_text(PRODUCTION.replace("medium: television", "medium: theatrical"), encoding="utf-8")
    with pytest.raises(ConfigError, match="program lengths are television's"):
        load_production(path)


def test_unknown_medium_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "production.yaml"
    path.write_text(PRODUCTION.replace("medium: television", "medium: tv"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_production(path)
    assert err.value.line == 5 and "medium" in str(err.value)


def test_medium_round_trips_through_production_yaml(tmp_path: Path) -> None:
    prod = Production(production_id="TV-2", title="T", window_start=date(2022, 1, 3), window_end=date(2022, 9, 30),
                      medium="television", program_length="half_hour",
                      episodes=(Episode("E1", date(2022, 8, 1)), Episode("E2", date(2022, 8, 8), "one_hour")))
    back = load_production(write_production(prod, tmp_path / "production.yaml"))
    assert (back.medium, back.program_length, back.episodes) == ("television", "half_hour", prod.episodes)


def test_coverage_names_the_unpublished_tv_ceiling(tmp_path: Path, capsys) -> None:
    root = folder(tmp_path, own=False)
    inputs = load_input_set(root)
    report = rules_coverage(inputs, load_rules(inputs.production), date(2026, 12, 1))
    sag = [g for g in report.gaps if g.id == "SAG-AFTRA"]
    assert [g.dates for g in sag] == [(date(2024, 1, 8),)]
    assert "2023 TV/Theatrical Agreement" in sag[0].note and "not published" in sag[0].note
    assert main(["rules", "coverage", "--input", str(root), "--today", "2026-12-01"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Night Shift (test): television (one_hour), window")
    assert "NO SCHEDULE: plan SAG-AFTRA: no schedule in force for SAG-AFTRA/Principal Performer/REG/CA/E101 on " \
           "2024-01-08 (SAG-AFTRA television ceilings for PP on/after 2023-07-01" in out


def test_own_tv_ceiling_closes_the_gap_and_prices_the_episode(tmp_path: Path) -> None:
    root = folder(tmp_path, own=True)
    inputs = load_input_set(root)
    rules = load_rules(inputs.production)
    assert not [g for g in rules_coverage(inputs, rules, date(2026, 12, 1)).gaps if g.id == "SAG-AFTRA"]
    # 50,000.00 on E101, ceiling 35,000.00 per episode: 35,000 x 0.21 = 7,350.00.
    df = payroll([{"employee_id": "A1", "union": "SAG-AFTRA", "classification": "Principal Performer",
                   "cost_code": "1400-01", "period_end": "2024-01-13", "earning_type": "REG",
                   "amount": "50000.00", "episode": "E101"}])
    valid, q = validate_payroll(df, None, inputs.production, plans=rules.plans)
    assert len(q) == 0
    for engine in ("vector", "reference"):
        f = compute_fringes(valid, inputs.production, plans=rules.plans, scale=rules.scale, engine=engine)
        sag = f[f.plan == "SAG-AFTRA"]
        assert list(sag.rate_id) == ["own-tv-2023-perf-hour"]
        assert [Decimal(str(c)) for c in sag.contribution] == [Decimal("7350.00")]
