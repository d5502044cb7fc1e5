"""What each audit event seals, recomputed from the stored rows (used by verify)."""

from __future__ import annotations

import sqlalchemy as sa

from prodlib.ledger import chain as ch
from prodlib.money import from_cents


def _rows(conn: sa.Connection, sql: str, **params) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def _d(v) -> str | None:
    if v is None:
        return None
    return v.isoformat() if hasattr(v, "isoformat") else str(v)[:10]


def quarantine_records(conn: sa.Connection, batch_id: int) -> list[dict]:
    rows = _rows(conn, "SELECT q_id, production_id, batch_id, source_id, source_file, source_line, row_hash, "
                       "reason, field, detail, payload FROM quarantine WHERE batch_id = :b ORDER BY q_id", b=batch_id)
    for r in rows:
        for k in ("q_id", "batch_id", "source_line"):
            if r[k] is not None:
                r[k] = int(r[k])
    return rows


def budget_records(conn: sa.Connection, version_id: str) -> list[dict]:
    rows = _rows(conn, "SELECT line_no, cost_code, description, amount_cents FROM budget_lines "
                       "WHERE version_id = :v ORDER BY line_no", v=version_id)
    return [{"line_no": int(r["line_no"]), "cost_code": r["cost_code"], "description": r["description"],
             "amount": str(from_cents(int(r["amount_cents"])))} for r in rows]


def po_records(conn: sa.Connection, first: int, last: int) -> list[dict]:
    rows = _rows(conn, "SELECT po_row_id, po_number, vendor_id, po_date, cost_code, description, amount_cents, "
                       "status, effective_date FROM purchase_orders WHERE po_row_id BETWEEN :a AND :b "
                       "ORDER BY po_row_id", a=first, b=last)
    return [po_record(r) for r in rows]


def po_record(r: dict) -> dict:
    return {"po_row_id": int(r["po_row_id"]), "po_number": r["po_number"], "vendor_id": r["vendor_id"],
            "po_date": _d(r["po_date"]), "cost_code": r["cost_code"], "description": r["description"],
            "amount": str(from_cents(int(r["amount_cents"]))), "status": r["status"],
            "effective_date": _d(r["effective_date"])}


def estimate_record(r: dict) -> dict:
    return {"estimate_id": int(r["estimate_id"]), "account": r["account"], "effective_date": _d(r["effective_date"]),
            "efc": str(from_cents(int(r["efc_cents"]))), "reason": r["reason"], "author": r["author"]}


def check(conn: sa.Connection, etype: str, p: dict, entry_hashes: dict) -> str | None:
    if etype == "batch_posted":
        rows = _rows(conn, "SELECT * FROM batches WHERE batch_id = :b", b=p["batch_id"])
        if not rows:
            return f"batch {p['batch_id']} sealed by this event is missing"
        b = rows[0]
        for k in ("source_id", "source_file", "file_hash", "kind", "rows_read", "rows_posted", "rows_quarantined",
                  "first_entry_id", "last_entry_id"):
            got = b[k] if b[k] is None or isinstance(b[k], str) else int(b[k])
            if got != p[k]:
                return f"batch {p['batch_id']}: {k} is {got!r}, sealed {p[k]!r}"
        if p["last_entry_id"] is not None and entry_hashes.get(p["last_entry_id"]) != p["journal_head"]:
            return f"batch {p['batch_id']}: journal entry {p['last_entry_id']} differs from the hash sealed here"
        if ch.rows_digest(quarantine_records(conn, p["batch_id"])) != p["quarantine_digest"]:
            return f"batch {p['batch_id']}: quarantine rows differ from those sealed"
    elif etype == "budget_recorded":
        rows = _rows(conn, "SELECT * FROM budget_versions WHERE version_id = :v", v=p["version_id"])
        if not rows or rows[0]["content_hash"] != p["content_hash"]:
            return f"budget version {p['version_id']}: header differs from the one sealed"
        v = rows[0]
        for k in ("kind", "parent_version_id", "author", "reason"):
            if v[k] != p[k]:
                return f"budget version {p['version_id']}: {k} differs from the one sealed"
        if _d(v["locked_on"]) != p["locked_on"] or _d(v["effective_date"]) != p["effective_date"]:
            return f"budget version {p['version_id']}: dates differ from those sealed"
        if ch.rows_digest(budget_records(conn, p["version_id"])) != p["lines_digest"]:
            return f"budget version {p['version_id']}: lines differ from those sealed"
    elif etype == "purchase_orders_recorded":
        if ch.rows_digest(po_records(conn, p["first_row"], p["last_row"])) != p["digest"]:
            return f"purchase order rows {p['first_row']}-{p['last_row']} differ from those sealed"
    elif etype == "estimate_recorded":
        rows = _rows(conn, "SELECT * FROM estimates WHERE estimate_id = :i", i=p["estimate_id"])
        if not rows or estimate_record(rows[0]) != {k: p.get(k) for k in estimate_record(rows[0])}:
            return f"estimate {p['estimate_id']} differs from the one sealed"
    elif etype == "period_closed":
        rows = _rows(conn, "SELECT * FROM period_closes WHERE period = :p", p=p["period"])
        if not rows or _d(rows[0]["closed_on"]) != p["closed_on"] or rows[0]["author"] != p["author"] \
                or rows[0]["reason"] != p["reason"]:
            return f"period close {p['period']} differs from the one sealed"
    return None
