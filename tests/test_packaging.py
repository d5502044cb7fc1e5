"""The project's promises about itself: two commands, conda mirror, no float near money."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
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


def test_makefile_builds_the_cli_default_database() -> None:
    """`make reports` builds the database every command uses by default, so `prodlib report` alone finds it."""
    from prodlib.cli import DEFAULT_DB

    env = {k: v for k, v in os.environ.items() if k not in ("DB", "MAKEFLAGS", "MFLAGS")}
    out = subprocess.run(["make", "-s", "--no-print-directory", "-f", str(ROOT / "Makefile"),
                          "--eval", "print-db: ; @echo $(DB)", "print-db"],
                         capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert out.stdout.strip() == DEFAULT_DB == "sqlite:///var/sample.db"


@pytest.mark.slow
def test_a_non_editable_install_runs_sample_run_and_report(tmp_path: Path) -> None:
    """`pip install .` (not editable) into a fresh venv, then the three commands from a folder that is
    not the repository: nothing may be read from the checkout (notebooks, expectation suites).

    The venv sees the current environment's packages (--system-site-packages, plus a .pth naming this
    interpreter's site-packages, which is what makes it work from inside a venv), so nothing is fetched;
    JUPYTER_PATH points at this environment's data files (nbconvert's templates), which a real
    `pip install .` of the dependencies would have put under the new venv.
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "prodlib-test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # A copy of what a source distribution holds, so that building leaves the checkout untouched.
    src = tmp_path / "prodlib-src"
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", str(src)], check=True, capture_output=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PRODLIB_EXPECTATIONS", "PRODLIB_NOTEBOOKS", "PRODLIB_DATABASE_URL", "PYTHONPATH")}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = subprocess.run([py, "-c", "import prodlib; print(prodlib.__file__)"], capture_output=True, text=True,
                           check=True, cwd=work, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(ROOT)

    def prodlib(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([venv / "bin" / "prodlib", *args], cwd=work, env=env, capture_output=True, text=True,
                              timeout=300)

    for args in (("sample", "--out", "books"),
                 ("run", "--input", "books", "--db", "sqlite:///books.db", "--remittance-out", "out/remittance",
                  "--quiet"),
                 ("report", "--db", "sqlite:///books.db", "--input", "books", "--out", "out")):
        done = prodlib(*args)
        assert done.returncode == 0, (args, done.stderr[-2000:])
    assert "database: sqlite:///books.db" in done.stderr
    for stem in ("cost_report", "exceptions", "pnh_remittance", "contingency", "index"):
        page = work / "out" / f"{stem}.html"
        assert page.stat().st_size > 1000, page
    # the stamps identify the books by their chain heads, never by where the database lives
    db_path = str((work / "books.db").resolve())
    for f in (work / "out").iterdir():
        if f.suffix in (".html", ".json", ".csv"):
            assert db_path not in f.read_text(encoding="utf-8"), f
