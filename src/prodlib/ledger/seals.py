"""One builder per sealed record: what an audit event seals of each row it covers.

The writers build an event's payload with these functions from the rows they insert; ``verify``
rebuilds the same records from the stored rows with the SAME functions and compares. (Journal
entries are sealed by :func:`prodlib.ledger.chain.entry_parts`, likewise shared.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import sqlalchemy as sa

from prodlib.columns import QUARANTINE_COLUMNS
from prodlib.ledger import chain as ch
from prodlib.money import from_cents

BATCH_FIELDS = ("batch_id", "source_id", "source_file", "file_hash", "kind", "rows_read", "rows_posted",
                "rows_quarantined", "first_entry_id", "last_entry_id", "rows_already_posted")
#: What an event sealed before a field existed means by its absence (migration 6: nothing skipped).
_BATCH_DEFAULTS = {"rows_already_posted": 0}
QUARANTINE_FIELDS = ("q_id", "production_id", "batch_id", *QUARANTINE_COLUMNS)
_QUARANTINE_INTS = ("q_id", "batch_id", "source_line")


def _rows(conn: sa.Connection, sql: str, **params) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def _d(v) -> str | None:
    if v is None:
        return None
    return v.isoformat() if hasattr(v, "isoformat") else str(v)[:10]


def _int(v) -> int | None:
    return None if v is None else int(v)


def batch_record(r: Mapping) -> dict:
    """A batch's counts and entry range, as the ``batch_posted`` event seals them."""
    return {k: (r[k] if r[k] is None or isinstance(r[k], str) else int(r[k])) for k in BATCH_FIELDS}


def quarantine_record(r: Mapping) -> dict:
    """A stored quarantine row, as a batch's ``quarantine_digest`` covers it."""
    return {k: (_int(r[k]) if k in _QUARANTINE_INTS else r[k]) for k in QUARANTINE_FIELDS}


def budget_record(r: Mapping) -> dict:
    """A budget line, as a version's ``lines_digest`` covers it."""
    return {"line_no": int(r["line_no"]), "cost_code": r["cost_code"], "description": r["description"],
            "amount": str(from_cents(int(r["amount_cents"])))}


def po_record(r: Mapping) -> dict:
    """One version of a purchase order, as a ``purchase_orders_recorded`` digest covers it."""
    return {"po_row_id": int(r["po_row_id"]), "po_number": r["po_number"], "vendor_id": r["vendor_id"],
            "po_date": _d(r["po_date"]), "cost_code": r["cost_code"], "description": r["description"],
            "amount": str(from_cents(int(r["amount_cents"]))), "status": r["status"],
            "effective_date": _d(r["effective_date"])}


def estimate_record(r: Mapping) -> dict:
    """An estimate, as the ``estimate_recorded`` event seals it."""
    return {"estimate_id": int(r["estimate_id"]), "account": r["account"], "effective_date": _d(r["effective_date"]),
            "efc": str(from_cents(int(r["efc_cents"]))), "reason": r["reason"], "author": r["author"]}


def period_close_record(r: Mapping) -> dict:
    """A period close, as the ``period_closed`` event seals it."""
    return {"period": r["period"], "closed_on": _d(r["closed_on"]), "author": r["author"], "reason": r["reason"]}


def row_keys_digest(keys: list[str]) -> str:
    """SHA-256 over a batch's posted row keys, in sorted order (the order they are stored in is not kept)."""
    return ch.sha256_hex("\n".join(sorted(keys)))


def posted_row_keys(conn: sa.Connection, batch_id: int) -> list[str]:
    return [r["row_key"] for r in _rows(conn, "SELECT row_key FROM posted_rows WHERE batch_id = :b", b=batch_id)]


def quarantine_records(conn: sa.Connection, batch_id: int) -> list[dict]:
    rows = _rows(conn, f"SELECT {', '.join(QUARANTINE_FIELDS)} FROM quarantine WHERE batch_id = :b ORDER BY q_id",
                 b=batch_id)
    return [quarantine_record(r) for r in rows]


def budget_records(conn: sa.Connection, version_id: str, production_id: str) -> list[dict]:
    rows = _rows(conn, "SELECT line_no, cost_code, description, amount_cents FROM budget_lines "
                       "WHERE version_id = :v AND production_id = :p ORDER BY line_no", v=version_id, p=production_id)
    return [budget_record(r) for r in rows]


def po_records(conn: sa.Connection, first: int, last: int) -> list[dict]:
    rows = _rows(conn, "SELECT po_row_id, po_number, vendor_id, po_date, cost_code, description, amount_cents, "
                       "status, effective_date FROM purchase_orders WHERE po_row_id BETWEEN :a AND :b "
                       "ORDER BY po_row_id", a=first, b=last)
    return [po_record(r) for r in rows]


def _sealed(record: dict, payload: dict) -> bool:
    return record == {k: payload.get(k) for k in record}


def check(conn: sa.Connection, etype: str, p: dict, entry_hashes: dict, production_id: str = "default") -> str | None:
    """Recompute what an audit event seals; None if the stored rows still match. ``production_id``: the
    event's (budget versions and period closes are keyed per production)."""
    if etype == "batch_posted":
        rows = _rows(conn, "SELECT * FROM batches WHERE batch_id = :b", b=p["batch_id"])
        if not rows:
            return f"batch {p['batch_id']} sealed by this event is missing"
        got = batch_record(rows[0])
        for k in BATCH_FIELDS:
            sealed = p.get(k, _BATCH_DEFAULTS[k]) if k in _BATCH_DEFAULTS else p[k]
            if got[k] != sealed:
                return f"batch {p['batch_id']}: {k} is {got[k]!r}, sealed {sealed!r}"
        if p["last_entry_id"] is not None and entry_hashes.get(p["last_entry_id"]) != p["journal_head"]:
            return f"batch {p['batch_id']}: journal entry {p['last_entry_id']} differs from the hash sealed here"
        if ch.rows_digest(quarantine_records(conn, p["batch_id"])) != p["quarantine_digest"]:
            return f"batch {p['batch_id']}: quarantine rows differ from those sealed"
        if "row_keys_digest" in p and row_keys_digest(posted_row_keys(conn, p["batch_id"])) != p["row_keys_digest"]:
            return f"batch {p['batch_id']}: posted row keys differ from those sealed"
        if p.get("exceptions"):  # the exceptions its quarantine opened (migration 8)
            return check_exceptions(conn, p["exceptions"])
    elif etype == "budget_recorded":
        rows = _rows(conn, "SELECT * FROM budget_versions WHERE version_id = :v AND production_id = :p",
                     v=p["version_id"], p=production_id)
        if not rows or rows[0]["content_hash"] != p["content_hash"]:
            return f"budget version {p['version_id']}: header differs from the one sealed"
        v = rows[0]
        for k in ("kind", "parent_version_id", "author", "reason"):
            if v[k] != p[k]:
                return f"budget version {p['version_id']}: {k} differs from the one sealed"
        if _d(v["locked_on"]) != p["locked_on"] or _d(v["effective_date"]) != p["effective_date"]:
            return f"budget version {p['version_id']}: dates differ from those sealed"
        if ch.rows_digest(budget_records(conn, p["version_id"], production_id)) != p["lines_digest"]:
            return f"budget version {p['version_id']}: lines differ from those sealed"
    elif etype == "purchase_orders_recorded":
        if ch.rows_digest(po_records(conn, p["first_row"], p["last_row"])) != p["digest"]:
            return f"purchase order rows {p['first_row']}-{p['last_row']} differ from those sealed"
    elif etype == "estimate_recorded":
        rows = _rows(conn, "SELECT * FROM estimates WHERE estimate_id = :i", i=p["estimate_id"])
        if not rows or not _sealed(estimate_record(rows[0]), p):
            return f"estimate {p['estimate_id']} differs from the one sealed"
    elif etype == "exceptions_recorded":
        return check_exceptions(conn, p)
    elif etype == "period_closed":
        rows = _rows(conn, "SELECT * FROM period_closes WHERE period = :p AND production_id = :r",
                     p=p["period"], r=production_id)
        if not rows or not _sealed(period_close_record(rows[0]), p):
            return f"period close {p['period']} differs from the one sealed"
    return None


# --- the exception queue (migration 8) ---------------------------------------------------------

EXCEPTION_FIELDS = ("exception_id", "production_id", "origin", "kind", "reason", "fingerprint", "source_kind",
                    "source_id", "source_file", "source_line", "q_id", "batch_id", "payload", "amount_cents",
                    "figures", "roles", "detail")
EXCEPTION_EVENT_FIELDS = ("event_id", "production_id", "exception_id", "action", "state", "reason", "assignee",
                          "actor", "why", "batch_id", "entry_id", "override_id", "row_key", "night")
_EXCEPTION_INTS = ("exception_id", "source_line", "q_id", "batch_id", "amount_cents", "event_id", "entry_id")


def exception_record(r: Mapping, fields: tuple[str, ...] = EXCEPTION_FIELDS) -> dict:
    """An exception (or, with ``EXCEPTION_EVENT_FIELDS``, one of its events) as its ``seal`` covers it:
    every column but ``recorded_at`` (wall-clock, beside the seal) and the seal itself."""
    return {k: (_int(r[k]) if k in _EXCEPTION_INTS else r[k]) for k in fields}


def exception_seal(r: Mapping, fields: tuple[str, ...] = EXCEPTION_FIELDS) -> str:
    """SHA-256 of a queue row's canonical record: what its ``seal`` column holds."""
    return ch.sha256_hex(ch.canonical_json(exception_record(r, fields)))


def exceptions_digest(exception_seals: list[str], event_seals: list[str]) -> str:
    """What an ``exceptions_recorded`` audit event seals: the seals of the rows it wrote, in id order."""
    return ch.sha256_hex("\n".join(["exceptions", *exception_seals, "events", *event_seals]))


def _queue_rows(conn: sa.Connection, table: str, key: str, first, last) -> list[dict]:
    if first is None:
        return []
    return _rows(conn, f"SELECT * FROM {table} WHERE {key} BETWEEN :a AND :b ORDER BY {key}", a=first, b=last)


def check_exceptions(conn: sa.Connection, p: dict) -> str | None:
    """An ``exceptions_recorded`` event: each row it covers still matches its seal, none is missing,
    and the seals are those the event sealed. Names the first row that differs."""
    got = []
    for table, key, fields, label in (("exceptions", "exception_id", EXCEPTION_FIELDS, "exception"),
                                      ("exception_events", "event_id", EXCEPTION_EVENT_FIELDS, "exception event")):
        first, last = p[f"first_{label.split()[-1]}"], p[f"last_{label.split()[-1]}"]
        rows = _queue_rows(conn, table, key, first, last)
        for r in rows:
            if exception_seal(r, fields) != r["seal"]:
                what = f" (of exception {r['exception_id']})" if table == "exception_events" else ""
                return f"{label} {r[key]}{what}: its content differs from its seal (edited in the database?)"
        if first is not None and len(rows) != last - first + 1:
            return f"{label}s {first}-{last}: {last - first + 1 - len(rows)} missing (deleted?)"
        got.append([r["seal"] for r in rows])
    if exceptions_digest(*got) != p["digest"]:
        return (f"exceptions {p['first_exception']}-{p['last_exception']}, events {p['first_event']}-"
                f"{p['last_event']}: seals differ from those sealed (a row and its seal rewritten?)")
    return None


def unsealed_exceptions(conn: sa.Connection) -> str | None:
    """Queue rows past the last ``exceptions_recorded`` event: written around the API (no audit event)."""
    if not sa.inspect(conn).has_table("exception_events"):
        return None
    sealed = {"last_exception": 0, "last_event": 0}
    for etype, payload in conn.execute(sa.text(
            "SELECT event_type, payload FROM audit_events WHERE event_type = 'exceptions_recorded' "
            "OR (event_type = 'batch_posted' AND payload LIKE :pat)"), {"pat": '%"exceptions":%'}):
        p = json.loads(payload)
        p = p.get("exceptions", {}) if etype == "batch_posted" else p
        for k in sealed:
            sealed[k] = max(sealed[k], int(p.get(k) or 0))
    for table, key, label in (("exceptions", "exception_id", "exception"), ("exception_events", "event_id", "event")):
        top = conn.exec_driver_sql(f"SELECT MAX({key}) FROM {table}").scalar()
        upto = sealed.get(f"last_{label}") or 0
        if top is not None and int(top) > int(upto):
            return f"{'exception' if label == 'exception' else 'exception event'} {int(upto) + 1}: " \
                   "written without an audit event (appended around the API)"
    return None
