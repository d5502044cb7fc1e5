"""``prodlib exceptions``: what a person types, what it prints, how it exits."""

from __future__ import annotations

import pytest

from prodlib.cli import EXCEPTION_STATES, main
from prodlib.exceptions.lifecycle import STATES


def test_the_cli_s_states_are_the_lifecycle_s() -> None:
    assert EXCEPTION_STATES == STATES


def test_list_show_assign_write_off(books, capsys) -> None:
    root, url = books
    assert main(["exceptions", "list", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    # oldest first, then largest: both opened by the run; INV-3's 300.00 before INV-2's unreadable amount
    assert out[1].split()[:5] == ["2", "classification", "UNKNOWN_COST_CODE", "open", "300.00"]
    assert out[1].endswith("inv/acme.csv:4") and out[2].split()[:4] == ["1", "ingest", "MALFORMED_AMOUNT", "open"]
    assert out[-1] == "2 of 2 exceptions (waiting); at stake 300.00"
    assert main(["exceptions", "list", "--db", url, "--min-amount", "300.01"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 of 2 exceptions (waiting); at stake 0.00"
    assert main(["exceptions", "list", "--db", url, "--kind", "ingest", "--source", "acme"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("1 of 2")
    assert main(["exceptions", "list", "--db", url, "--older-than", "0"]) == 0  # opened today: none older
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 of 2")
    assert main(["exceptions", "assign", "2", "--to", "Ana", "--by", "Bo", "--db", url]) == 0
    assert main(["exceptions", "write-off", "1", "--reason", "vendor re-bills", "--by", "Ana", "--db", url]) == 0
    capsys.readouterr()
    assert main(["exceptions", "show", "2", "--db", url]) == 0
    show = capsys.readouterr().out
    assert "state in_review, assigned to Ana" in show and "  Acct: 9999-99" in show
    assert "assign            -> in_review   UNKNOWN_COST_CODE        by Bo: assigned to Ana" in show
    assert main(["exceptions", "list", "--db", url, "--state", "written_off"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:4] == ["1", "ingest", "MALFORMED_AMOUNT", "written_off"]
    assert main(["exceptions", "conservation", "--db", url]) == 0
    assert capsys.readouterr().out.strip() == ("rows read 5 = posted 3 + already posted 0 + in_review 1 + "
                                               "written_off 1: holds")


def test_correct_from_the_command_line(books, capsys) -> None:
    root, url = books
    base = ["exceptions", "correct", "2", "--input", str(root), "--db", url, "--by", "Ana"]
    assert main([*base, "--set", "Acct=9999-98"]) == 1  # refused again: a data problem, exit 1
    assert "still open: validated again, refused UNKNOWN_COST_CODE" in capsys.readouterr().out
    assert main([*base, "--set", "cost_code=2500-02"]) == 0
    assert "corrected: validated again and posted as batch 3, entry 3" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["exceptions", "show", "9"], "error: no exception 9 in production 'REEXPORT-1'"),
    (["exceptions", "assign", "9", "--to", "Ana", "--by", "Bo"], "error: no exception 9"),
    (["exceptions", "assign", "2", "--to", "Ana"], "the following arguments are required: --by"),
    (["exceptions", "write-off", "2", "--by", "Ana"], "the following arguments are required: --reason"),
    (["exceptions", "list", "--min-amount", "12.345"], "'12.345' is not an amount"),
    (["exceptions", "list", "--state", "closed"], "invalid choice: 'closed'"),
])
def test_user_problems_exit_2_with_one_line(books, capsys, argv, message) -> None:
    _, url = books
    try:
        code = main([*argv, "--db", url])
    except SystemExit as exc:  # argparse's refusals exit from the parser
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[0] and len([ln for ln in err if not ln.startswith("database:")]) == 1


def test_an_illegal_change_exits_2_and_writes_nothing(books, capsys) -> None:
    root, url = books
    assert main(["exceptions", "write-off", "1", "--reason", "gone", "--by", "Ana", "--db", url]) == 0
    for argv in (["exceptions", "write-off", "1", "--reason", "again", "--by", "Ana"],
                 ["exceptions", "assign", "1", "--to", "Bo", "--by", "Ana"],
                 ["exceptions", "correct", "1", "--set", "Amount=12.30", "--input", str(root), "--by", "Ana"]):
        capsys.readouterr()
        assert main([*argv, "--db", url]) == 2
        assert "error: exception 1 is written_off: it cannot be" in capsys.readouterr().err
    assert main(["exceptions", "show", "1", "--db", url]) == 0
    assert capsys.readouterr().out.count("\n      ") == 2  # open and the write-off: nothing else recorded
