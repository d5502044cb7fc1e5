"""Column sets shared between stages: every one is defined here, once.

``BOOKKEEPING`` rides on every row of every kind from ingest to the ledger; ``QUARANTINE_COLUMNS`` is
what every stage emits for a bad row; ``POSTING_COLUMNS`` is the frame the ledger journals.
"""

from __future__ import annotations

#: Where a row came from: its source entry, its file as sources.yaml names it, its physical line
#: (header = 1), and the SHA-256 of its raw cells.
BOOKKEEPING = ("source_id", "source_file", "source_line", "row_hash")

#: A quarantined row: its bookkeeping, the reason code, the field at fault, a human detail naming the
#: value and the problem, and the raw row as JSON (kept so it can be corrected or released).
QUARANTINE_COLUMNS = (*BOOKKEEPING, "reason", "field", "detail", "payload")

#: One accepted row as a balanced two-line journal entry: debit ``debit_account``, credit
#: ``credit_account`` for ``amount`` (negative flips the sides).
POSTING_COLUMNS = (
    "source_line", "row_hash", "entry_date", "debit_account", "credit_account", "amount",
    "description", "document_no", "party_id", "po_number",
)
