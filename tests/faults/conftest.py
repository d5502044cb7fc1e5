"""The ledger tests' PostgreSQL fixtures (a fresh schema per test; skipped when PRODLIB_TEST_PG_URL is unset)."""

from tests.ledger.conftest import pg_admin, pg_url  # noqa: F401 - fixtures, found by pytest by name
