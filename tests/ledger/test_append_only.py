"""Append-only, enforced by the database: UPDATE and DELETE refused on every ledger and audit table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from prodlib.ledger.schema import APPEND_ONLY

from .helpers import count, full_ledger, guarded_exec


@pytest.fixture
def full(led):
    full_ledger(led)
    return led


def test_update_and_delete_are_refused(full):
    for table in [*APPEND_ONLY, "schema_version"]:
        n = count(full, table)
        assert n > 0, f"{table} should hold rows for this test to mean anything"
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            guarded_exec(full, f"UPDATE {table} SET production_id = production_id" if table != "schema_version"
                         else "UPDATE schema_version SET description = 'x'")
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            guarded_exec(full, f"DELETE FROM {table}")
        if full.dialect == "postgresql":
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                guarded_exec(full, f"TRUNCATE {table} CASCADE")
        assert count(full, table) == n, table


def test_chain_head_only_moves_forward(full):
    with pytest.raises(sa.exc.DBAPIError, match="forward"):
        guarded_exec(full, "UPDATE chain_heads SET seq = 0 WHERE chain = 'journal'")
    with pytest.raises(sa.exc.DBAPIError):
        guarded_exec(full, "DELETE FROM chain_heads")


def test_api_has_no_update_or_delete(full):
    verbs = ("update", "delete", "remove", "edit", "drop", "truncate", "set_")
    assert not [m for m in dir(full) if m.startswith(verbs)]
