"""The commands as the scheduler and the auditor run them: exit codes and messages, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def prodlib(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "prodlib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    assert prodlib("sample", "--out", "sample", "--seed", "5", cwd=root).returncode == 0
    run = prodlib("run", "--input", "sample", "--db", "sqlite:///books.db", "--remittance-out", "rem", cwd=root)
    assert run.returncode == 0, run.stderr
    assert "(read = accepted + quarantined: True)" in run.stdout
    assert any((root / "rem").glob("SAG_AFTRA__*.csv"))
    return root


def test_audit_verify_passes_then_names_the_tampered_entry(books: Path) -> None:
    ok = prodlib("audit", "verify", "--db", "sqlite:///books.db", cwd=books)
    assert ok.returncode == 0 and ok.stdout.startswith("ok:")
    # An insider with file access drops the append-only trigger and edits an amount of entry 5.
    con = sqlite3.connect(books / "books.db")
    con.execute("DROP TRIGGER trg_journal_lines_no_update")
    con.execute("UPDATE journal_lines SET amount_cents = amount_cents + 100 WHERE entry_id = 5 AND amount_cents > 0")
    con.commit()
    con.close()
    broken = prodlib("audit", "verify", "--db", "sqlite:///books.db", cwd=books)
    assert broken.returncode == 1
    assert "journal entry 5" in broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr


def test_rerunning_the_same_files_posts_nothing_twice(books: Path) -> None:
    again = prodlib("run", "--input", "sample", "--db", "sqlite:///books2.db", "--remittance-out", "", cwd=books)
    twice = prodlib("run", "--input", "sample", "--db", "sqlite:///books2.db", "--remittance-out", "", cwd=books)
    assert again.returncode == twice.returncode == 0
    assert "already posted" not in again.stdout
    lines = [x for x in twice.stdout.splitlines() if x.startswith(("invoices/", "payroll/"))]
    assert lines and all("already posted: skipped" in x for x in lines)


def test_a_broken_mapping_is_one_clear_error_naming_file_line_and_column(books: Path) -> None:
    sources = (books / "sample" / "sources.yaml").read_text()
    (books / "sample" / "sources.yaml").write_text(sources.replace("invoice_date: Inv Date", "invoice_date: Date Inv"))
    try:
        run = prodlib("run", "--input", "sample", "--db", "sqlite:///books3.db", "--quiet", cwd=books)
    finally:
        (books / "sample" / "sources.yaml").write_text(sources)
    assert run.returncode == 2
    assert "error: invoices/acme_grip/acme_grip_2026-02.csv, line 1: header lacks mapped columns" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_input_folder_is_an_input_error(books: Path) -> None:
    run = prodlib("run", "--input", "nowhere", "--db", "sqlite:///books4.db", cwd=books)
    assert run.returncode == 2
    assert run.stderr.strip() == "error: nowhere: file not found"
    assert "Traceback" not in run.stderr
