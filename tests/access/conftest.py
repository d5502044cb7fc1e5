"""Fixtures: the ledger tests' SQLite/PostgreSQL ``url`` (one fresh schema per test on PostgreSQL)."""

from tests.ledger.conftest import pg_admin, pg_url, url  # noqa: F401 - fixtures, used by name
