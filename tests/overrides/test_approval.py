"""Who may approve, and when (issue 11): two distinct approvers, the production accountant and the
line producer or UPM; above 25,000.00 also the studio or the bond representative; never the
requester; within 48 hours of the approval, the execution; a justification that says something."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prodlib.errors import ApprovalRefusedError, JustificationError, OverrideError, OverrideExpiredError
from prodlib.overrides import policy, store

from .conftest import make_night
from .scenario import CRANE, GENERATOR, MYSTERY, ROWS, hours


def test_the_accountant_and_the_line_producer_approve_the_crane(night) -> None:
    o = night.request([CRANE], "1250.00")
    assert night.approve(o.override_id, "pat").state == "requested"  # 1 of 2
    done = night.approve(o.override_id, "lee")
    assert done.state == "approved"
    assert [(a.person, a.roles) for a in done.approvals] == [("pat", ("production_accountant",)),
                                                             ("lee", ("line_producer",))]


def test_the_upm_may_stand_for_the_line_producer(night) -> None:
    o = night.request([CRANE], "1250.00")
    night.approve(o.override_id, "uma")
    assert night.approve(o.override_id, "pat").state == "approved"


def test_two_line_side_approvers_are_not_enough(night) -> None:
    o = night.request([CRANE], "1250.00")
    night.approve(o.override_id, "lee")
    with pytest.raises(ApprovalRefusedError, match="uma holds none of the roles still needed.*production_accountant"):
        night.approve(o.override_id, "uma")


def test_the_same_person_twice_is_one_approval(night) -> None:
    o = night.request([CRANE], "1250.00")
    night.approve(o.override_id, "pat")
    with pytest.raises(ApprovalRefusedError, match="pat approved this override already"):
        night.approve(o.override_id, "pat")


def test_one_person_holding_both_roles_is_still_one_approver(night) -> None:
    o = night.request([CRANE], "1250.00")
    assert night.approve(o.override_id, "max").state == "requested"
    # max may fill either group; pat (accountant) fills the other: max counts as the line producer
    assert night.approve(o.override_id, "pat").state == "approved"


def test_the_requester_cannot_approve(night) -> None:
    o = night.request([CRANE], "1250.00", by="pat")
    with pytest.raises(ApprovalRefusedError, match="pat requested this override and cannot approve it"):
        night.approve(o.override_id, "pat")


def test_the_requester_is_excluded_even_when_someone_else_keyed_it_in(night) -> None:
    o = night.request([CRANE], "1250.00", by="kim", requester="lee")
    with pytest.raises(ApprovalRefusedError, match="lee requested"):
        night.approve(o.override_id, "lee")


@pytest.mark.parametrize("person", ["kim", "ada", "sam", "nobody", "otto"])
def test_an_approver_without_the_role_is_refused(night, person) -> None:
    # kim: department head; ada: auditor; sam: studio (not needed below 25,000.00); nobody: not in
    # roles.yaml; otto: a line producer, but of OTHER-2. (Pat, the accountant, asks this time.)
    o = night.request([CRANE], "1250.00", by="pat")
    with pytest.raises(ApprovalRefusedError, match=f"{person} holds none of the roles still needed in NIGHT-1"):
        night.approve(o.override_id, person)
    assert night.load(o.override_id).transitions[-1].event == "request"


def test_above_the_threshold_a_third_approver_from_the_studio_or_the_bond(night) -> None:
    # 30,000.00 > 25,000.00: production accountant + line producer/UPM + studio/bond
    o = night.request([GENERATOR], "30000.00")
    night.approve(o.override_id, "pat")
    assert night.approve(o.override_id, "lee").state == "requested"  # 2 of 3
    assert night.approve(o.override_id, "bo").state == "approved"


def test_at_the_threshold_two_approvers_suffice() -> None:
    # exactly 25,000.00 is not "above" it
    assert policy.required_groups(Decimal("25000.00"), Decimal("25000.00")) == policy.APPROVAL_GROUPS
    assert len(policy.required_groups(Decimal("25000.01"), Decimal("25000.00"))) == 3


def test_the_studio_cannot_replace_the_accountant_above_the_threshold(night) -> None:
    o = night.request([GENERATOR], "30000.00")
    night.approve(o.override_id, "sam")
    night.approve(o.override_id, "lee")
    with pytest.raises(ApprovalRefusedError, match="bo holds none"):
        night.approve(o.override_id, "bo")  # the studio/bond place is taken; the accountant's is open
    assert night.approve(o.override_id, "pat").state == "approved"


# --- the execution window: time passed in, never the wall clock --------------------------------


def _approved(night):
    o = night.request([CRANE], "1250.00")
    night.approve(o.override_id, "pat", hours(1))
    night.approve(o.override_id, "lee", hours(2))  # approved at T0 + 2 h: executable until T0 + 50 h
    return o.override_id


def test_an_approval_executes_within_its_window(night) -> None:
    oid = _approved(night)
    assert night.execute(oid, at=hours(50)).state == "executed"  # exactly 48 h after approval: still in time


def test_an_expired_approval_cannot_execute_and_then_expires(night) -> None:
    oid = _approved(night)
    with pytest.raises(OverrideExpiredError, match="expired at 2026-04-23T11:00:00"):
        night.execute(oid, at=hours(50.01))
    with pytest.raises(OverrideError, match="has not expired"):
        night.expire(oid, hours(49))
    assert night.expire(oid, hours(51)).state == "expired"
    assert night.scalar("SELECT COUNT(*) FROM journal_entries") == 1  # only INV-1, posted by the run


def test_the_window_is_the_one_in_force_when_requested(night) -> None:
    from prodlib.production import OverridePolicy

    o = night.request([CRANE], "1250.00", policy=OverridePolicy(Decimal("25000.00"), 4))
    night.approve(o.override_id, "pat", hours(1))
    night.approve(o.override_id, "lee", hours(2))
    with pytest.raises(OverrideExpiredError):
        night.execute(o.override_id, at=hours(7))  # 5 h after approval, window 4 h


# --- requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "why"), [
    ("", "is required"),
    ("   \n\t ", "is required"),
    ("urgent", "has 6 characters"),
    ("Urgent, see attached email. Please approve ASAP per above.", "boilerplate"),
    ("TBD TBD TBD TBD TBD TBD TBD TBD TBD TBD TBD TBD TBD TBD", "boilerplate"),
    ("lorem ipsum dolor lorem ipsum dolor lorem ipsum dolor lorem", "boilerplate"),
])
def test_an_empty_or_boilerplate_justification_is_refused(night, text, why) -> None:
    with pytest.raises(JustificationError, match=why):
        night.request([CRANE], "1250.00", text=text)


def test_a_justification_code_off_the_list_is_refused(night) -> None:
    with pytest.raises(JustificationError, match="'BECAUSE' is not one of"):
        night.request([CRANE], "1250.00", code="BECAUSE")


def test_a_request_names_real_rows_of_one_rule(night) -> None:
    with pytest.raises(OverrideError, match="no quarantined row 99"):
        night.request([99], "10.00")
    with pytest.raises(OverrideError, match="bypasses BELOW_SCALE only"):
        night.request([CRANE], "1250.00", rule="BELOW_SCALE")


def test_a_row_is_named_by_one_live_override_at_a_time(night) -> None:
    first = night.request([CRANE], "1250.00")
    with pytest.raises(OverrideError, match="row 1 is already named by override 1 \\(requested\\)"):
        night.request([CRANE, MYSTERY], "1325.00")
    night.withdraw(first.override_id)
    assert night.request([CRANE], "1250.00").override_id == 2  # withdrawn: the row is free again


@pytest.mark.parametrize(("requester", "operator"), [("nobody", "kim"), ("kim", "otto")])
def test_the_requester_and_the_operator_are_members_of_the_production(night, requester, operator) -> None:
    # nobody: not in roles.yaml; otto: a line producer of OTHER-2 only
    who = requester if requester != "kim" else operator
    with pytest.raises(ApprovalRefusedError, match=f"{who} holds no role in NIGHT-1"):
        night.request([CRANE], "1250.00", by=operator, requester=requester)


def test_only_the_requester_or_the_operator_withdraws(night) -> None:
    o = night.request([CRANE], "1250.00", by="kim", requester="lee")
    with pytest.raises(ApprovalRefusedError, match="only the requester lee or the operator kim"):
        night.withdraw(o.override_id, "pat")
    assert night.withdraw(o.override_id, "lee").state == "withdrawn"


def test_only_an_approver_rejects_and_only_the_auditor_audits(night) -> None:
    o = night.request([CRANE], "1250.00")
    with pytest.raises(ApprovalRefusedError, match="kim does not hold"):
        night.reject(o.override_id, "kim")
    night.approve(o.override_id, "pat")
    night.approve(o.override_id, "lee")
    with pytest.raises(ApprovalRefusedError, match="lee does not hold production_accountant"):
        night.execute(o.override_id, "lee")
    night.execute(o.override_id)
    with pytest.raises(ApprovalRefusedError, match="pat does not hold auditor"):
        night.audit(o.override_id, "pat")
    assert night.audit(o.override_id, "ada").state == "audited"


def test_a_row_without_a_value_or_an_account_cannot_be_overridden(tmp_path) -> None:
    # line 6: an amount that is not money ("12O.00", a letter O): MALFORMED_AMOUNT, nothing to post
    n = make_night(tmp_path, [*ROWS, "INV-7,03/06/2026,2500-02,Sandbags,12O.00"])
    try:
        with n.led.engine.connect() as c:
            (q,) = [r.q_id for r in store.open_rows(c, n.led.production_id) if r.source_line == 6]
        with pytest.raises(OverrideError, match="MALFORMED_AMOUNT cannot be bypassed"):
            n.request([q], "120.00")
    finally:
        n.led.close()
