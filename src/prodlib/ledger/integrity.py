"""Driver errors become ledger errors: which guarantee refused the write, by its name.

Each guarantee the database enforces has one name, used by both backends. PostgreSQL carries it in
the error itself: the integrity triggers raise ``USING CONSTRAINT = '<name>'`` (migration 5) and a
unique index reports its own name (``diag.constraint_name``). SQLite's ``RAISE(ABORT, ...)`` carries
only a message, so migration 5 ends each trigger's message with the tag ``[prodlib:<name>]``; a
UNIQUE failure names its columns, which the schema's named constraints map back to their name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from prodlib.errors import AppendOnlyError, LedgerError, PeriodClosedError, UnbalancedEntryError
from prodlib.ledger import schema as s


@dataclass(frozen=True)
class Guarantee:
    """One promise the database keeps, as the error that reports its refusal.

    Attributes:
      name: the trigger tag or constraint name both backends report.
      error: the :class:`LedgerError` subclass raised when it refuses a write.
      promise: what it guarantees, in the words of docs/LEDGER.md.
    """

    name: str
    error: type[LedgerError]
    promise: str


GUARANTEES: dict[str, Guarantee] = {g.name: g for g in (
    Guarantee("append_only", AppendOnlyError, "append-only: a recorded row is never updated or deleted"),
    Guarantee("chain_forward", AppendOnlyError, "the hash chain's head only moves forward"),
    Guarantee("entry_sealed", AppendOnlyError, "a sealed journal entry takes no more lines"),
    Guarantee("entry_balanced", UnbalancedEntryError,
              "double entry: a journal entry has two or more lines summing to zero"),
    Guarantee("no_orphan_lines", UnbalancedEntryError, "every journal line belongs to a recorded entry"),
    Guarantee("period_open", PeriodClosedError, "a closed period takes only dated adjustments"),
    Guarantee("uq_batches_file_hash", LedgerError, "a file is posted once (one batch per file hash)"),
    Guarantee("uq_one_reversal", LedgerError, "an entry is voided or reversed at most once"),
    Guarantee("uq_estimate_account_date", LedgerError, "one estimate per account and effective date"),
)}

_TAG = re.compile(r"\[prodlib:([a-z_]+)\]")


def _sqlite_unique() -> dict[str, str]:
    """'table.col, table.col' (SQLite's UNIQUE message) -> the constraint's name."""
    out = {"journal_entries.reverses_entry_id": "uq_one_reversal"}  # partial unique index (migration 3)
    for table in s.metadata.tables.values():
        for c in table.constraints:
            if isinstance(c, sa.UniqueConstraint) and c.name:
                out[", ".join(f"{table.name}.{col.name}" for col in c.columns)] = c.name
    return out


_SQLITE_UNIQUE = _sqlite_unique()


def guarantee_name(exc: sa.exc.DBAPIError) -> str | None:
    """The name of the guarantee that refused the statement, or None for any other driver error."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:  # psycopg
        name = diag.constraint_name
        return name if name in GUARANTEES else None
    text = str(orig)
    tag = _TAG.search(text)
    if tag:
        return tag.group(1)
    if text.startswith("UNIQUE constraint failed: "):
        return _SQLITE_UNIQUE.get(text.removeprefix("UNIQUE constraint failed: "))
    if text == "FOREIGN KEY constraint failed":  # fk_lines_entry, deferred to commit
        return "no_orphan_lines"
    return None


def ledger_error(exc: sa.exc.DBAPIError) -> LedgerError | None:
    """The ledger error for a refused write, naming the guarantee; None when no guarantee refused."""
    name = guarantee_name(exc)
    if name is None or name not in GUARANTEES:
        return None
    g = GUARANTEES[name]
    detail = _TAG.sub("", str(exc.orig).splitlines()[0]).strip()
    return g.error(f"the ledger refused the write: {g.promise} ({name}: {detail})")


@contextmanager
def refusals_as_ledger_errors() -> Iterator[None]:
    """Re-raise a driver error that a named guarantee raised as its :class:`LedgerError`."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        err = ledger_error(exc)
        if err is None:
            raise
        raise err from exc
