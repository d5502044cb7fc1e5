"""Paths resolve where the user wrote them, and a sources.yaml path never leaves its input folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from prodlib.errors import ConfigError
from prodlib.sources import load_input_set
from prodlib.taxonomy import get_chart
from tests.config.files import CHART, PRODUCTION, SOURCES, edited, input_folder


def test_relative_chart_resolves_against_production_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = input_folder(tmp_path / "books", production=PRODUCTION + "chart: charts/mini.yaml\n")
    (root / "charts").mkdir()
    (root / "charts" / "mini.yaml").write_text(CHART)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the working directory holds no charts/ folder
    production = load_input_set(root).production
    assert production.chart == str((root / "charts" / "mini.yaml").resolve())
    assert get_chart(production.chart).name == "mini"  # every caller gets the same chart, wherever it runs


def test_a_missing_relative_chart_names_production_yaml_and_the_key(tmp_path: Path) -> None:
    # PRODUCTION has 6 lines: chart: is line 7.
    root = input_folder(tmp_path, production=PRODUCTION + "chart: nope.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_input_set(root)
    assert (err.value.file, err.value.line, err.value.field) == (str(root / "production.yaml"), 7, "chart")
    assert "'nope.yaml' not found" in err.value.message


def test_a_broken_chart_is_a_config_error_naming_the_chart_file(tmp_path: Path) -> None:
    root = input_folder(tmp_path, production=PRODUCTION + "chart: broken.yaml\n")
    (root / "broken.yaml").write_text(edited(CHART, 'range: [2000, 4999]', 'range: [2000]'))
    with pytest.raises(ConfigError) as err:
        load_input_set(root)
    assert err.value.file == str((root / "broken.yaml").resolve())
    assert err.value.line == 7 and err.value.field == "sections[BTL].range"  # CHART line 7 is the BTL section
    assert err.value.message == "has too few items"


def test_prodlib_chart_still_applies_when_production_yaml_names_none(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.yaml").write_text(CHART)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRODLIB_CHART", "mine.yaml")  # relative to the working directory, as ever
    root = input_folder(tmp_path / "books")
    assert load_input_set(root).production.chart == str((tmp_path / "mine.yaml").resolve())
    monkeypatch.delenv("PRODLIB_CHART")
    assert load_input_set(root).production.chart == "feature_us_sample"


def test_dot_dot_may_not_leave_the_input_folder(tmp_path: Path) -> None:
    root = input_folder(tmp_path / "books", sources=edited(SOURCES, "path: inv/acme.csv", "path: ../acme.csv"))
    (tmp_path / "acme.csv").write_text("x\n")
    with pytest.raises(ConfigError) as err:
        load_input_set(root)
    assert (err.value.line, err.value.field) == (5, "acme_grip.path")  # SOURCES line 5
    assert "leads outside the input folder" in err.value.message


def test_a_symlink_may_not_leave_the_input_folder(tmp_path: Path) -> None:
    root = input_folder(tmp_path / "books", sources=edited(SOURCES, "path: inv/acme.csv", "path: inv/link.csv"))
    (tmp_path / "secret.csv").write_text("salary\n")
    os.symlink(tmp_path / "secret.csv", root / "inv" / "link.csv")
    with pytest.raises(ConfigError, match=r"field 'acme_grip.path': path 'inv/link.csv' leads outside"):
        load_input_set(root)


def test_a_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    root = input_folder(tmp_path / "books", sources=edited(SOURCES, "path: inv/acme.csv", "path: inv/link.csv"))
    os.symlink(root / "inv" / "acme.csv", root / "inv" / "link.csv")
    (spec,) = load_input_set(root).sources
    assert spec.path == (root / "inv" / "acme.csv").resolve() and spec.display_path == "inv/link.csv"


def test_an_absolute_path_outside_is_refused(tmp_path: Path) -> None:
    root = input_folder(tmp_path / "books", sources=edited(SOURCES, "path: inv/acme.csv", "path: /etc/passwd"))
    with pytest.raises(ConfigError, match="leads outside the input folder"):
        load_input_set(root)


def test_messages_never_show_the_file_beyond_the_offending_value(tmp_path: Path) -> None:
    # A YAML syntax error on line 3 with a secret on line 2: the message has the line, not the content.
    (tmp_path / "sources.yaml").write_text("production: production.yaml\n# TOPSECRET 123-45-6789\nsources: [\n")
    with pytest.raises(ConfigError) as err:
        load_input_set(tmp_path)
    assert "TOPSECRET" not in str(err.value) and "6789" not in str(err.value)
    assert "not valid YAML" in str(err.value)
    # A long bad value is cut to a few dozen characters.
    input_folder(tmp_path, sources=edited(SOURCES, "kind: invoice", "kind: " + "x" * 500))
    with pytest.raises(ConfigError) as err:
        load_input_set(tmp_path)
    assert "x" * 60 not in str(err.value) and len(str(err.value)) < len(str(tmp_path)) + 200
