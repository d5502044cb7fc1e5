"""A production's own rules (production.yaml ``rules:``) laid over the shipped ones by id.

The user's SUI plan file replaces the shipped CA rate (id ``sui-ca``) by the employer's own 2015 rate
card and adds a Washington entry (id ``sui-wa``) the samples lack. Dates are 2015, which no shipped
file covers, so the figures below are the user's alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.cli import main
from prodlib.errors import ConfigError, RuleDataError
from prodlib.fringes import compute_fringes
from prodlib.production import Production, load_production, write_production
from prodlib.rules import PlanSet, load_rules
from tests.payroll_frames import payroll

PRODUCTION = """production_id: OV-1
title: Side Letter (test)
employer_code: EMP-OV
window: {start: 2015-01-05, end: 2015-12-18}
principal_photography: 2015-03-02
budget: {version: BV-1, locked_on: 2015-01-02, author: Line producer}
states: [CA, WA]
rules: my_rules
"""

# Line 15 is sui-ca (replaces the shipped entry), line 18 sui-wa (new).
SUI = """plan: SUI
name: State unemployment insurance (employer's notices)
agreement_subtype: Statutory
covers: {unions: [SAG-AFTRA, DGA, WGA, IATSE, NON-UNION]}
date_basis: period_end
fringe_detail: ["01"]
source: "the employer's 2015 state rate notices"
remittance:
  due: {days_after_period_end: 30, business_days: false}
  late_charges: {kind: none}
  source: "state notices"
  verified: false
_w: &w [REG, OT_1_5, OT_2, OT_3, SIXTH_DAY, SEVENTH_DAY, FLAT, MEAL_PENALTY]
rates:
  - {id: sui-ca, fund: CA, kind: percent, rate: "0.062", effective_from: 2015-01-01, effective_to: 2015-12-31,
     states: [CA], earning_types: *w, cap: {amount: "7000.00", scope: calendar_year, pool: SUI-CA},
     source: "CA notice 2015: 6.2% on the first $7,000", verified: false}
  - {id: sui-wa, fund: WA, kind: percent, rate: "0.0125", effective_from: 2015-01-01, effective_to: 2015-12-31,
     states: [WA], earning_types: *w, cap: {amount: "42100.00", scope: calendar_year, pool: SUI-WA},
     source: "WA notice 2015: 1.25% on the first $42,100", verified: false}
"""


def folder(root: Path, sui: str = SUI) -> Path:
    (root / "my_rules" / "plans").mkdir(parents=True)
    (root / "my_rules" / "plans" / "sui.yaml").write_text(sui, encoding="utf-8")
    (root / "production.yaml").write_text(PRODUCTION, encoding="utf-8")
    return root / "production.yaml"


def test_rules_key_resolves_against_production_yaml_and_round_trips(tmp_path: Path) -> None:
    prod = load_production(folder(tmp_path))
    assert prod.rules == str((tmp_path / "my_rules").resolve())
    out = tmp_path / "copy" / "production.yaml"
    out.parent.mkdir()
    write_production(prod, out)
    assert load_production(out).rules == prod.rules


def test_missing_rules_folder_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "production.yaml").write_text(PRODUCTION, encoding="utf-8")  # no my_rules/ folder
    with pytest.raises(ConfigError) as err:
        load_production(tmp_path / "production.yaml")
    assert "production.yaml, line 8, field 'rules'" in str(err.value)


def test_user_rate_replaces_the_shipped_one_and_adds_a_state(tmp_path: Path) -> None:
    book = load_rules(load_production(folder(tmp_path)))
    sui = book.plans.plan("SUI")
    by_id = {r.id: r for r in sui.rates}
    assert by_id["sui-ca"].rate == Decimal("0.062") and by_id["sui-ca"].effective_from == date(2015, 1, 1)
    assert by_id["sui-wa"].states == frozenset({"WA"})
    assert "sui-ny" in by_id  # a shipped entry the user file does not name is kept
    user = str(tmp_path / "my_rules" / "plans" / "sui.yaml")
    notes = {(r.kind, r.id): r for r in book.replaced}
    assert set(notes) == {("plan", "SUI"), ("rate", "sui-ca")}  # sui-wa is an addition, not a replacement
    assert notes[("rate", "sui-ca")].user_file.endswith("my_rules/plans/sui.yaml")
    assert notes[("rate", "sui-ca")].line == 15
    assert str(notes[("rate", "sui-ca")]) == f"{user}, line 15 replaces shipped rate sui-ca (plans/sui.yaml)"


def test_fringes_priced_by_both_user_entries(tmp_path: Path) -> None:
    prod = load_production(folder(tmp_path))
    book = load_rules(prod)
    pa = {"union": "NON-UNION", "classification": "Production Assistant", "cost_code": "2000-04",
          "earning_type": "REG", "period_end": "2015-03-07", "hours": "40", "rate": "25.00"}
    df = payroll([{**pa, "employee_id": "P1", "state": "CA", "amount": "1000.00"},
                  {**pa, "employee_id": "P2", "state": "WA", "amount": "800.00"},
                  {**pa, "employee_id": "P1", "state": "CA", "period_end": "2015-03-14", "amount": "6500.00"}])
    only_sui = PlanSet((book.plans.plan("SUI"),))
    for engine in ("vector", "reference"):
        f = compute_fringes(df, prod, plans=only_sui, scale=book.scale, engine=engine)
        got = {(r.employee_id, r.rate_id, str(r.period_end)): r.contribution for r in f.itertuples()}
        # CA (the user's 6.2%, cap 7,000.00 a year): week 1 1,000.00 x 0.062 = 62.00; week 2 only
        # 7,000.00 - 1,000.00 = 6,000.00 of 6,500.00 is subject: 6,000.00 x 0.062 = 372.00.
        # WA (added, 1.25%): 800.00 x 0.0125 = 10.00.
        assert got == {("P1", "sui-ca", "2015-03-07"): Decimal("62.00"),
                       ("P1", "sui-ca", "2015-03-14"): Decimal("372.00"),
                       ("P2", "sui-wa", "2015-03-07"): Decimal("10.00")}


def test_context_and_engines_default_to_the_production_rule_book(tmp_path: Path) -> None:
    from prodlib.checks import make_context

    prod = load_production(folder(tmp_path))
    assert make_context(prod).plans.plan("SUI") == load_rules(prod).plans.plan("SUI")
    assert any(r.id == "sui-wa" for r in make_context(prod).plans.plan("SUI").rates)


def test_unknown_key_in_a_user_rule_file_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    # Line 16: "cap" misspelled "capp" in the sui-ca entry.
    bad = SUI.replace('states: [CA], earning_types: *w, cap:', 'states: [CA], earning_types: *w, capp:')
    folder(tmp_path, bad)
    (tmp_path / "sources.yaml").write_text("production: production.yaml\nsources: []\n", encoding="utf-8")
    with pytest.raises(RuleDataError) as err:
        load_rules(load_production(tmp_path / "production.yaml"))
    user = str(tmp_path / "my_rules" / "plans" / "sui.yaml")
    assert str(err.value).startswith(f"{user}, line 16, field 'sui-ca.capp': unknown key; did you mean 'cap'?")
    assert main(["rules", "coverage", "--input", str(tmp_path)]) == 2
    assert f"{user}, line 16" in capsys.readouterr().err


def test_a_stray_file_in_the_rules_folder_is_refused(tmp_path: Path) -> None:
    folder(tmp_path)
    (tmp_path / "my_rules" / "scale.yaml").write_text("x: 1\n", encoding="utf-8")  # not scale_minimums.yaml
    with pytest.raises(RuleDataError, match="scale.yaml: not a rule file"):
        load_rules(load_production(tmp_path / "production.yaml"))


def test_a_minimum_overlapping_a_shipped_one_is_refused(tmp_path: Path) -> None:
    # The shipped Grip minimum (IATSE, untiered) is in force from 2024 on; a user entry from 2025-01-01
    # with another effective_from would be a second minimum in force on one date: refused, naming it.
    folder(tmp_path)
    (tmp_path / "my_rules" / "scale_minimums.yaml").write_text(
        "source: rate card\nverified: false\neffective_from: 2025-01-01\nclassifications:\n"
        "  - {union: IATSE, classification: Grip, unit: hour, minimum: \"47.00\"}\n", encoding="utf-8")
    with pytest.raises(RuleDataError) as err:
        load_rules(load_production(tmp_path / "production.yaml"))
    assert "scale_minimums.yaml, line 5" in str(err.value) and "in force on the same dates" in str(err.value)


def test_a_2015_minimum_is_added_and_the_production_without_rules_is_unchanged(tmp_path: Path) -> None:
    folder(tmp_path)
    (tmp_path / "my_rules" / "scale_minimums.yaml").write_text(
        "source: rate card\nverified: true\neffective_from: 2015-01-01\neffective_to: 2015-12-31\n"
        "classifications:\n  - {union: IATSE, classification: Grip, unit: hour, minimum: \"31.00\","
        " charge_to: {sections: [BTL]}}\n", encoding="utf-8")
    book = load_rules(load_production(tmp_path / "production.yaml"))
    assert book.scale.lookup("IATSE", "Grip", date(2015, 6, 1)).minimum == Decimal("31.00")
    assert load_rules(Production()).scale.lookup("IATSE", "Grip", date(2015, 6, 1)) is None
    assert not any(r.kind == "minimum" for r in book.replaced)


def test_an_added_rate_that_doubles_a_shipped_one_is_refused(tmp_path: Path) -> None:
    # A new id levying the CA fund on the same lines and dates as shipped sui-ca would charge CA SUI
    # twice: refused, naming the user's entry (line 15) and the id that would replace it.
    folder(tmp_path, SUI.replace("id: sui-ca,", "id: sui-ca-notice,").replace(
        "effective_from: 2015-01-01, effective_to: 2015-12-31,\n     states: [CA]", "effective_from: 2024-06-01,\n"
        "     states: [CA]"))
    with pytest.raises(RuleDataError) as err:
        load_rules(load_production(tmp_path / "production.yaml"))
    assert ", line 15, field 'sui-ca-notice.id'" in str(err.value)
    assert "to replace it, give this entry the id sui-ca" in str(err.value)


def test_the_documented_example_folder_loads(tmp_path: Path) -> None:
    # docs/examples/own_rules (the README's "Bring your own rate card"): sui-ca replaced, sui-wa and the
    # IATSE Dolly Grip minimum (53.00/hour) added.
    example = Path(__file__).resolve().parent.parent / "docs" / "examples" / "own_rules"
    prod = Production(title="T", rules=str(example))
    book = load_rules(prod)
    assert ("rate", "sui-ca") in {(r.kind, r.id) for r in book.replaced}
    assert {r.id for r in book.plans.plan("SUI").rates} >= {"sui-ca", "sui-wa"}
    assert book.scale.lookup("IATSE", "Dolly Grip", date(2026, 3, 7)).minimum == Decimal("53.00")


def test_a_run_prices_by_the_production_rule_book(tmp_path: Path) -> None:
    # A WA production assistant, 2026-03-07, 40 h x 25.00 = 1,000.00. Shipped SUI has no WA rate, so
    # without the production's rules the line would be NO_SCHEDULE_IN_FORCE; with the example folder's
    # sui-wa (1.25%) it posts, and its SUI WA fringe is 1,000.00 x 0.0125 = 12.50 in FRINGE_PAYABLE:SUI.
    import shutil

    from prodlib.ledger import Ledger
    from prodlib.pipeline import run

    shutil.copytree(Path(__file__).resolve().parent.parent / "docs" / "examples" / "own_rules", tmp_path / "rules")
    (tmp_path / "production.yaml").write_text(
        "production_id: OV-2\ntitle: Run (test)\nemployer_code: EMP\nwindow: {start: 2026-01-05, end: 2026-06-26}\n"
        "principal_photography: 2026-03-02\nbudget: {version: BV-1, locked_on: 2026-01-02, author: LP}\n"
        "states: [WA]\nrules: rules\n", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        "production: production.yaml\nsources:\n  - id: pay\n    kind: payroll\n    path: pay.csv\n"
        "    columns: {employee_id: Emp, union: Union, classification: Class, state: State, period_end: PE,\n"
        "              cost_code: Code, earning_type: ET, hours: Hours, rate: Rate, amount: Amount}\n",
        encoding="utf-8")
    (tmp_path / "pay.csv").write_text("Emp,Union,Class,State,PE,Code,ET,Hours,Rate,Amount\n"
                                      "P1,NON-UNION,Production Assistant,WA,2026-03-07,2000-04,REG,40,25.00,1000.00\n",
                                      encoding="utf-8")
    shipped_missing = load_rules(None).plans.entries_for("NON-UNION", "Production Assistant", "REG", "WA",
                                                         date(2026, 3, 2), date(2026, 3, 7))[1]
    assert "SUI" in shipped_missing
    url = f"sqlite:///{tmp_path / 'ov.db'}"
    result = run(tmp_path, url)
    pay = next(s for s in result.sources if s.source_id == "pay")
    assert (pay.accepted, pay.quarantined) == (1, 0), pay.reasons
    assert ("rate", "sui-ca") in {(r.kind, r.id) for r in result.rules_replaced}
    lines = Ledger.open(url).entries_frame()
    sui = lines[(lines["account"] == "FRINGE_PAYABLE:SUI")]
    assert [Decimal(str(a)) for a in sui["amount"]] == [Decimal("-12.50")]
