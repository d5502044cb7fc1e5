"""A misspelled key in any configuration or rule file is an error naming file, line, entry and key,
with the closest valid key suggested (it used to be ignored silently, falling back to a default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodlib.errors import ConfigError, RuleDataError
from prodlib.production import load_production
from prodlib.rules import load_plans, load_scale, load_work_rules
from prodlib.sources import load_input_set
from prodlib.taxonomy import load_chart
from tests.config.files import CHART, PRODUCTION, SOURCES, edited, input_folder, line_of, plans_copy, rule_copy


def test_production_yaml(tmp_path: Path) -> None:
    # "principal_photography" is line 5 of PRODUCTION.
    text = edited(PRODUCTION, "principal_photography:", "principal_photografy:")
    (tmp_path / "production.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_production(tmp_path / "production.yaml")
    assert str(err.value) == (f"{tmp_path / 'production.yaml'}, line 5, field 'principal_photografy': "
                              "unknown key; did you mean 'principal_photography'?")


def test_production_yaml_nested_key(tmp_path: Path) -> None:
    # budget: {..., athor: ...} on line 6: the key is named with its mapping.
    (tmp_path / "production.yaml").write_text(edited(PRODUCTION, "author:", "athor:"))
    with pytest.raises(ConfigError, match=r"line 6, field 'budget.athor': unknown key; did you mean 'author'\?"):
        load_production(tmp_path / "production.yaml")


def test_sources_yaml_entry(tmp_path: Path) -> None:
    # SOURCES line 7 is acme_grip's delimiter: the entry is named by its id, as the brief's example.
    input_folder(tmp_path, sources=edited(SOURCES, "delimiter:", "delimter:"))
    with pytest.raises(ConfigError) as err:
        load_input_set(tmp_path)
    assert str(err.value).endswith("sources.yaml, line 7, field 'acme_grip.delimter': unknown key; "
                                   "did you mean 'delimiter'?")
    assert err.value.line == 7 and err.value.field == "acme_grip.delimter"


def test_sources_yaml_entry_without_id_is_named_by_position(tmp_path: Path) -> None:
    # No id: the entry is sources[0]; the missing id itself is "is required".
    input_folder(tmp_path, sources=edited(SOURCES, "- id: acme_grip\n    kind", "- kind"))
    with pytest.raises(ConfigError, match=r"line 3, field 'sources\[0\]\.id': is required"):
        load_input_set(tmp_path)


def test_chart_file(tmp_path: Path) -> None:
    text = CHART.replace('{code: "2500", name: Grip,', '{code: "2500", nam: Grip,')
    (tmp_path / "mini.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_chart(tmp_path / "mini.yaml")
    line = line_of(text, '"2500"')  # the 2500 account's line (10)
    assert line == 10
    assert str(err.value) == (f"{tmp_path / 'mini.yaml'}, line 10, field 'accounts[2500].nam': "
                              "unknown key; did you mean 'name'?")


def test_plan_file(tmp_path: Path) -> None:
    folder, text = plans_copy(tmp_path, "wga.yaml", "verified: false}", "verifed: false}")
    with pytest.raises(RuleDataError) as err:
        load_plans(folder)
    line = line_of(text, "id: wga-2019-pension")
    assert str(err.value) == (f"{folder / 'wga.yaml'}, line {line}, field 'wga-2019-pension.verifed': "
                              "unknown key; did you mean 'verified'?")


def test_plan_file_top_level(tmp_path: Path) -> None:
    # wga.yaml: 1 comment, 2 plan, 3 name, 4 agreement_subtype, 5 covers, 6 date_basis.
    folder, _ = plans_copy(tmp_path, "wga.yaml", "date_basis:", "date_bassis:")
    with pytest.raises(RuleDataError, match=r"wga\.yaml, line 6, field 'date_bassis': unknown key; "
                                            r"did you mean 'date_basis'\?"):
        load_plans(folder)


def test_scale_file(tmp_path: Path) -> None:
    path, text = rule_copy(tmp_path, "scale", 'unit: day, minimum: "1246.00"', 'unit: day, minimun: "1246.00"')
    with pytest.raises(RuleDataError) as err:
        load_scale(str(path))
    line = line_of(text, "minimun")
    assert str(err.value) == (f"{path}, line {line}, field 'classifications[Principal Performer].minimun': "
                              "unknown key; did you mean 'minimum'?")


def test_work_rules_file(tmp_path: Path) -> None:
    path, text = rule_copy(tmp_path, "work", "penalty_each_further:", "penalty_each_furthr:")
    with pytest.raises(RuleDataError) as err:
        load_work_rules(str(path))
    line = line_of(text, "penalty_each_furthr")
    assert str(err.value) == (f"{path}, line {line}, field 'schedules[sample-2024].hourly.meals.penalty_each_furthr'"
                              ": unknown key; did you mean 'penalty_each_further'?")


def test_a_key_nothing_resembles_lists_the_valid_keys(tmp_path: Path) -> None:
    input_folder(tmp_path, sources=edited(SOURCES, "delimiter:", "zzz:"))
    with pytest.raises(ConfigError, match=r"field 'acme_grip.zzz': unknown key \(valid keys: id, kind, path, "):
        load_input_set(tmp_path)
