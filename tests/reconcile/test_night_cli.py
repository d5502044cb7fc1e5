"""``prodlib run`` reconciles after posting (unless --no-reconcile); the progress bar shows on a
terminal only; a second run of the same night reports the same night."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from prodlib.cli import main
from prodlib.progress import bar_enabled, progress_bar
from prodlib.sample import generate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal_and_nowhere_else(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PRODLIB_NO_PROGRESS", raising=False)
    tty, log = Terminal(), io.StringIO()
    assert bar_enabled(tty) and not bar_enabled(log)
    for stream in (tty, log):
        with progress_bar(3, "night", stream=stream) as bar:
            for _ in range(3):
                bar.update(1)
    assert "night:" in tty.getvalue() and "/3 [" in tty.getvalue()  # the bar, cleared when done
    assert log.getvalue() == ""  # a log or a pipe gets nothing
    monkeypatch.setenv("CI", "true")
    assert not bar_enabled(tty)  # CI is quiet even on a terminal


@pytest.mark.slow
def test_run_reconciles_after_posting_unless_told_not_to(tmp_path: Path, capsys) -> None:
    sample = tmp_path / "sample"
    manifest = generate(sample, scale="indie", seed=7)
    url = f"sqlite:///{tmp_path / 'books.db'}"
    # Findings do not change run's exit code (0: every file was read).
    assert main(["run", "--input", str(sample), "--db", url, "--quiet", "--remittance-out", ""]) == 0
    first = capsys.readouterr().out
    n = len(manifest.findings)
    assert f": {n} findings\n" in first and "(ties out)" in first
    # The night's findings went into the exception queue: one opened per finding of the manifest.
    assert f"exceptions  opened {n} " in first
    # The same night again: every file is skipped, nothing new is posted, so the reconciliation over
    # the whole ledger is skipped and says so (it would find what the first found: `prodlib reconcile`
    # runs it on demand and its second night is 'no change', test_sample_night).
    assert main(["run", "--input", str(sample), "--db", url, "--quiet", "--remittance-out", ""]) == 0
    second = capsys.readouterr().out
    assert "reconcile skipped: nothing new posted" in second
    assert "reconcile as of" not in second and "exceptions  " not in second
    assert main(["reconcile", "--input", str(sample), "--db", url, "--out", str(tmp_path / "night")]) == 0
    again = capsys.readouterr().out
    assert f"findings    {n}\n" in again
    assert "exceptions  no change" in again
    assert main(["run", "--input", str(sample), "--db", url, "--quiet", "--no-reconcile",
                 "--remittance-out", ""]) == 0
    assert "reconcile as of" not in capsys.readouterr().out
