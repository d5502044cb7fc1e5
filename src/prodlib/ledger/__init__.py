"""The ledger: double-entry, append-only, hash-chained; SQLite by default, PostgreSQL by URL.

See docs/ARCHITECTURE.md, "Ledger (store) contract".
"""

from prodlib.ledger.store import (
    BatchResult,
    BudgetLockedError,
    ConservationError,
    Ledger,
    LedgerError,
    PeriodClosedError,
    UnbalancedEntryError,
    is_balance_sheet,
    is_cost_account,
)

__all__ = [
    "BatchResult",
    "BudgetLockedError",
    "ConservationError",
    "Ledger",
    "LedgerError",
    "PeriodClosedError",
    "UnbalancedEntryError",
    "is_balance_sheet",
    "is_cost_account",
]

from prodlib.ledger.verify import VerifyResult, verify_chain  # noqa: E402

__all__ += ["VerifyResult", "verify_chain"]

from prodlib.ledger.beancount_export import beancount_account, export_beancount  # noqa: E402

__all__ += ["beancount_account", "export_beancount"]
