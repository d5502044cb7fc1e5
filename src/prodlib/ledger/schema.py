"""Table definitions (SQLAlchemy Core). Created only by migrations (see migrations.py).

Amounts are BIGINT cents. Dates are DATE; wall-clock times are ISO-8601 UTC text (``recorded_at``),
kept beside the hashes, never inside them. Every table has ``production_id`` so row-level security
can scope it later.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY on SQLite

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.Text, nullable=False),
)

chain_heads = sa.Table(
    "chain_heads",
    metadata,
    sa.Column("chain", sa.String(32), primary_key=True),
    sa.Column("seq", BIGINT, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("file_hash", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("rows_read", BIGINT, nullable=False),
    sa.Column("rows_posted", BIGINT, nullable=False),
    sa.Column("rows_quarantined", BIGINT, nullable=False),
    sa.Column("first_entry_id", BIGINT),
    sa.Column("last_entry_id", BIGINT),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.UniqueConstraint("production_id", "file_hash", name="uq_batches_file_hash"),
)

journal_entries = sa.Table(
    "journal_entries",
    metadata,
    sa.Column("entry_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("batch_id", BIGINT),
    sa.Column("entry_date", sa.Date, nullable=False),
    sa.Column("period", sa.String(7), nullable=False),  # "2026-03"
    sa.Column("kind", sa.String(16), nullable=False),  # posting, general, adjustment, void, reversal, reissue
    sa.Column("source_id", sa.Text),
    sa.Column("source_line", BIGINT),
    sa.Column("row_hash", sa.Text),
    sa.Column("document_no", sa.Text),
    sa.Column("party_id", sa.Text),
    sa.Column("po_number", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("reverses_entry_id", BIGINT),
    sa.Column("reason", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("entry_hash", sa.String(64), nullable=False),
    sa.Index("ix_journal_entries_date", "entry_date"),
    sa.Index("ix_journal_entries_po", "po_number"),
    sa.Index("ix_journal_entries_reverses", "reverses_entry_id"),
)

# Lines are written BEFORE their entry header; the header insert checks the balance (trigger),
# and a line for an already-sealed entry is refused (trigger). The FK is deferred to commit.
journal_lines = sa.Table(
    "journal_lines",
    metadata,
    sa.Column("entry_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),  # + debit, - credit
    sa.ForeignKeyConstraint(
        ["entry_id"], ["journal_entries.entry_id"], name="fk_lines_entry", deferrable=True, initially="DEFERRED"
    ),
    sa.Index("ix_journal_lines_account", "account"),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("q_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("batch_id", BIGINT, nullable=False),
    sa.Column("source_id", sa.Text),
    sa.Column("source_file", sa.Text),
    sa.Column("source_line", BIGINT),
    sa.Column("row_hash", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("field", sa.Text),
    sa.Column("detail", sa.Text),
    sa.Column("payload", sa.Text),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Index("ix_quarantine_batch", "batch_id"),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("event_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # canonical JSON
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("event_hash", sa.String(64), nullable=False),
)

budget_versions = sa.Table(
    "budget_versions",
    metadata,
    sa.Column("version_id", sa.Text, primary_key=True),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # original, revision, overage
    sa.Column("parent_version_id", sa.Text),
    sa.Column("locked_on", sa.Date, nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
)

budget_lines = sa.Table(
    "budget_lines",
    metadata,
    sa.Column("version_id", sa.Text, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("cost_code", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
)

# --- migration 2 -----------------------------------------------------------------------------

period_closes = sa.Table(
    "period_closes",
    metadata,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("closed_on", sa.Date, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("recorded_at", sa.Text, nullable=False),
)

purchase_orders = sa.Table(
    "purchase_orders",
    metadata,
    sa.Column("po_row_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("po_number", sa.Text, nullable=False),
    sa.Column("vendor_id", sa.Text, nullable=False),
    sa.Column("po_date", sa.Date, nullable=False),
    sa.Column("cost_code", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),  # from when this version of the PO holds
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Index("ix_purchase_orders_po", "po_number"),
)

etc_entries = sa.Table(
    "etc_entries",
    metadata,
    sa.Column("etc_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("cost_code", sa.Text, nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("etc_cents", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.UniqueConstraint("production_id", "cost_code", "effective_date", name="uq_etc_code_date"),
)

# --- migration 3 -----------------------------------------------------------------------------

# The accountant's estimate of final cost for an account (or detail code), effective from a date:
# a history, each later than the one before; ETC is derived (EFC - actual - open commitments).
# Replaces ``etc_entries`` of migration 2, which stored ETC and could not hold the estimate itself.
estimates = sa.Table(
    "estimates",
    metadata,
    sa.Column("estimate_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("efc_cents", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.UniqueConstraint("production_id", "account", "effective_date", name="uq_estimate_account_date"),
)

# --- migration 6 -----------------------------------------------------------------------------

# The row key (prodlib.rowkeys) of every row a batch posted, of every kind (journal entries, PO rows,
# budget lines, accepted timecards and bank lines): one row is posted once per production and kind.
posted_rows = sa.Table(
    "posted_rows",
    metadata,
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("row_key", sa.String(64), nullable=False),
    sa.Column("batch_id", BIGINT, nullable=False),
    sa.UniqueConstraint("production_id", "kind", "row_key", name="uq_posted_rows_key"),
    sa.Index("ix_posted_rows_batch", "batch_id"),
)

#: Added to ``batches`` by migration 6 (rows of the file whose row key was already posted).
ROWS_ALREADY_POSTED = sa.Column("rows_already_posted", BIGINT, nullable=False, server_default="0")
batches.append_column(ROWS_ALREADY_POSTED)

# --- migration 7 -----------------------------------------------------------------------------

# A journal entry of a foreign-currency line keeps what the line was in its own currency: the
# currency, the original amount (cents of that currency, signed like the entry's first line) and
# the rate used (production-currency units per unit, exact text). Sealed by the entry's hash.
journal_fx = sa.Table(
    "journal_fx",
    metadata,
    sa.Column("entry_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("original_cents", sa.BigInteger, nullable=False),
    sa.Column("rate", sa.Text, nullable=False),
)

# --- migration 8 -----------------------------------------------------------------------------

# The exception queue (prodlib.exceptions): one row per exception as it was opened (a quarantined row
# or a reconciliation finding), never changed; its life is the append-only ``exception_events``, the
# latest event carrying the state, reason and assignee in force. ``seal`` is SHA-256 over the row's
# canonical record (prodlib.ledger.seals), sealed again by the ``exceptions_recorded`` audit event.
exceptions = sa.Table(
    "exceptions",
    metadata,
    sa.Column("exception_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),  # quarantine | reconcile
    sa.Column("kind", sa.Text, nullable=False),  # ingest, validation, ..., invoice, bank, petty_cash
    sa.Column("reason", sa.Text, nullable=False),  # the reason code it was opened with
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("source_kind", sa.Text),  # the input kind of a quarantined row
    sa.Column("source_id", sa.Text),
    sa.Column("source_file", sa.Text),
    sa.Column("source_line", BIGINT),
    sa.Column("q_id", BIGINT),  # the quarantine row (origin quarantine)
    sa.Column("batch_id", BIGINT),  # the batch that quarantined it
    sa.Column("payload", sa.Text),  # the raw row as read (JSON), or the finding (JSON)
    sa.Column("amount_cents", sa.BigInteger),
    sa.Column("figures", sa.Text, nullable=False),  # canonical JSON [[name, "12.30"], ...]
    sa.Column("roles", sa.Text, nullable=False),  # canonical JSON ["production_accountant", ...]
    sa.Column("detail", sa.Text),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Column("seal", sa.String(64), nullable=False),
    sa.Index("ix_exceptions_fingerprint", "production_id", "fingerprint"),
)

exception_events = sa.Table(
    "exception_events",
    metadata,
    sa.Column("event_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("exception_id", BIGINT, nullable=False),
    sa.Column("action", sa.String(24), nullable=False),  # open, assign, correct, correction_failed, ...
    sa.Column("state", sa.String(16), nullable=False),  # the state after the event
    sa.Column("reason", sa.Text, nullable=False),  # the reason code in force after the event
    sa.Column("assignee", sa.Text),  # the person working it after the event
    sa.Column("actor", sa.Text, nullable=False),  # who
    sa.Column("why", sa.Text, nullable=False),  # why (a recorded decision)
    sa.Column("batch_id", BIGINT),  # the batch a correction (or a released row) posted
    sa.Column("entry_id", BIGINT),  # its journal entry
    sa.Column("override_id", sa.Text),  # the override that released it
    sa.Column("row_key", sa.String(64)),  # the corrected row's key (prodlib.rowkeys)
    sa.Column("night", sa.String(10)),  # the reconciliation night (ISO date) of a reconcile event
    sa.Column("recorded_at", sa.Text, nullable=False),  # when (beside the seal, as every ledger time)
    sa.Column("seal", sa.String(64), nullable=False),
    sa.Index("ix_exception_events_exception", "exception_id", "event_id"),
)
# --- migration 10 ----------------------------------------------------------------------------

# budget_versions, budget_lines and period_closes are keyed per production from migration 10 on
# (production_id first; see migrations._TENANT_KEYS); the definitions above are migration 1's.
# access_members / access_grants (who holds which role) are prodlib.access.rls's.

# --- migration 9 (emergency overrides, prodlib.overrides) ------------------------------------

# An override as requested: what it bypasses (the rule, i.e. the quarantined rows' reason code),
# the amount, the justification, who asked and who keyed it in, and the production's policy at the
# time of the request (threshold of a third approver, execution window). Sealed by its ``request``
# transition. Its state is its last transition's ``to_state``.
override_requests = sa.Table(
    "override_requests",
    metadata,
    sa.Column("override_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("justification_code", sa.Text, nullable=False),
    sa.Column("justification_text", sa.Text, nullable=False),
    sa.Column("requester", sa.Text, nullable=False),
    sa.Column("operator", sa.Text, nullable=False),
    sa.Column("third_approval_above_cents", sa.BigInteger, nullable=False),
    sa.Column("execute_within_hours", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
)

# The quarantined rows (``quarantine.q_id``) an override names.
override_rows = sa.Table(
    "override_rows",
    metadata,
    sa.Column("override_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("q_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
)

# Every transition of every override, one hash chain (chain head ``overrides``): SHA-256 over the
# canonical payload and the previous transition's hash; each also sealed by an audit event.
override_transitions = sa.Table(
    "override_transitions",
    metadata,
    sa.Column("transition_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("override_id", BIGINT, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("from_state", sa.Text),
    sa.Column("to_state", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),  # the event's time (inside the hash: expiry is decided by it)
    sa.Column("payload", sa.Text, nullable=False),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("transition_hash", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
    sa.Index("ix_override_transitions_override", "override_id"),
)

# Per transition, one record to each addressee (the production accountant, the completion guarantor).
override_routing = sa.Table(
    "override_routing",
    metadata,
    sa.Column("routing_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("override_id", BIGINT, nullable=False),
    sa.Column("transition_id", BIGINT, nullable=False),
    sa.Column("addressee", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Text, nullable=False),
)

# What an execution posted: per quarantined row its journal entry and row key (one row, one override).
override_postings = sa.Table(
    "override_postings",
    metadata,
    sa.Column("override_id", BIGINT, nullable=False),
    sa.Column("q_id", BIGINT, nullable=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("batch_id", BIGINT, nullable=False),
    sa.Column("entry_id", BIGINT, nullable=False),
    sa.Column("row_key", sa.String(64), nullable=False),
    sa.UniqueConstraint("production_id", "q_id", name="uq_override_postings_row"),
)

V1_TABLES = [chain_heads, batches, journal_entries, journal_lines, quarantine, audit_events, budget_versions,
             budget_lines]
V2_TABLES = [period_closes, purchase_orders, etc_entries]
V3_TABLES = [estimates]
V6_TABLES = [posted_rows]
V7_TABLES = [journal_fx]
V8_TABLES = [exceptions, exception_events]
V9_TABLES = [override_requests, override_rows, override_transitions, override_routing, override_postings]
#: Tables migration 2 made append-only (frozen: migrations never change).
APPEND_ONLY_V2 = [t.name for t in V1_TABLES + V2_TABLES if t is not chain_heads]
#: Tables that triggers make append-only (no UPDATE, no DELETE) today.
APPEND_ONLY = [n for n in APPEND_ONLY_V2 if n != "etc_entries"] + ["estimates", "posted_rows"]
#: Made append-only by migration 7 (tests/test_fx.py checks it on a ledger with foreign entries).
APPEND_ONLY_V7 = ["journal_fx"]
#: Made append-only by migration 8 (the exception queue).
APPEND_ONLY_V8 = ["exceptions", "exception_events"]
#: Made append-only by migration 9 (tests/overrides/test_chain.py checks each refuses a DELETE).
APPEND_ONLY_V9 = [t.name for t in V9_TABLES]

# --- migration 11 (bondrep: the query log) ---------------------------------------------------

# Every statement a logged role's reading session ran (bond representative, auditor): who, when,
# in which scope, the statement's fingerprint (normalised SQL, literals stripped, SHA-256) and the
# rows it returned. Append-only and hash-chained on its own chain ("queries" in chain_heads);
# ``logged_at`` is inside the hash (the time is what the log records). prodlib.ledger.querylog.
query_log = sa.Table(
    "query_log",
    metadata,
    sa.Column("log_id", BIGINT, primary_key=True, autoincrement=False),
    sa.Column("production_id", sa.Text, nullable=False),
    sa.Column("person_id", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("logged_at", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),  # normalised: no literal, no parameter value
    sa.Column("row_count", BIGINT, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("log_hash", sa.String(64), nullable=False),
    sa.Index("ix_query_log_person", "person_id"),
)
V11_TABLES = [query_log]
APPEND_ONLY_V11 = ["query_log"]
#: The query log's chain in ``chain_heads``.
QUERY_CHAIN = "queries"
