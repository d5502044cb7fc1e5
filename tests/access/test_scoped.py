"""The scoped session (library scoping, SQLite): every role x every kind of read on two productions.

Figures are ALPHA's and BETA's of tests/access/books.py, worked by hand there.
"""

from __future__ import annotations

import pytest

from prodlib.access.roles import load_roles
from prodlib.access.scoped import ScopedView
from prodlib.errors import ScopeError
from tests.access.books import ALPHA, ALPHA_BALANCES, BETA, ROLES_YAML, d, two_productions
from tests.ledger.helpers import as_dict


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("studio")
    (root / "roles.yaml").write_text(ROLES_YAML)
    return two_productions(str(root / "studio.db")), load_roles(root / "roles.yaml")


def open_as(books, person, role, production=None, **kw):
    url, book = books
    return ScopedView.open(url, person=person, role=role, roles=book, production=production, **kw)


#: The permission matrix, written out by hand: (person, role) -> the reads it may make on ALPHA.
#: Reads: balances (account balances, actuals, trial balance, period totals), entries, budget,
#: commitments (per cost code), purchase orders (per PO), efc, estimates (history), quarantine (rows),
#: counts (exception counts), batches.
EVERYTHING = {"balances", "entries", "budget", "commitments", "purchase_orders", "efc", "estimates", "quarantine",
              "counts", "batches"}
MATRIX = {
    ("P-PA", "production_accountant"): EVERYTHING,
    ("P-LP", "line_producer"): EVERYTHING,
    ("P-UPM", "upm"): EVERYTHING,
    ("P-EXEC", "studio_executive"): EVERYTHING,
    ("P-PAY", "payroll_processor"): {"balances", "entries", "quarantine", "counts", "batches"},
    ("P-CAM", "department_head"): {"balances", "entries", "budget", "commitments", "purchase_orders", "efc",
                                   "estimates"},
    ("P-BOND", "bond_rep"): {"balances", "budget", "commitments", "efc", "counts"},
}
READS = {
    "balances": [lambda v: v.account_balances(), lambda v: v.actuals(), lambda v: v.trial_balance(),
                 lambda v: v.period_totals()],
    "entries": [lambda v: v.entries_frame(), lambda v: v.fx_frame()],
    "budget": [lambda v: v.budget("BV-1"), lambda v: v.budget_versions_frame()],
    "commitments": [lambda v: v.commitments()],
    "purchase_orders": [lambda v: v.purchase_orders_frame(), lambda v: v.open_commitments()],
    "efc": [lambda v: v.efc(), lambda v: v.etc()],
    "estimates": [lambda v: v.estimates_frame()],
    "quarantine": [lambda v: v.quarantine_frame()],
    "counts": [lambda v: v.exception_counts()],
    "batches": [lambda v: v.batches_frame()],
}


@pytest.mark.parametrize("who", list(MATRIX), ids=[r for _, r in MATRIX])
@pytest.mark.parametrize("read", list(READS))
def test_every_role_makes_exactly_the_reads_its_scope_allows(books, who, read):
    with open_as(books, *who, production=ALPHA) as v:
        for call in READS[read]:
            if read in MATRIX[who]:
                call(v)
            else:
                with pytest.raises(ScopeError, match=f"{who[0]} as {who[1]} may not read"):
                    call(v)


def test_the_production_team_reads_the_whole_production(books):
    for person, role in [("P-PA", "production_accountant"), ("P-LP", "line_producer"), ("P-UPM", "upm"),
                         ("P-EXEC", "studio_executive")]:
        with open_as(books, person, role, ALPHA) as v:
            assert v.account_balances() == ALPHA_BALANCES
            assert len(v.quarantine_frame()) == 3


def test_a_payroll_processor_reads_payroll_and_nothing_else(books):
    with open_as(books, "P-PAY", "payroll_processor") as v:
        assert v.production_id == ALPHA  # the one production they hold the role on
        # the payroll batch only: 3300-01 2,500.00 + 2500-01 1,800.00, credited to PAYROLL_LIABILITY
        assert v.account_balances() == {"2500-01": 180000, "3300-01": 250000, "PAYROLL_LIABILITY": -430000}
        assert set(v.entries_frame()["party_id"]) == {"E-CAM1", "E-GRIP1"}
        assert list(v.quarantine_frame()["reason"]) == ["MISSING_EMPLOYEE"]
        assert list(v.batches_frame()["source_file"]) == ["payroll.csv"]


def test_a_camera_department_head_reads_camera_and_its_crew_only(books):
    with open_as(books, "P-CAM", "department_head") as v:
        # 3300-01 crew 2,500.00 + 3300-02 rental 1,000.00 + 3300-03 expendables 250.50 = 3,750.50
        assert v.account_balances() == {"3300-01": 250000, "3300-02": 100000, "3300-03": 25050}
        assert sum(as_dict(v.actuals(), "cost_code", "amount").values()) == d("3750.50")
        assert set(v.entries_frame()["party_id"]) == {"V-ACME", "E-CAM1"}  # no grip vendor line, no E-GRIP1
        assert set(v.entries_frame()["account"]) == {"3300-01", "3300-02", "3300-03"}
        # budget: 3300-01 5,000.00 + 3300-02 2,000.00 (2500-02's 1,000.00 is grip's)
        assert sum(as_dict(v.budget("BV-1"), "cost_code", "amount").values()) == d("7000.00")


def test_a_bond_representative_reads_totals_and_no_person(books):
    with open_as(books, "P-BOND", "bond_rep") as v:
        assert sum(as_dict(v.actuals(), "cost_code", "amount").values()) == d("5950.50")
        counts = dict(zip(v.exception_counts()["reason"], v.exception_counts()["exceptions"], strict=True))
        assert counts == {"MALFORMED_AMOUNT": 2, "MISSING_EMPLOYEE": 1}
        shown = [v.actuals(), v.trial_balance(), v.period_totals(), v.budget("BV-1"), v.commitments(), v.efc(),
                 v.exception_counts()]
        text = " ".join(f.to_csv() for f in shown)
        assert "E-CAM1" not in text and "E-GRIP1" not in text and "party" not in text


def test_a_production_outside_the_scope_is_refused(books):
    with pytest.raises(ScopeError, match="P-CAM does not hold department_head on production 'BETA' "
                                         "\\(holds it on ALPHA\\)"):
        open_as(books, "P-CAM", "department_head", BETA)
    with pytest.raises(ScopeError, match="P-AUD does not hold auditor on production 'ALPHA'"):
        open_as(books, "P-AUD", "auditor", ALPHA)
    with pytest.raises(ScopeError, match="P-CAM holds no bond_rep role"):
        open_as(books, "P-CAM", "bond_rep")
    with pytest.raises(ScopeError, match="'accountant' is not a role"):
        open_as(books, "P-PA", "accountant")


def test_a_studio_executive_reads_each_of_their_productions(books):
    with open_as(books, "P-EXEC", "studio_executive", ALPHA) as a:
        assert a.productions == (ALPHA, BETA)
        b = a.for_production(BETA)
        assert sum(as_dict(b.actuals(), "cost_code", "amount").values()) == d("17777.76")
        assert sum(as_dict(a.actuals(), "cost_code", "amount").values()) == d("5950.50")
    with open_as(books, "P-AUD", "auditor") as aud:
        assert aud.production_id == BETA and aud.productions == (BETA,)
        with pytest.raises(ScopeError):
            aud.for_production(ALPHA)


def test_only_the_production_accountant_writes(books):
    url, _ = books
    with open_as(books, "P-LP", "line_producer") as v, pytest.raises(ScopeError, match="may not write"):
        v.ledger(url)
    with open_as(books, "P-PA", "production_accountant") as v, v.ledger(url) as led:
        assert led.production_id == ALPHA and not led.readonly


def test_every_read_is_reported_to_the_hook(books):
    seen = []
    with open_as(books, "P-BOND", "bond_rep", on_read=seen.append) as v:
        v.actuals()
        v.exception_counts()
        with pytest.raises(ScopeError):
            v.entries_frame()
    # actuals: 5 cost codes (2500-01, 2500-02, 3300-01/02/03); counts: 2 reasons; the refusal read nothing
    assert [(r.read, r.kind, r.rows, r.person, r.production_id) for r in seen] == [
        ("actuals", "totals", 5, "P-BOND", ALPHA), ("exception_counts", "exception_counts", 2, "P-BOND", ALPHA)]
