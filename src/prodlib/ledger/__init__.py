"""The ledger: double-entry, append-only, hash-chained; SQLite by default, PostgreSQL by URL.

Modules (docs/LEDGER.md, "Modules"): ``connection`` and ``migrations`` (engines, pragmas, read-only
opening, schema), ``journal`` and ``chain``/``seals`` (sealed entries, chain heads, audit events),
``batches`` (a file's posting and conservation), ``entries`` (general entries and corrections),
``budgets``, ``commitments``, ``estimates``, ``periods``, ``view`` (reads), ``integrity`` (driver
errors as ledger errors), and ``store``'s :class:`Ledger`, the facade over them.
"""

from prodlib.accounts import is_balance_sheet, is_cost_account
from prodlib.errors import (
    AppendOnlyError,
    BudgetLockedError,
    ConservationError,
    LedgerArgumentError,
    LedgerError,
    PeriodClosedError,
    UnbalancedEntryError,
)
from prodlib.ledger.batches import BatchResult, post_batch
from prodlib.ledger.journal import Scope
from prodlib.ledger.store import Ledger
from prodlib.ledger.view import LedgerView

__all__ = [
    "AppendOnlyError",
    "BatchResult",
    "BudgetLockedError",
    "ConservationError",
    "Ledger",
    "LedgerArgumentError",
    "LedgerError",
    "LedgerView",
    "PeriodClosedError",
    "Scope",
    "UnbalancedEntryError",
    "is_balance_sheet",
    "is_cost_account",
    "post_batch",
]

from prodlib.ledger.verify import VerifyResult, verify_chain  # noqa: E402

__all__ += ["VerifyResult", "verify_chain"]

from prodlib.ledger.beancount_export import beancount_account, export_beancount  # noqa: E402

__all__ += ["beancount_account", "export_beancount"]
