"""The project's promises about itself: two commands, conda mirror, no float near money."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert [p for p in pip_section if p != "-e ."] == wanted
    assert "python=3.11" in env["dependencies"]


def test_readme_and_ci_use_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make reports" in readme and "make test" in readme
    assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(), re.M)


def test_no_float_conversion_in_the_library() -> None:
    pattern = re.compile(r"\bfloat\(|astype\((float|\"float|'float)|dtype=float")
    offenders = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in (ROOT / "src/prodlib").rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line) and "# float-ok" not in line
    ]
    assert offenders == []


def test_cli_answers_help_without_heavy_imports() -> None:
    code = (
        "import sys; from prodlib.cli import build_parser; build_parser();"
        "print(','.join(m for m in ('pandas', 'great_expectations', 'papermill') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_relative_sqlite_urls_become_absolute(tmp_path, monkeypatch) -> None:
    """Notebooks run in notebooks/: a relative database path must not change meaning there."""
    from prodlib.cli import database_url

    monkeypatch.chdir(tmp_path)
    assert database_url("sqlite:///var/x.db") == f"sqlite:///{tmp_path.resolve()}/var/x.db"
    assert (tmp_path / "var").is_dir()
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
