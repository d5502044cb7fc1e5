"""``--production`` on ``prodlib exceptions`` and ``prodlib override``: in a database of two productions
(tests/access/books.py: ALPHA quarantined 3 rows, so 3 open exceptions; BETA none), each command reads
the one named, and without a name (no $PRODLIB_PRODUCTION) exits 2 as every other command does."""

from __future__ import annotations

import pytest

from prodlib.cli import main
from tests.access.books import two_productions


@pytest.fixture
def two(url, monkeypatch):
    monkeypatch.delenv("PRODLIB_PRODUCTION", raising=False)
    two_productions(url)
    return url if "://" in url else f"sqlite:///{url}"


def test_the_exception_queue_of_the_production_named(two, capsys):
    assert main(["exceptions", "list", "--db", two, "--production", "ALPHA"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3 of 3 exceptions (waiting); at stake 0.00"
    assert main(["exceptions", "list", "--db", two, "--production", "BETA"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 of 0 exceptions (waiting); at stake 0.00"
    assert main(["exceptions", "conservation", "--db", two, "--production", "BETA"]) == 0
    # BETA read 2 rows and posted both
    assert capsys.readouterr().out.strip().startswith("rows read 2 = posted 2")
    assert main(["exceptions", "list", "--db", two]) == 2  # two productions, none named
    assert "production" in capsys.readouterr().err


def test_the_overrides_of_the_production_named(two, capsys):
    assert main(["override", "list", "--db", two, "--production", "BETA"]) == 0
    assert capsys.readouterr().out.strip() == "no overrides in production BETA"
    assert main(["override", "rows", "--db", two, "--production", "ALPHA"]) == 0
    rows = [line.split()[1:4] for line in capsys.readouterr().out.splitlines() if ".csv, line " in line]
    assert sorted(rows) == [["acme.csv,", "line", "7"], ["acme.csv,", "line", "8"], ["payroll.csv,", "line", "9"]]
    assert main(["override", "rows", "--db", two, "--production", "BETA"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["override", "list", "--db", two]) == 2
