"""`prodlib override ...`: the crane released from the command line; every refusal is exit 2 with
one line."""

from __future__ import annotations

import pytest

from prodlib.cli import main

from .scenario import CRANE, JUSTIFICATION, hours


def _cli(capsys, night, *argv: str) -> tuple[int, str, str]:
    code = main(["override", *argv, "--db", night.db])
    out, err = capsys.readouterr()
    return code, out, err


def _error_line(err: str) -> str:
    lines = [x for x in err.splitlines() if not x.startswith("database:")]
    assert len(lines) == 1, err
    return lines[0]


def test_the_crane_from_request_to_audit(night, capsys) -> None:
    inp = str(night.root)
    code, out, _ = _cli(capsys, night, "request", "--by", "kim", "--rows", str(CRANE), "--amount", "1,250.00",
                        "--code", "DATE_CORRECT_AS_BILLED", "--text", JUSTIFICATION, "--input", inp)
    assert code == 0 and out.startswith("override 1: requested  DATE_OUT_OF_WINDOW  1250.00  rows 1")
    assert _cli(capsys, night, "approve", "1", "--by", "pat", "--input", inp)[0] == 0
    code, out, _ = _cli(capsys, night, "approve", "1", "--by", "lee", "--input", inp)
    assert code == 0 and "approved" in out and "execute by" in out
    assert _cli(capsys, night, "execute", "1", "--by", "pat", "--input", inp)[0] == 0
    assert _cli(capsys, night, "audit", "1", "--by", "ada", "--input", inp)[0] == 0
    code, out, _ = _cli(capsys, night, "show", "1")
    assert code == 0
    assert [line.split()[2] for line in out.splitlines()[2:]] == ["request", "approve", "approve", "execute", "audit"]
    code, out, _ = _cli(capsys, night, "list", "--state", "audited")
    assert out.count("override ") == 1
    code, out, _ = _cli(capsys, night, "routing", "1")
    assert len(out.splitlines()) == 10  # 5 transitions x (accountant, guarantor)
    assert "to completion_guarantor" in out.splitlines()[-1]
    assert main(["audit", "verify", "--db", night.db]) == 0


def _requested(night) -> None:
    night.request([CRANE], "1250.00")  # by kim


@pytest.mark.parametrize(("argv", "says"), [
    (["approve", "1", "--by", "kim"], "kim requested this override and cannot approve it"),
    (["approve", "1", "--by", "ada"], "ada holds none of the roles still needed in NIGHT-1"),
    (["execute", "1", "--by", "pat"], "execute is not allowed on an override requested"),
    (["audit", "1", "--by", "ada"], "audit is not allowed on an override requested"),
    (["approve", "7", "--by", "pat"], "no override 7"),
])
def test_refusals_exit_2_with_one_line(night, capsys, argv, says) -> None:
    _requested(night)
    code = main(["override", *argv, "--db", night.db, "--input", str(night.root)])
    err = capsys.readouterr().err
    assert code == 2
    assert says in _error_line(err)


def test_the_same_approver_twice_exits_2(night, capsys) -> None:
    _requested(night)
    night.approve(1, "pat")
    code = main(["override", "approve", "1", "--by", "pat", "--db", night.db, "--input", str(night.root)])
    assert code == 2 and "pat approved this override already" in _error_line(capsys.readouterr().err)


def test_an_expired_approval_exits_2(night, capsys) -> None:
    # approved in April 2026 (the scenario's clock); the command runs on the wall clock, months later
    _requested(night)
    night.approve(1, "pat", hours(1))
    night.approve(1, "lee", hours(2))
    code = main(["override", "execute", "1", "--by", "pat", "--db", night.db, "--input", str(night.root)])
    assert code == 2 and "approval expired at 2026-04-23T11:00:00" in _error_line(capsys.readouterr().err)
    assert main(["override", "expire", "1", "--by", "pat", "--db", night.db]) == 0


def test_a_boilerplate_request_exits_2(night, capsys) -> None:
    code = main(["override", "request", "--by", "kim", "--rows", "1", "--amount", "1250.00", "--code",
                 "SAFETY", "--text", "urgent, see email", "--db", night.db, "--input", str(night.root)])
    assert code == 2 and "justification text has 17 characters" in _error_line(capsys.readouterr().err)


def test_rows_lists_what_a_request_may_name(night, capsys) -> None:
    code, out, _ = _cli(capsys, night, "rows", "--reason", "DATE_OUT_OF_WINDOW")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[0::2]] == ["1", "2", "3"]
    assert "inv/acme.csv, line 3  DATE_OUT_OF_WINDOW" in lines[0]
    assert '"Amount": "1,250.00"' in lines[1]  # the row as the export wrote it


@pytest.mark.parametrize("amount", ["1.250,00", "1250.005", "12O0.00", "1e3"])
def test_an_amount_that_is_not_us_money_exits_2(night, capsys, amount) -> None:
    code = main(["override", "request", "--by", "kim", "--rows", "1", "--amount", amount, "--code", "SAFETY",
                 "--text", JUSTIFICATION, "--db", night.db, "--input", str(night.root)])
    assert code == 2 and f"--amount {amount!r} is not an amount in USD" in _error_line(capsys.readouterr().err)
