"""The ledger's balance-sheet accounts: every name is defined here, once.

Cost accounts are the chart's detail codes (``2500-02``); everything else a journal line touches is
one of these. ``FRINGE_PAYABLE:<plan>`` is one liability account per fringe plan.
"""

from __future__ import annotations

AP = "AP"  #: accounts payable: what vendors are owed for posted invoices
CASH = "CASH"  #: the production bank account(s)
PETTY_CASH = "PETTY_CASH"  #: cash advanced to custodians, relieved by their envelopes
PAYROLL_LIABILITY = "PAYROLL_LIABILITY"  #: gross wages owed to crew and cast until funded
FRINGE_PAYABLE = "FRINGE_PAYABLE"  #: root of the per-plan fringe liabilities

BALANCE_SHEET_ACCOUNTS = frozenset({AP, CASH, PETTY_CASH, PAYROLL_LIABILITY, FRINGE_PAYABLE})
FRINGE_PAYABLE_PREFIX = f"{FRINGE_PAYABLE}:"

#: The account each journaled input kind credits (its debit is the line's cost code).
CREDIT_ACCOUNT = {"invoice": AP, "petty_cash": PETTY_CASH, "payroll": PAYROLL_LIABILITY}


def fringe_payable(plan: str) -> str:
    """The liability account a plan's contributions are credited to: ``FRINGE_PAYABLE:<plan>``."""
    return f"{FRINGE_PAYABLE_PREFIX}{plan}"


def is_balance_sheet(account: str) -> bool:
    return account in BALANCE_SHEET_ACCOUNTS or account.startswith(FRINGE_PAYABLE_PREFIX)


def is_cost_account(account: str) -> bool:
    return not is_balance_sheet(account)
