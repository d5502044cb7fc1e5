"""Raw export -> canonical frame: every cell read as text, then parsed exactly, row by row located.

Reading is strict and total: each data row of a file comes out either in the canonical frame or in
the quarantine frame (with its physical line number, the field at fault and the raw payload).
Nothing here guesses a format: dates and money follow the source's declared ``date_format`` and
``money_locale``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from prodlib.columns import BOOKKEEPING, QUARANTINE_COLUMNS
from prodlib.money import MONEY_DTYPE, parse_money_column
from prodlib.reasons import Reason
from prodlib.sources import InputError, SourceSpec

DATE_DTYPE = pd.ArrowDtype(pa.date32())
QUANTITY_TYPE = pa.decimal128(14, 4)  # hours and unit rates: up to 4 decimals, exact
QUANTITY_DTYPE = pd.ArrowDtype(QUANTITY_TYPE)

#: Canonical columns per input kind: name -> (type, required). The Great Expectations suite of the
#: kind checks the values; this table says what a source's mapping must provide.
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "invoice": {
        "vendor_id": ("text", True), "vendor_name": ("text", False), "invoice_number": ("text", True),
        "invoice_date": ("date", True), "po_number": ("text", False), "cost_code": ("text", False),
        "description": ("text", False), "amount": ("money", True),
    },
    "purchase_order": {
        "po_number": ("text", True), "vendor_id": ("text", True), "vendor_name": ("text", False),
        "po_date": ("date", True),
        "cost_code": ("text", True), "description": ("text", False), "amount": ("money", True),
        "status": ("text", True),
    },
    "timecard": {
        "employee_id": ("text", True), "work_date": ("date", True), "call_time": ("time", True),
        "meal1_out": ("time", False), "meal1_in": ("time", False), "meal2_out": ("time", False),
        "meal2_in": ("time", False), "wrap_time": ("time", True),
    },
    "payroll": {
        "employee_id": ("text", True), "employee_name": ("text", False), "union": ("text", True),
        "classification": ("text", True), "state": ("text", True), "period_end": ("date", True),
        "work_date": ("date", False), "cost_code": ("text", True), "earning_type": ("text", True),
        "hours": ("quantity", False), "rate": ("quantity", False), "amount": ("money", True),
        "episode": ("text", False),
    },
    "petty_cash": {
        "envelope_id": ("text", True), "custodian": ("text", True), "receipt_date": ("date", True),
        "cost_code": ("text", False), "description": ("text", False), "amount": ("money", True),
    },
    "bank": {
        "transaction_id": ("text", True), "posted_date": ("date", True), "description": ("text", False),
        "reference": ("text", False), "amount": ("money", True), "bank_account": ("text", False),
    },
    "check_register": {  # the books' cash: checks, ACH, wires, deposits (the book side of the bank reconciliation)
        "bank_account": ("text", True), "document_no": ("text", True), "method": ("text", True),
        "payment_date": ("date", True), "payee_id": ("text", False), "payee_name": ("text", False),
        "category": ("text", False), "reference": ("text", False), "envelope_id": ("text", False),
        "amount": ("money", True),
    },
    "budget": {"cost_code": ("text", True), "description": ("text", False), "amount": ("money", True)},
}


_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_QUANTITY = "^-?\\d+(\\.\\d{1,4})?$"


@dataclass(frozen=True)
class IngestResult:
    spec: SourceSpec
    file_hash: str
    rows_read: int
    frame: pd.DataFrame  # canonical columns + bookkeeping, good rows only
    quarantine: pd.DataFrame  # QUARANTINE_COLUMNS
    raw: pd.DataFrame  # every data row as text (header names), indexed like frame/quarantine


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_line" else "string") for c in QUARANTINE_COLUMNS})


def quarantine_rows(
    raw: pd.DataFrame, meta: pd.DataFrame, mask: np.ndarray | pd.Series, reason: Reason, field: str, detail: pd.Series
) -> pd.DataFrame:
    """Quarantine rows of ``raw`` selected by ``mask`` with one reason; keeps each row's raw payload."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return empty_quarantine()
    sel = raw.loc[mask]
    payload = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in sel.to_dict(orient="records")]
    out = meta.loc[mask, list(BOOKKEEPING)].copy()
    out["reason"] = reason.value
    out["field"] = field
    out["detail"] = np.asarray(detail)[mask] if len(detail) == len(mask) else detail
    out["payload"] = payload
    return out.astype({"reason": "string", "field": "string", "detail": "string", "payload": "string"})


def _read_text_table(spec: SourceSpec, data: bytes) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """All cells as strings, and each row's physical line number (header = line 1)."""
    display = spec.display_path
    try:
        text_head = data[:65536].decode(spec.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(display, f"cannot decode as {spec.encoding}: {exc}") from None
    first = next(csv.reader(io.StringIO(text_head.lstrip("\ufeff")), delimiter=spec.delimiter), None)
    if not first:
        raise InputError(display, "the file is empty: expected a header row", line=1)
    header = [h.strip() for h in first]
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError(display, f"duplicate column names {dupes}", line=1)
    bad_rows: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row.number if row.number is not None else -1)
        return "skip"

    fast: pd.DataFrame | None = None
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(encoding=spec.encoding, column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=spec.delimiter, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if not bad_rows and table.num_rows == n_lines - 1:
            fast = table.to_pandas(types_mapper=pd.ArrowDtype)
            lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    except pa.ArrowInvalid:
        fast = None
    if fast is not None:
        fast.columns = header
        return header, fast.astype("string[pyarrow]"), lines
    # Slow path, exact line numbers whatever the file holds: blank lines, quoted newlines, ragged rows.
    return _read_text_table_slow(spec, data, header)


def _read_text_table_slow(
    spec: SourceSpec, data: bytes, header: list[str]
) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    reader = csv.reader(io.StringIO(data.decode(spec.encoding).lstrip("\ufeff"), newline=""), delimiter=spec.delimiter)
    next(reader)
    rows, lines = [], []
    width = len(header)
    line_start = reader.line_num + 1
    for rec in reader:
        if rec:  # a blank line is not a row
            if len(rec) != width:
                # Keep the row (padded, or its surplus folded into the last cell): it is quarantined
                # as malformed with its payload, not dropped.
                if len(rec) < width:
                    rec = rec + [""] * (width - len(rec))
                else:
                    rec = rec[: width - 1] + [spec.delimiter.join(rec[width - 1 :])]
                lines.append(-line_start)  # negative marks a ragged row
            else:
                lines.append(line_start)
            rows.append(rec)
        line_start = reader.line_num + 1
    frame = pd.DataFrame(rows, columns=header, dtype="string[pyarrow]")
    return header, frame, np.asarray(lines, dtype=np.int64)


def _parse_dates(values: pd.Series, fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Strict strptime on each distinct value (dates repeat, so this is fast); bad -> null + flag.

    Python's strptime, not Arrow's: Arrow reads 31-Feb-26 as 3 March without a word.
    """
    arr = pc.utf8_trim_whitespace(pa.array(values.fillna(""), pa.string()))
    uniq = pc.unique(arr)
    parsed = []
    for s in uniq.to_pylist():
        try:
            parsed.append(datetime.strptime(s, fmt).date() if s else None)
        except ValueError:
            parsed.append(None)
    out = pc.take(pa.array(parsed, pa.date32()), pc.index_in(arr, value_set=uniq))
    blank = pc.equal(arr, "").to_numpy(zero_copy_only=False)
    bad = pc.is_null(out).to_numpy(zero_copy_only=False) & ~blank
    return pd.Series(out, index=values.index, dtype=DATE_DTYPE), bad


def _parse_quantities(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    s = pc.utf8_trim_whitespace(pa.array(values.fillna(""), pa.string()))
    s = pc.replace_substring_regex(s, r"^\$|,", "")
    blank = pc.equal(s, "").to_numpy(zero_copy_only=False)
    ok = pc.match_substring_regex(s, _QUANTITY).to_numpy(zero_copy_only=False)
    safe = pc.if_else(pa.array(ok), s, "0")
    arr = pc.if_else(pa.array(ok), pc.cast(safe, QUANTITY_TYPE), pa.scalar(None, QUANTITY_TYPE))
    return pd.Series(arr, index=values.index, dtype=QUANTITY_DTYPE), ~ok & ~blank


def _parse_times(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    s = values.fillna("").str.strip()
    ok = s.str.fullmatch(_TIME.pattern).fillna(False).to_numpy(dtype=bool)
    blank = (s == "").to_numpy(dtype=bool)
    return s.where(ok, pd.NA).astype("string[pyarrow]"), ~ok & ~blank


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_source(spec: SourceSpec) -> IngestResult:
    """Read one export into canonical columns; bad cells send their row to the quarantine."""
    display = spec.display_path
    try:
        data = spec.path.read_bytes()
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    schema = SCHEMAS[spec.kind]
    unknown = sorted(c for c in [*spec.columns, *spec.constants] if c not in schema)
    if unknown:
        raise InputError(display, f"sources.yaml maps unknown {spec.kind} columns {unknown}")
    missing = [c for c, (_, req) in schema.items() if req and c not in spec.columns and c not in spec.constants]
    if missing:
        raise InputError(display, f"sources.yaml maps no column for required {spec.kind} fields {missing}")
    header, raw, lines = _read_text_table(spec, data)
    absent = [f"{canon} <- {col!r}" for canon, col in spec.columns.items() if col not in header]
    if absent:
        raise InputError(display, f"header lacks mapped columns: {', '.join(absent)}; it has {header}", line=1)

    n = len(raw)
    raw.index = pd.RangeIndex(n)
    joined = pc.binary_join_element_wise(*[pa.array(raw[h].fillna(""), pa.string()) for h in header], "\x1f")
    meta = pd.DataFrame(
        {
            "source_id": pd.Series([spec.id] * n, dtype="string"),
            "source_file": pd.Series([display] * n, dtype="string"),
            "source_line": np.abs(lines),
            "row_hash": pd.Series([hashlib.sha256(s.encode()).hexdigest() for s in joined.to_pylist()], dtype="string"),
        }
    )
    frame = meta.copy()
    problems: list[tuple[np.ndarray, Reason, str, pd.Series]] = []
    ragged = lines < 0
    if ragged.any():
        problems.append((ragged, Reason.MALFORMED_VALUE, "", pd.Series(["row has the wrong number of fields"] * n)))
    for canon, (kind, _req) in schema.items():
        if canon in spec.columns:
            col = raw[spec.columns[canon]]
        elif canon in spec.constants:
            col = pd.Series([spec.constants[canon]] * n, dtype="string[pyarrow]")
        else:
            col = pd.Series([pd.NA] * n, dtype="string[pyarrow]")
        if kind == "text":
            stripped = col.str.strip()
            frame[canon] = stripped.where(stripped != "", pd.NA)
            continue
        if kind == "money":
            parsed = parse_money_column(pa.array(col.fillna(""), pa.string()), spec.money_locale)  # type: ignore[arg-type]
            frame[canon] = pd.Series(parsed.amounts, dtype=MONEY_DTYPE)
            bad, reason = parsed.bad, Reason.MALFORMED_AMOUNT
            what = f"not an amount in the source's '{spec.money_locale}' format"
        elif kind == "date":
            frame[canon], bad = _parse_dates(col, spec.date_format)
            reason, what = Reason.MALFORMED_DATE, f"not a date in format {spec.date_format}"
        elif kind == "quantity":
            frame[canon], bad = _parse_quantities(col)
            reason, what = Reason.MALFORMED_VALUE, "not a number with at most 4 decimals"
        elif kind == "time":
            frame[canon], bad = _parse_times(col)
            reason, what = Reason.MALFORMED_VALUE, "not a time HH:MM"
        else:  # pragma: no cover - SCHEMAS is ours
            raise AssertionError(kind)
        if bad.any():
            detail = pd.Series(np.full(n, "", dtype=object))
            detail[bad] = [f"{canon}={v!r}: {what}" for v in col[bad].fillna("")]
            problems.append((bad, reason, canon, detail))

    quarantined = np.zeros(n, dtype=bool)
    parts = []
    for mask, reason, field, detail in problems:  # first problem of a row wins; order is column order
        fresh = mask & ~quarantined
        if fresh.any():
            parts.append(quarantine_rows(raw, meta, fresh, reason, field, detail))
            quarantined |= fresh
    quarantine = pd.concat(parts) if parts else empty_quarantine()
    return IngestResult(
        spec=spec, file_hash=file_sha256(data), rows_read=n, frame=frame.loc[~quarantined],
        quarantine=quarantine, raw=raw,
    )
