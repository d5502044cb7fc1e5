"""Exit codes as the scheduler sees them: each error class, each option mistake, a real bug.

Every problem with a user's file, chart, rule file, option or database location is exit 2 with one
line on stderr naming what to fix; exit 3 ("internal error") is only for a bug, and ``--debug`` shows
its traceback instead.
"""

from __future__ import annotations

import inspect

import pytest

from prodlib import cli, errors
from prodlib.errors import (
    AppendOnlyError,
    BudgetLockedError,
    BugError,
    ConfigError,
    ConservationError,
    DatabaseLocationError,
    InputError,
    LedgerArgumentError,
    LedgerError,
    PeriodClosedError,
    ProdlibError,
    QueueError,
    RuleDataError,
    ScopeError,
    UnbalancedEntryError,
)

# By hand, from the tree in errors.py: the user's files and settings, rule data and the ledger's
# refusals are 2; the root (an error no branch claims) and bugs are 3.
EXPECTED = {
    ProdlibError: 3,
    InputError: 2,
    ConfigError: 2,
    DatabaseLocationError: 2,
    RuleDataError: 2,
    ScopeError: 2,  # a read outside a scoped session's role and production
    LedgerError: 2,
    LedgerArgumentError: 2,
    UnbalancedEntryError: 2,
    PeriodClosedError: 2,
    BudgetLockedError: 2,
    AppendOnlyError: 2,
    QueueError: 2,  # an unknown exception id, an illegal state change
    BugError: 3,
    ConservationError: 3,
}


def test_the_table_covers_every_error_class() -> None:
    classes = {c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, ProdlibError)}
    assert classes == set(EXPECTED)


def _raising(exc: BaseException):
    def command(_args) -> int:
        raise exc

    return command


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("cls", list(EXPECTED), ids=lambda c: c.__name__)
def test_each_error_class_exits_with_its_code(cls: type[ProdlibError], monkeypatch, capsys) -> None:
    exc = cls("books/acme.csv", "not money", line=17, field="amount") if issubclass(cls, InputError) else cls("refused")
    monkeypatch.setattr(cli, "cmd_sample", _raising(exc))
    assert cli.main(["sample"]) == EXPECTED[cls]
    line = _one_line(capsys.readouterr().err)
    if EXPECTED[cls] == 2:
        assert line.startswith("error: ")
    else:
        assert line.startswith("internal error: ")
    if issubclass(cls, InputError):
        assert line == "error: books/acme.csv, line 17, field 'amount': not money"


def test_debug_reraises_a_prodlib_error(monkeypatch) -> None:
    monkeypatch.setattr(cli, "cmd_sample", _raising(ConfigError("production.yaml", "bad", field="window")))
    with pytest.raises(ConfigError):
        cli.main(["--debug", "sample"])


def test_an_unexpected_exception_is_an_internal_error(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "cmd_sample", _raising(ZeroDivisionError("division by zero")))
    assert cli.main(["sample"]) == 3
    assert _one_line(capsys.readouterr().err) == (
        "internal error: ZeroDivisionError: division by zero (run with --debug for the traceback)")
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "sample"])


@pytest.mark.parametrize(("argv", "expected"), [
    (["sample", "--scale", "indy"],
     "error: prodlib sample: argument --scale: invalid choice: 'indy' (choose from 'indie', 'feature', 'studio')"),
    (["sample", "--seed", "seven"], "error: prodlib sample: argument --seed: invalid int value: 'seven'"),
    (["report", "--as-of", "2026-02-30"],
     "error: prodlib report: argument --as-of: '2026-02-30' is not a calendar date written YYYY-MM-DD"),
    (["report", "--as-of", "03/31/2026"],
     "error: prodlib report: argument --as-of: '03/31/2026' is not a calendar date written YYYY-MM-DD"),
    (["report", "--as-of", "20260331"],
     "error: prodlib report: argument --as-of: '20260331' is not a calendar date written YYYY-MM-DD"),
    (["sample", "--sacle", "indie"], "error: prodlib: unrecognized arguments: --sacle indie"),
    (["audit"], "error: prodlib audit: the following arguments are required: audit_command"),
])
def test_option_mistakes_exit_2_with_one_line(argv: list[str], expected: str, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert _one_line(capsys.readouterr().err) == expected


def test_a_good_as_of_reaches_the_command(monkeypatch) -> None:
    seen = []

    def report(args) -> int:
        seen.append(args.as_of)
        return 0

    monkeypatch.setattr(cli, "cmd_report", report)
    assert cli.main(["report", "--as-of", "2026-03-31", "--db", "sqlite:///unused.db"]) == 0
    assert seen == ["2026-03-31"]


def test_scale_choices_are_the_samples_scales() -> None:
    from prodlib.sample.catalog import SCALES

    assert cli.SAMPLE_SCALES == tuple(SCALES)


def test_a_missing_input_folder_is_exit_2(tmp_path, capsys) -> None:
    missing = tmp_path / "nowhere"
    assert cli.main(["run", "--input", str(missing), "--db", f"sqlite:///{tmp_path}/books.db"]) == 2
    assert _one_line(capsys.readouterr().err) == f"error: {missing}: file not found"


def test_a_missing_sources_yaml_is_exit_2(tmp_path, capsys) -> None:
    (tmp_path / "exports").mkdir()
    assert cli.main(["run", "--input", str(tmp_path / "exports"), "--db", f"sqlite:///{tmp_path}/books.db"]) == 2
    assert _one_line(capsys.readouterr().err) == f"error: {tmp_path / 'exports' / 'sources.yaml'}: file not found"


def test_a_database_command_says_which_database_without_its_password(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "cmd_audit_verify", lambda _args: 0)
    assert cli.main(["audit", "verify", "--db", "postgresql+psycopg://clerk:s3cret@db.example:5432/books"]) == 0
    err = capsys.readouterr().err
    assert err == "database: postgresql+psycopg://clerk:***@db.example:5432/books\n"
    monkeypatch.delenv("PRODLIB_DATABASE_URL", raising=False)
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().err == "database: sqlite:///var/sample.db\n"
    monkeypatch.setenv("PRODLIB_DATABASE_URL", "postgresql+psycopg://clerk:s3cret@db.example/books")
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().err == "database: postgresql+psycopg://clerk:***@db.example/books\n"


def test_a_database_that_fails_mid_command_is_exit_2_with_one_line(monkeypatch, capsys) -> None:
    # A dropped PostgreSQL connection (or a locked SQLite file) is the database's state, not a bug in
    # prodlib: the transaction rolled back, and the line says so and where, without the password.
    import sqlalchemy as sa

    err = sa.exc.OperationalError("INSERT ...", {}, Exception("server closed the connection unexpectedly"))
    monkeypatch.setattr(cli, "cmd_audit_verify", _raising(err))
    code = cli.main(["audit", "verify", "--db", "postgresql+psycopg://u:secret@127.0.0.1:5432/x"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1
    assert "server closed the connection unexpectedly" in lines[0] and "run again" in lines[0]
    assert "secret" not in lines[0] and "127.0.0.1:5432/x" in lines[0]
