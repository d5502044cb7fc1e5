"""Nightly reconciliation: invoices vs POs, bank vs books, petty cash envelopes (issue 10, items 1-5).

Pure functions over DataFrames; each returns what it matched and its :class:`Finding` values. The
``prodlib reconcile`` command reads the ledger and the input folder and writes the findings; it
writes nothing to the ledger.
"""

from prodlib.reconcile.findings import FINDING_COLUMNS, Finding, ReconcileSettings, findings_frame

__all__ = ["FINDING_COLUMNS", "Finding", "ReconcileSettings", "findings_frame"]
