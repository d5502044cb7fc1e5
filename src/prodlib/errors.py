"""The errors prodlib raises: one root, a small tree, and the exit code the CLI maps each branch to.

```
ProdlibError                      exit 3 unless a branch says otherwise
├── InputError                    exit 2: a user's file or setting (file, line, field)
│   ├── ConfigError               a configuration file (sources.yaml, production.yaml, chart) is wrong
│   ├── DatabaseLocationError     the database named does not exist, cannot be opened or written
│   └── RuleDataError             a rule file (shipped or the production's own) is wrong
├── ScopeError                    exit 2: a read or write outside the session's role and production
├── LedgerError                   exit 2: the ledger refused a write; the message says which guarantee
│   ├── PeriodClosedError, BudgetLockedError, UnbalancedEntryError, AppendOnlyError
│   ├── QueueError                an exception-queue command it cannot do (unknown id, illegal change)
│   └── LedgerArgumentError       a ledger call with arguments it cannot take (also a ValueError)
└── BugError                      exit 3: prodlib broke one of its own promises
    └── ConservationError         rows were lost or counted twice
```

Data problems in a row are never exceptions: they are quarantine rows with a reason code. Exceptions
are for what stops a file, a command or the run.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3


class ProdlibError(Exception):
    """Root of every error prodlib raises on purpose.

    Attributes:
      exit_code: what ``prodlib`` exits with when this error ends a command.
    """

    exit_code: int = EXIT_BUG


class InputError(ProdlibError):
    """A file or setting of the user's that prodlib cannot use; the message says where and what.

    Attributes:
      file: the file as the user named it.
      line: the 1-based line in that file, when one is to blame.
      field: the field, key or column, when one is to blame.
    """

    exit_code = EXIT_INPUT

    def __init__(self, file: str | Path, message: str, line: int | None = None, field: str | None = None) -> None:
        where = str(file) + (f", line {line}" if line is not None else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.field, self.message = str(file), line, field, message


class ConfigError(InputError):
    """A configuration file (sources.yaml, production.yaml, a chart) breaks its declared model."""


class DatabaseLocationError(InputError):
    """The database URL names nothing prodlib can open for this command (missing, read-only, no folder)."""


class RuleDataError(InputError):
    """A rule file (a plan, the scale minimums, the work rules), shipped or the production's own, is wrong."""


class ScopeError(ProdlibError):
    """A scoped session (:mod:`prodlib.access.scoped`) refused a read or write outside its scope: a
    production the person does not hold the role on, a kind of read the role may not make, a write by
    a reading role. The message names the person, the role and what was refused."""

    exit_code = EXIT_INPUT


class LedgerError(ProdlibError):
    """The ledger refused a write; the message names the guarantee that refused it."""

    exit_code = EXIT_INPUT


class UnbalancedEntryError(LedgerError):
    """Debits and credits of a journal entry differ (double entry)."""


class PeriodClosedError(LedgerError):
    """A posting dated in an accounting period that has been closed."""


class BudgetLockedError(LedgerError):
    """A locked budget version may not be changed; a revision is a new version."""


class AppendOnlyError(LedgerError):
    """The database refused to change or delete a sealed row (the append-only triggers)."""


class QueueError(LedgerError):
    """An exception-queue command that cannot be done: an unknown exception id, a state change the
    lifecycle does not allow (:data:`prodlib.exceptions.lifecycle.TRANSITIONS`), a correction that
    names no field of the row."""


class LedgerArgumentError(LedgerError, ValueError):
    """A call to the ledger's API with arguments it cannot take (a period not YYYY-MM, no author).

    Also a ``ValueError``, as such arguments always were, so callers that caught that still do.
    """


class BugError(ProdlibError):
    """prodlib broke one of its own promises: never the user's fault."""

    exit_code = EXIT_BUG


class ConservationError(BugError):
    """Rows were lost or counted twice: rows read != rows posted + rows quarantined."""
