"""Productions as tenants: two productions in one database (SQLite and PostgreSQL) each see only
their own figures (worked by hand in tests/access/books.py), and the chain still verifies."""

from __future__ import annotations

import pytest

from prodlib.errors import InputError
from prodlib.ledger import Ledger, LedgerView, verify_chain
from prodlib.ledger.tenants import PRODUCTION_ENV
from tests.access.books import ALPHA, BETA, d, two_productions
from tests.ledger.helpers import as_dict


def test_each_production_sees_only_its_own_books(url):
    two_productions(url)
    with LedgerView.open(url, production_id=ALPHA) as a, LedgerView.open(url, production_id=BETA) as b:
        assert a.account_balances() == {"2500-01": 180000, "2500-02": 40000, "3300-01": 250000, "3300-02": 100000,
                                        "3300-03": 25050, "AP": -165050, "PAYROLL_LIABILITY": -430000}
        assert b.account_balances() == {"3300-01": 999999, "3300-02": 777777, "AP": -777777,
                                        "PAYROLL_LIABILITY": -999999}
        assert sum(as_dict(a.actuals(), "cost_code", "amount").values()) == d("5950.50")
        assert sum(as_dict(b.actuals(), "cost_code", "amount").values()) == d("17777.76")
        # the same budget version id in both, each its own lines
        assert sum(as_dict(a.budget("BV-1"), "cost_code", "amount").values()) == d("8000.00")
        assert sum(as_dict(b.budget("BV-1"), "cost_code", "amount").values()) == d("50000.00")
        assert a.closed_periods() == b.closed_periods() == ["2026-02"]
        assert len(a.quarantine_frame()) == 3 and len(b.quarantine_frame()) == 0
        assert list(a.batches_frame()["source_file"]) == ["acme.csv", "payroll.csv"]
        assert list(b.batches_frame()["rows_posted"]) == [1, 1]  # BETA's acme.csv was not "already posted"
        assert set(a.entries_frame()["party_id"]) == {"V-ACME", "E-CAM1", "E-GRIP1"}
        assert set(b.entries_frame()["party_id"]) == {"V-ACME", "E-BETA1"}
    result = verify_chain(url)  # one chain per database: every production's entries and events verify
    assert result.ok, result.message
    assert result.entries_checked == 7  # ALPHA 5 + BETA 2


def test_a_database_of_several_productions_is_never_read_unnamed(url, monkeypatch):
    two_productions(url)
    monkeypatch.delenv(PRODUCTION_ENV, raising=False)
    with pytest.raises(InputError, match="holds 2 productions \\(ALPHA, BETA\\)"):
        LedgerView.open(url)
    with pytest.raises(InputError, match="'GAMMA' has nothing in this database; it holds ALPHA, BETA"):
        LedgerView.open(url, production_id="GAMMA")
    monkeypatch.setenv(PRODUCTION_ENV, BETA)
    with LedgerView.open(url) as b:
        assert b.production_id == BETA
    with Ledger.open(url, production_id="GAMMA") as g:  # a new production may be written
        assert g.account_balances() == {}


def test_an_empty_database_and_a_one_production_database_need_no_name(tmp_path, monkeypatch):
    monkeypatch.delenv(PRODUCTION_ENV, raising=False)
    url = str(tmp_path / "one.db")
    with Ledger.open(url) as led:
        assert led.production_id == "default"
    from tests.access.books import post_alpha

    post_alpha(url)
    with LedgerView.open(url) as a:
        assert a.production_id == ALPHA


def _input(root, production_id: str):
    from tests.faults.production_set import FILES, PRODUCTION, write_production

    write_production(root, {"grip.csv": FILES["grip.csv"]})
    (root / "production.yaml").write_text(PRODUCTION.replace("FAULT-1", production_id))
    return root


def test_prodlib_run_posts_each_input_as_its_production_yaml_id(tmp_path, capsys, monkeypatch):
    from prodlib.cli import main

    monkeypatch.delenv(PRODUCTION_ENV, raising=False)
    db = f"sqlite:///{tmp_path / 'studio.db'}"
    alpha, beta = _input(tmp_path / "alpha", ALPHA), _input(tmp_path / "beta", BETA)
    assert main(["run", "--input", str(beta), "--db", db, "--production", ALPHA, "--quiet",
                 "--remittance-out", ""]) == 2
    assert "'ALPHA' is not this input's production: production.yaml says 'BETA'" in capsys.readouterr().err
    for root in (alpha, beta):  # the same export, byte for byte, in two productions
        assert main(["run", "--input", str(root), "--db", db, "--quiet", "--remittance-out", ""]) == 0
    # grip.csv: G-1..G-24 at 10*i + 0.25 = 10 * 300 + 24 * 0.25 = 3,006.00 posted to 2500-02; G-99 (an
    # unknown cost code) quarantined, in each production
    for pid in (ALPHA, BETA):
        with LedgerView.open(db, production_id=pid) as v:
            assert v.account_balances() == {"2500-02": 300600, "AP": -300600}
            assert list(v.quarantine_frame()["reason"]) == ["UNKNOWN_COST_CODE"]
    out = tmp_path / "alpha.beancount"
    assert main(["export", "beancount", "--db", db, "--out", str(out)]) == 2  # which production?
    assert "holds 2 productions" in capsys.readouterr().err
    assert main(["export", "beancount", "--db", db, "--production", BETA, "--out", str(out)]) == 0
    assert "3006.00 USD" in out.read_text() and "BETA" in out.read_text()
