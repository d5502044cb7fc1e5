"""The crane's override on PostgreSQL: the same transitions, posting and seals as on SQLite."""

from __future__ import annotations

from prodlib.ledger import verify_chain

from .conftest import make_night
from .scenario import CRANE


def test_the_crane_on_postgresql_posts_once_and_verifies(tmp_path, pg_url) -> None:
    n = make_night(tmp_path, db=pg_url)
    try:
        oid = n.request([CRANE], "1250.00").override_id
        n.approve(oid, "pat")
        n.approve(oid, "lee")
        assert n.execute(oid).state == "executed"
        assert n.led.account_balances() == {"2500-02": 135000, "AP": -135000}  # 100.00 + 1,250.00
        assert verify_chain(n.led).ok
        with n.led.engine.begin() as c:  # an attacker with the database's owner rights, triggers off
            c.exec_driver_sql("SET LOCAL session_replication_role = replica")
            c.exec_driver_sql("UPDATE override_transitions SET actor = 'kim' WHERE transition_id = 2")
        assert "override 1 transition 2 (approve): content does not match its hash" in verify_chain(n.led).message
    finally:
        n.led.close()
