"""Night Shift's books after one run (see scenario.py): 1 row posted, 3 quarantined."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from prodlib.access.roles import RoleBook, load_roles
from prodlib.ledger import Ledger
from prodlib.overrides import store
from prodlib.overrides.execute import execute
from prodlib.pipeline import run
from prodlib.production import OverridePolicy

# PostgreSQL: the ledger tests' fixtures (a fresh schema per test, named after the session with a
# random suffix, all dropped when the session ends; skipped without PRODLIB_TEST_PG_URL).
from tests.ledger.conftest import pg_admin, pg_url  # noqa: F401

from .scenario import JUSTIFICATION, ROWS, T0, hours, write_input


@dataclass
class Night:
    """The input folder, the ledger and the role book of one test."""

    root: Path
    db: str
    led: Ledger
    book: RoleBook

    def request(self, q_ids, amount: str, *, by: str = "kim", code: str = "DATE_CORRECT_AS_BILLED",
                text: str = JUSTIFICATION, at=T0, **kw) -> store.Override:
        with self.led.transaction() as c:
            return store.request(c, self.led.scope, q_ids=list(q_ids), amount=Decimal(amount), justification_code=code,
                                 justification_text=text, requester=kw.pop("requester", by), operator=by,
                                 policy_now=kw.pop("policy", OverridePolicy()), now=at, roles=self.book,
                                 role_production="NIGHT-1", **kw)

    def approve(self, oid: int, person: str, at=None) -> store.Override:
        with self.led.transaction() as c:
            return store.approve(c, self.led.scope, oid, person, self.book, "NIGHT-1", at or hours(1))

    def reject(self, oid: int, person: str = "lee", at=None) -> store.Override:
        with self.led.transaction() as c:
            return store.reject(c, self.led.scope, oid, person, self.book, "NIGHT-1", at or hours(1), "not payable")

    def withdraw(self, oid: int, person: str = "kim", at=None) -> store.Override:
        with self.led.transaction() as c:
            return store.withdraw(c, self.led.scope, oid, person, at or hours(1))

    def expire(self, oid: int, at, person: str = "pat") -> store.Override:
        with self.led.transaction() as c:
            return store.expire(c, self.led.scope, oid, person, at)

    def execute(self, oid: int, person: str = "pat", at=None) -> store.Override:
        return execute(self.led, oid, person, self.book, "NIGHT-1", self.root, at or hours(3))

    def audit(self, oid: int, person: str = "ada", at=None) -> store.Override:
        with self.led.transaction() as c:
            return store.audit(c, self.led.scope, oid, person, self.book, "NIGHT-1", at or hours(5), "reviewed")

    def load(self, oid: int) -> store.Override:
        with self.led.engine.connect() as c:
            return store.load(c, self.led.production_id, oid)

    def scalar(self, sql: str):
        with self.led.engine.connect() as c:
            return c.exec_driver_sql(sql).scalar()


def make_night(tmp_path: Path, rows: list[str] = ROWS, db: str | None = None, root: Path | None = None) -> Night:
    """Run the input folder (the scenario's, with ``rows``; or ``root`` as the test wrote it)."""
    root = root or write_input(tmp_path / "in", rows)
    db = db or f"sqlite:///{tmp_path / 'night.db'}"
    result = run(root, db)
    assert not result.errors
    return Night(root, db, Ledger.open(db), load_roles(root))


@pytest.fixture
def night(tmp_path: Path):
    n = make_night(tmp_path)
    yield n
    n.led.close()
