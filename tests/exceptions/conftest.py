"""Fixtures: the small production of ``files.py`` run into a fresh ledger (SQLite, and PostgreSQL
where a test asks for ``any_url``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodlib.pipeline import run

from ..ledger import conftest as ledger_fixtures
from .files import write_inputs

# SQLite and PostgreSQL, as the ledger's own tests get them
pg_admin, pg_url, pg_url_module, url = (ledger_fixtures.pg_admin, ledger_fixtures.pg_url,
                                        ledger_fixtures.pg_url_module, ledger_fixtures.url)


def sqlalchemy_url(where: str) -> str:
    return where if "://" in where else f"sqlite:///{where}"


@pytest.fixture
def books(tmp_path: Path) -> tuple[Path, str]:
    """(input folder, ledger URL) after one run on SQLite: exceptions 1 (INV-2, MALFORMED_AMOUNT) and
    2 (INV-3, UNKNOWN_COST_CODE, 300.00) open."""
    root = write_inputs(tmp_path / "in")
    db = f"sqlite:///{tmp_path / 'books.db'}"
    result = run(root, db)
    assert not result.errors
    return root, db


@pytest.fixture
def any_books(tmp_path: Path, url: str) -> tuple[Path, str]:
    """The same, on SQLite and on PostgreSQL (``url`` from tests/ledger/conftest.py's fixtures)."""
    root = write_inputs(tmp_path / "in")
    db = sqlalchemy_url(url)
    assert not run(root, db).errors
    return root, db
