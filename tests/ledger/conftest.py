"""Fixtures: every contract test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL tests read PRODLIB_TEST_PG_URL and skip only when it is unset. Each test gets a fresh
schema named after this session; all of them are dropped when the session ends.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from prodlib.ledger import Ledger

PG_URL = os.environ.get("PRODLIB_TEST_PG_URL")
SESSION = f"ledger_t_{uuid.uuid4().hex[:8]}"


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_admin():
    if not PG_URL:
        pytest.skip("PRODLIB_TEST_PG_URL is not set")
    engine = sa.create_engine(PG_URL)
    yield engine
    with engine.begin() as c:
        names = [r[0] for r in c.exec_driver_sql(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %(p)s", {"p": SESSION + "%"})]
    for n in names:  # one transaction each: a ledger's schema (policies, views) takes many locks to drop
        with engine.begin() as c:
            c.exec_driver_sql(f'DROP SCHEMA "{n}" CASCADE')
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin) -> str:
    schema = f"{SESSION}_{uuid.uuid4().hex[:8]}"
    with pg_admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    return _with_schema(PG_URL, schema)


@pytest.fixture(scope="module")
def pg_url_module(pg_admin) -> str:
    schema = f"{SESSION}_m{uuid.uuid4().hex[:8]}"
    with pg_admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    return _with_schema(PG_URL, schema)


@pytest.fixture(params=["sqlite", "pg"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def led(url):
    ledger = Ledger.open(url, production_id="TEST-001")
    yield ledger
    ledger.close()
