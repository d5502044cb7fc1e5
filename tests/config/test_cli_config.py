"""`prodlib run` on a misspelled key exits 2 with one line naming file, line, entry and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodlib.cli import main
from tests.config.files import PRODUCTION, SOURCES, edited, input_folder


def test_run_with_a_misspelled_key_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = input_folder(tmp_path / "books", sources=edited(SOURCES, "delimiter:", "delimter:"))
    code = main(["run", "--input", str(root), "--db", f"sqlite:///{tmp_path / 'books.db'}", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"error: {root / 'sources.yaml'}, line 7, field 'acme_grip.delimter': unknown key; "
                   "did you mean 'delimiter'?\n")
    assert not (tmp_path / "books.db").exists()  # refused before anything was opened


def test_run_with_a_broken_chart_exits_2_naming_the_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = input_folder(tmp_path / "books", production=PRODUCTION + "chart: my_chart.yaml\n")
    (root / "my_chart.yaml").write_text("chart: mine\nversion: '1'\n")  # no sections, no accounts...
    code = main(["run", "--input", str(root), "--db", f"sqlite:///{tmp_path / 'books.db'}", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {(root / 'my_chart.yaml').resolve()}, line 1, field 'effective_from': is required\n"
    assert "internal error" not in err
