"""Canonical content and the SHA-256 hash chain.

An entry's hash is SHA-256 over a canonical JSON object (keys sorted, no spaces, UTF-8, amounts
as fixed-scale strings "-12.30", dates ISO) that includes the previous entry's hash. Wall-clock
time is never inside: the same postings give the same hashes on any day, on any backend.

The canonical text is built column-wise with Arrow string kernels; only the chaining loop (each
hash needs the one before) runs per entry. Posting and verifying call the SAME builder.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prodlib.ledger.frames import cents_to_money_array

GENESIS = "0" * 64

#: Key order of the canonical journal entry (alphabetical: json.dumps(sort_keys=True) order).
ENTRY_KEYS = (
    "author", "batch", "date", "desc", "doc", "id", "kind", "line", "lines", "party", "po", "prev",
    "production", "reason", "reverses", "row_hash", "source",
)
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause Python's cyclic GC during bulk work: millions of short-lived tuples, no cycles, and
    repeated full collections would make a million-entry batch or verify superlinear."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def canonical_json(obj: object) -> str:
    """THE canonical form of a JSON value: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_str_array(values: Sequence | pa.Array) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else pc.cast(values, pa.string())
    return pa.array([None if v is None else str(v) for v in values], pa.string())


def json_strings(values: Sequence | pa.Array) -> pa.Array:
    """Each value as a JSON string literal ("null" for missing), equal to json.dumps per value."""
    arr = _as_str_array(values)
    quoted = pc.binary_join_element_wise('"', arr, '"', "")
    needs = pc.fill_null(pc.match_substring_regex(arr, _NEEDS_ESCAPE), False)
    if pc.any(needs).as_py():
        idx = np.flatnonzero(needs.to_numpy(zero_copy_only=False))
        out = quoted.to_pylist()
        raw = arr.to_pylist()
        for i in idx:
            out[i] = json.dumps(raw[i], ensure_ascii=False)
        quoted = pa.array(out, pa.string())
    return pc.fill_null(quoted, "null")


def json_ints(values: Sequence | pa.Array | np.ndarray) -> pa.Array:
    """Integers as JSON ("null" for missing)."""
    if isinstance(values, np.ndarray):
        arr = pa.array(values)
    elif isinstance(values, pa.Array | pa.ChunkedArray):
        arr = values
    else:
        arr = pa.array([None if v is None else int(v) for v in values], pa.int64())
    return pc.fill_null(pc.cast(arr, pa.string()), "null")


def json_dates(values: Sequence[date | str] | pa.Array) -> pa.Array:
    """Dates (date objects, date32 or ISO text) as JSON strings "YYYY-MM-DD"."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        arr = values
        if pa.types.is_date(arr.type):
            arr = pc.strftime(pc.cast(arr, pa.timestamp("s")), "%Y-%m-%d")
        return json_strings(arr)
    return json_strings([None if v is None else (v.isoformat() if isinstance(v, date) else str(v)) for v in values])


def lines_json(line_entry_ids: np.ndarray, accounts: Sequence | pa.Array, cents: np.ndarray,
               entry_ids: np.ndarray) -> list[str]:
    """Per entry, its lines in order as ``[["AP","-12.30"],["2500-02","12.30"]]``.

    ``line_entry_ids`` must be grouped by entry in the order of ``entry_ids`` (lines sorted by
    entry then line number). An entry without lines gets ``[]``.
    """
    amounts = pc.cast(cents_to_money_array(cents), pa.string())
    each = pc.binary_join_element_wise("[", json_strings(accounts), ',"', amounts, '"]', "").to_pylist()
    starts = np.searchsorted(line_entry_ids, entry_ids, side="left")
    ends = np.searchsorted(line_entry_ids, entry_ids, side="right")
    # searchsorted needs line_entry_ids ascending, which grouped-by-entry-in-id-order gives.
    return ["[" + ",".join(each[a:b]) + "]" for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def fx_json(currencies: Sequence | pa.Array, original_cents: Sequence | np.ndarray,
            rates: Sequence | pa.Array) -> pa.Array:
    """A foreign-currency entry's ``fx`` value, ``{"amount":"-1234.56","currency":"EUR","rate":"1.0825"}``
    (null where the entry has none: no currency)."""
    cur = _as_str_array(currencies)
    cents = np.asarray([0 if c is None else int(c) for c in original_cents], dtype=np.int64)
    amounts = pc.cast(cents_to_money_array(cents), pa.string())
    text = pc.binary_join_element_wise('{"amount":"', amounts, '","currency":', json_strings(cur), ',"rate":',
                                       json_strings(rates), "}", "")
    return pc.if_else(pc.is_null(cur), pa.scalar(None, pa.string()), text)


def entry_parts(cols: dict[str, pa.Array | Sequence], lines: list[str]) -> tuple[list[str], list[str]]:
    """Canonical text of each entry split around the previous hash: ``head + prev + tail``.

    ``cols`` holds one column per key of ENTRY_KEYS except lines and prev: author, batch (int),
    date (date), desc, doc, id (int), kind, line (int), party, po, production, reason,
    reverses (int), row_hash, source; and optionally ``fx`` (:func:`fx_json`, null where none): an
    entry with an ``fx`` value has the key ``"fx"`` (between "doc" and "id", sorted order); an entry
    without one has no such key, so its text is byte for byte what it was before foreign currency.
    """
    ints = {"batch", "id", "line", "reverses"}
    enc: dict[str, pa.Array] = {}
    for k in ENTRY_KEYS:
        if k in ("lines", "prev"):
            continue
        if k in ints:
            enc[k] = json_ints(cols[k])
        elif k == "date":
            enc[k] = json_dates(cols[k])
        else:
            enc[k] = json_strings(cols[k])
    lines_arr = pa.array(lines, pa.string())
    head_keys = ENTRY_KEYS[: ENTRY_KEYS.index("prev")]
    tail_keys = ENTRY_KEYS[ENTRY_KEYS.index("prev") + 1 :]
    pieces: list = []
    fx = cols.get("fx")
    for i, k in enumerate(head_keys):
        if k == "id" and fx is not None:
            fx_arr = fx if isinstance(fx, pa.Array) else pa.array(list(fx), pa.string())
            pieces.append(pc.fill_null(pc.binary_join_element_wise(',"fx":', fx_arr, ""), ""))
        pieces.append(("{" if i == 0 else ",") + f'"{k}":')
        pieces.append(lines_arr if k == "lines" else enc[k])
    pieces.append(',"prev":"')
    head = pc.binary_join_element_wise(*pieces, "")
    pieces = []
    for i, k in enumerate(tail_keys):
        pieces.append(('",' if i == 0 else ",") + f'"{k}":')
        pieces.append(enc[k])
    pieces.append("}")
    tail = pc.binary_join_element_wise(*pieces, "")
    return head.to_pylist(), tail.to_pylist()


def chain_hashes(heads: list[str], tails: list[str], prev: str) -> list[str]:
    """Hash each entry in order, each over its content and the hash before it."""
    out = []
    sha = hashlib.sha256
    for h, t in zip(heads, tails, strict=True):
        prev = sha((h + prev + t).encode("utf-8")).hexdigest()
        out.append(prev)
    return out


def rehash(heads: list[str], tails: list[str], prevs: list[str]) -> list[str]:
    """Hash each entry over its content and its STORED previous hash (for verification)."""
    sha = hashlib.sha256
    return [sha((h + p + t).encode("utf-8")).hexdigest() for h, p, t in zip(heads, prevs, tails, strict=True)]


def event_text(event_id: int, event_type: str, production_id: str, payload: str, prev: str) -> str:
    """Canonical text of an audit event; ``payload`` is already canonical JSON."""
    return (
        f'{{"id":{int(event_id)},"payload":{payload},"prev":"{prev}",'
        f'"production":{json.dumps(production_id, ensure_ascii=False)},'
        f'"type":{json.dumps(event_type, ensure_ascii=False)}}}'
    )


def rows_digest(rows: list[dict]) -> str:
    """SHA-256 over a list of canonical rows: what an audit event seals of the rows it covers."""
    h = hashlib.sha256()
    for r in rows:
        h.update(canonical_json(r).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


# --- the same canonical text, one f-string per entry (audit verify's fast path) -----------------

_ESCAPED = bytes(range(32)) + b"\\"  # what JSON escapes besides the double quote
#: Double quotes in an entry's text apart from its string values: 17 keys, the date and prev values.
_ENTRY_QUOTES = 2 * len(ENTRY_KEYS) + 4
#: Per journal line ``["AP","-12.30"]``, and per ``fx`` value apart from its currency and rate.
_LINE_QUOTES, _FX_QUOTES = 4, 12


def money_text(c: int) -> str:
    """Cents as the canonical money text ("-12.30", "0.05"): what ``cents_to_money_array`` casts to."""
    return f"-{-c // 100}.{-c % 100:02d}" if c < 0 else f"{c // 100}.{c % 100:02d}"


def fast_entry_texts(entries: list[tuple], lines: list[tuple], fx: dict[int, tuple]) -> tuple[list[str], int] | None:
    """The canonical text of each entry, byte for byte what :func:`entry_parts` gives, built with one
    f-string per entry; or None when that is not certain and the caller must use :func:`entry_parts`.

    ``entries``: (entry_id, author, batch_id, entry_date, description, document_no, kind, source_line,
    party_id, po_number, prev_hash, production_id, reason, reverses_entry_id, row_hash, source_id,
    the count of its non-null string values, and any further columns, ignored) in id order;
    ``lines``: (entry_id, account, amount_cents) in entry then line order (lines of an id not among
    the entries are left out: the caller checks for them); ``fx``: {entry_id: (currency,
    original_cents, rate)}. Plain concatenation is a value's JSON only when it needs no escaping, so
    the whole text is checked at once: no backslash or control character, and exactly the double
    quotes of its structure and its string values (one more quote anywhere, inside a description or
    an account, is a value JSON would have escaped).
    Returns (texts, lines used).
    """
    n_lines = len(lines)
    line_ids = np.fromiter((r[0] for r in lines), np.int64, n_lines)
    cents = np.fromiter((r[2] for r in lines), np.int64, n_lines)
    amounts = pc.cast(cents_to_money_array(cents), pa.string()).to_pylist()
    each = [f'["{r[1]}","{m}"]' for r, m in zip(lines, amounts, strict=True)]
    ids = np.fromiter((r[0] for r in entries), np.int64, len(entries))
    starts = np.searchsorted(line_ids, ids, side="left").tolist()
    ends = np.searchsorted(line_ids, ids, side="right").tolist()
    used = sum(ends) - sum(starts)
    out, expected, q = [], 0, '"'
    for (eid, au, b, d, de, doc, k, sl, pa_, po, prev, prod, rs, rev, rh, src, strings, *_), a, z in zip(
            entries, starts, ends, strict=True):
        f = fx.get(eid)
        fxt = "" if f is None else (f',"fx":{{"amount":"{money_text(f[1])}","currency":"{f[0]}",'
                                    f'"rate":"{f[2]}"}}')
        out.append(
            f'{{"author":{"null" if au is None else q + au + q},'
            f'"batch":{"null" if b is None else b},"date":"{str(d)[:10]}",'
            f'"desc":{"null" if de is None else q + de + q},'
            f'"doc":{"null" if doc is None else q + doc + q}{fxt},"id":{eid},'
            f'"kind":{"null" if k is None else q + k + q},"line":{"null" if sl is None else sl},'
            f'"lines":[{",".join(each[a:z])}],"party":{"null" if pa_ is None else q + pa_ + q},'
            f'"po":{"null" if po is None else q + po + q},"prev":"{prev}",'
            f'"production":{"null" if prod is None else q + prod + q},'
            f'"reason":{"null" if rs is None else q + rs + q},'
            f'"reverses":{"null" if rev is None else rev},'
            f'"row_hash":{"null" if rh is None else q + rh + q},'
            f'"source":{"null" if src is None else q + src + q}}}')
        expected += _ENTRY_QUOTES + 2 * strings + (0 if f is None else _FX_QUOTES + 2 * (f[2] is not None))
    expected += _LINE_QUOTES * used
    whole = "".join(out).encode("utf-8")
    if whole.count(b'"') != expected or len(whole.translate(None, _ESCAPED)) != len(whole):
        return None
    return out, used
