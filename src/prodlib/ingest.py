"""Raw export -> canonical frame: every cell read as text, then parsed exactly, row by row located.

Reading is strict and total: each data row of a file comes out either in the canonical frame or in
the quarantine frame (with its physical line number, the field at fault and the raw payload).
Nothing here guesses a format: dates follow the source's declared ``date_format``; money and
quantities its ``money_locale`` and the production's currency. A file that cannot be read at all
(undecodable, a cell beyond :data:`MAX_CELL_CHARS`, a bad delimiter) is an :class:`InputError`
naming file, line and field; a region of lines that does not parse is quarantined as one row and
reading resumes after it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from prodlib.columns import BOOKKEEPING, QUARANTINE_COLUMNS
from prodlib.money import AMOUNT_BOUND, MONEY_DTYPE, QUANTITY_DTYPE, parse_money_column, parse_quantity_column
from prodlib.reasons import Reason
from prodlib.sources import WORKBOOK_SUFFIXES, InputError, SourceSpec
from prodlib.workbook import cell_text, read_sheet

DATE_DTYPE = pd.ArrowDtype(pa.date32())

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
        "episode": ("text", False), "deal_id": ("text", False), "deal_amount": ("money", False),
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


#: A clock time as timecards write it, blanks around it allowed (ASCII digits only).
_TIME = "^[ \\t]*(?P<h>[0-9]{1,2}):(?P<m>[0-5][0-9])[ \\t]*$"


@dataclass(frozen=True)
class IngestResult:
    """One export read: its good rows in canonical columns and its bad rows in the quarantine.

    Attributes:
      spec: the source as sources.yaml declares it.
      file_hash: SHA-256 of the file's bytes.
      rows_read: records read (a ragged row and a malformed file region count as one each);
        always ``len(frame) + len(quarantine)``.
      frame: canonical columns + bookkeeping, good rows only.
      quarantine: QUARANTINE_COLUMNS, one row per refused record.
      raw: every record as text (header names), indexed like frame and quarantine.
      skipped: the preamble and footer lines the source's layout says are not rows (not counted read).
    """

    spec: SourceSpec
    file_hash: str
    rows_read: int
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    raw: pd.DataFrame
    skipped: tuple[FileRegion, ...] = ()


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_line" else "string") for c in QUARANTINE_COLUMNS})


def quarantine_rows(
    raw: pd.DataFrame, meta: pd.DataFrame, mask: np.ndarray | pd.Series, reason: Reason, field: str, detail: pd.Series
) -> pd.DataFrame:
    """Quarantine rows of ``raw`` selected by ``mask`` with one reason; keeps each row's raw payload."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return empty_quarantine()
    at = np.flatnonzero(mask)
    every = len(at) == len(mask)  # a stage's send hands over its selected rows only
    sel = raw if every else raw.iloc[at]
    payload = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in sel.to_dict(orient="records")]
    out = meta[list(BOOKKEEPING)]
    out = out if every else out.iloc[at]
    texts = np.asarray(detail, dtype=object)
    texts = texts[at] if len(texts) == len(mask) else texts
    # Each text column built as a string array at once (not as objects, then cast).
    return out.assign(reason=pd.array([reason.value] * len(at), dtype="string"),
                      field=pd.array([field] * len(at), dtype="string"),
                      detail=pd.array(texts, dtype="string"), payload=pd.array(payload, dtype="string"))


#: The largest cell ingest reads (characters): the csv module's own field limit. A larger cell is
#: not an export's value (a pasted document, a corrupt file): the file is refused, naming the cell.
MAX_CELL_CHARS = 131_072

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass(frozen=True)
class FileRegion:
    """Physical lines that do not parse as records, quarantined as one row (one row read).

    Attributes:
      first_line, last_line: the region's physical lines (1-based, inclusive).
      text: the region's raw text, kept as the quarantine row's payload.
    """

    first_line: int
    last_line: int
    text: str


@dataclass(frozen=True)
class TextTable:
    """A file's records as text, each located on its physical lines.

    Attributes:
      header: the column names (line 1).
      cells: one row per record, every cell a string, columns named by the header.
      lines: the physical line each record starts on.
      ragged: records on one line with the wrong number of fields (kept, padded or folded).
      regions: record position -> the malformed file region that record stands for.
      header_line: the physical line (a workbook: the row) of the header.
      skipped: the preamble and footer lines the source's layout declares not to be rows.
    """

    header: list[str]
    cells: pd.DataFrame
    lines: np.ndarray
    ragged: np.ndarray
    regions: dict[int, FileRegion]
    header_line: int = 1
    skipped: tuple[FileRegion, ...] = ()


def _line_ends(data: bytes) -> int:
    """Line terminators as every reader here counts them: \\r\\n, lone \\r and \\n each end a line."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _check_delimiter(spec: SourceSpec) -> None:
    if len(spec.delimiter) != 1 or spec.delimiter in "\"\r\n":
        raise InputError("sources.yaml", f"delimiter {spec.delimiter!r} of {spec.display_path} must be one character, "
                         "not a quote or a line break", field=f"{spec.id}.delimiter")


def _decode(spec: SourceSpec, data: bytes) -> str:
    """The whole file as text, or an InputError naming the line and field of the first bad byte.

    Decoding the whole file (not a head of it) means no multibyte character can straddle a sniff.
    """
    display = spec.display_path
    try:
        return data.decode(spec.encoding)
    except LookupError:
        raise InputError("sources.yaml", f"unknown encoding {spec.encoding!r} for {display}",
                         field=f"{spec.id}.encoding") from None
    except UnicodeDecodeError as exc:
        start = max(data.rfind(b"\n", 0, exc.start), data.rfind(b"\r", 0, exc.start)) + 1
        line = _line_ends(data[:start]) + 1
        first = re.split(rb"\r\n|\r|\n", data, maxsplit=1)[0].decode(spec.encoding, errors="replace")
        try:
            names = next(csv.reader([first.lstrip("\ufeff")], delimiter=spec.delimiter), [])
        except csv.Error:
            names = []
        at = data[start : exc.start].decode(spec.encoding, errors="replace").count(spec.delimiter)
        name = names[at].strip() if line > 1 and at < len(names) else f"column {at + 1}"
        raise InputError(display, f"cannot decode as {spec.encoding}: byte {data[exc.start : exc.start + 1]!r}",
                         line=line, field=name) from None


class _Feed:
    """Physical lines handed to ``csv.reader`` one by one; ``pos`` is the next line's index."""

    def __init__(self, lines: list[str]) -> None:
        self.lines, self.pos = lines, 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _full_record(line: str, delimiter: str, width: int) -> bool:
    """One physical line that is on its own a complete record of ``width`` fields (quotes closed)."""
    try:
        recs = list(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return len(recs) == 1 and len(recs[0]) == width


def _closed(lines: list[str], delimiter: str) -> bool:
    """Whether the text's quotes all close (a record that ran to the end of the file may not)."""
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return True


def _big_cell_field(line: str, delimiter: str, header: list[str]) -> str:
    pieces = line.split(delimiter)
    at = next((i for i, p in enumerate(pieces) if len(p) > MAX_CELL_CHARS), len(pieces) - 1)
    return header[at] if at < len(header) else f"column {at + 1}"


def _read_records(spec: SourceSpec, text: str, first_line: int = 1) -> TextTable:
    """Every record of the text with its physical line, resynchronising after a malformed region.

    A record that spans several lines without having the header's number of fields (an unclosed
    quote swallowed the lines after it) becomes a :class:`FileRegion` that ends before the next
    line that is on its own a full record; reading resumes there. A one-line record with the wrong
    number of fields is a ragged row, kept and quarantined as today.
    """
    display, delim = spec.display_path, spec.delimiter
    off = first_line - 1  # lines of the file above ``text`` (a preamble)
    lines = _LINE.findall(text.lstrip("\ufeff"))
    feed = _Feed(lines)
    reader = csv.reader(feed, delimiter=delim)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise InputError(display, f"the header does not parse ({exc})", line=first_line) from None
    if not first:
        raise InputError(display, "the file is empty: expected a header row", line=first_line)
    header = [h.strip() for h in first]
    width = len(header)
    rows: list[list[str]] = []
    starts: list[int] = []
    ragged: list[bool] = []
    regions: dict[int, FileRegion] = {}
    while True:
        start = feed.pos
        try:
            rec = next(reader, None)
        except csv.Error as exc:
            if feed.pos - start <= 1:  # one line holds a cell beyond the bound: refuse the file
                raise InputError(display, f"a cell is longer than {MAX_CELL_CHARS:,} characters (the bound ingest "
                                 f"reads): {exc}", line=start + 1 + off,
                                 field=_big_cell_field(lines[start], delim, header)) from None
            rec = []  # a runaway quote ran past the bound: a malformed region, below
            reader = csv.reader(feed, delimiter=delim)
        else:
            if rec is None:
                break
            if not rec and feed.pos - start == 1:  # a blank line is not a row
                continue
        end = feed.pos
        spans = end - start
        closed = end < len(lines) or _closed(lines[start:end], delim)
        if len(rec) == width and closed:
            rows.append(rec)
            starts.append(start + 1 + off)
            ragged.append(False)
        elif spans == 1 and closed:
            # Keep the row (padded, or its surplus folded into the last cell): it is quarantined
            # as malformed with its payload, not dropped.
            rec = rec + [""] * (width - len(rec)) if len(rec) < width else [*rec[: width - 1],
                                                                            delim.join(rec[width - 1 :])]
            rows.append(rec)
            starts.append(start + 1 + off)
            ragged.append(True)
        else:
            resume = next((k for k in range(start + 1, end) if _full_record(lines[k], delim, width)), end)
            regions[len(rows)] = FileRegion(start + 1 + off, resume + off, "".join(lines[start:resume]))
            rows.append([""] * width)
            starts.append(start + 1 + off)
            ragged.append(False)
            feed.pos = resume
            reader = csv.reader(feed, delimiter=delim)
    cells = pd.DataFrame(rows, columns=header, dtype="string[pyarrow]") if rows else pd.DataFrame(
        {h: pd.Series([], dtype="string[pyarrow]") for h in header})
    return TextTable(header, cells, np.asarray(starts, dtype=np.int64), np.asarray(ragged, dtype=bool), regions,
                     header_line=first_line)


def has_layout(spec: SourceSpec) -> bool:
    """Whether the source declares a preamble or a footer (a table that is not the whole file)."""
    return spec.header_row != 1 or spec.footer_rows > 0 or spec.footer_pattern is not None


def layout_cut(spec: SourceSpec, lines: list[str]) -> tuple[int, int, tuple[FileRegion, ...]]:
    """Where the table is among ``lines`` (each line's text without its break): (header index,
    end index exclusive, the preamble and footer as regions). The footer rule is
    :class:`prodlib.sources.SourcesFile`'s: read up from the end, blank lines, the last
    ``footer_rows`` non-blank lines and lines ``footer_pattern`` finds, never the header itself."""
    head = spec.header_row - 1
    if head >= len(lines):
        raise InputError(spec.display_path, f"header_row is {spec.header_row}, but the file has {len(lines)} "
                         "lines", field=f"{spec.id}.header_row")
    pattern = re.compile(spec.footer_pattern) if spec.footer_pattern is not None else None
    end, rank = len(lines), 0
    if spec.footer_rows or pattern:
        while end > head + 1:
            line = lines[end - 1]
            if line.strip():
                rank += 1
                if rank > spec.footer_rows and not (pattern and pattern.search(line)):
                    break
            end -= 1
    skipped = []
    if head:
        skipped.append(FileRegion(1, head, "\n".join(lines[:head])))
    if end < len(lines) and any(line.strip() for line in lines[end:]):
        skipped.append(FileRegion(end + 1, len(lines), "\n".join(lines[end:])))
    return head, end, tuple(skipped)


def _read_text_table(spec: SourceSpec, data: bytes) -> TextTable:
    """All cells as strings, and each record's physical line number (the header's line + 1 on).

    A declared preamble and footer are cut off first (:func:`layout_cut`); line numbers stay the
    file's. The fast path (Arrow) is taken only when it provably gives one record per physical line
    with every cell within the bound; otherwise the exact reader :func:`_read_records` runs.
    """
    _check_delimiter(spec)
    text = _decode(spec, data)
    first_line, skipped, encoding = 1, (), spec.encoding
    if has_layout(spec):
        lines = _LINE.findall(text.lstrip("\ufeff"))
        head, end, skipped = layout_cut(spec, [line.rstrip("\r\n") for line in lines])
        text = "".join(lines[head:end])
        data, encoding, first_line = text.encode("utf-8"), "utf-8", head + 1
    table = _read_table_text(spec, data, text, encoding, first_line)
    return replace(table, skipped=skipped) if skipped else table


def _read_table_text(spec: SourceSpec, data: bytes, text: str, encoding: str, first_line: int) -> TextTable:
    """:func:`_read_text_table` on the table's own text (``data``: that text in ``encoding``)."""
    display = spec.display_path
    found = _LINE.match(text.lstrip("\ufeff"))
    head = found.group(0) if found else ""
    try:
        first = next(csv.reader([head], delimiter=spec.delimiter, strict=True), None)
    except csv.Error:
        first = None  # a header over several lines or unusual: the exact reader decides
    if first is None or len(head) > MAX_CELL_CHARS or not spec.delimiter.isascii():  # Arrow: one-byte delimiters
        return _read_records(spec, text, first_line)
    if not first:
        raise InputError(display, "the file is empty: expected a header row", line=first_line)
    header = [h.strip() for h in first]
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError(display, f"duplicate column names {dupes}", line=first_line)
    bad_rows: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row.number if row.number is not None else -1)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(encoding=encoding, column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=spec.delimiter, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return _read_records(spec, text, first_line)
    n_lines = _line_ends(data) + (0 if data.endswith((b"\n", b"\r")) else 1)
    within = all((pc.max(pc.utf8_length(c)).as_py() or 0) <= MAX_CELL_CHARS for c in table.columns)
    # An odd number of quotes: a quote that never closes (Arrow reads '"30.00' at the end as 30.00).
    unclosed = data.count(b'"') % 2 == 1
    if bad_rows or table.num_rows != n_lines - 1 or not within or unclosed:
        return _read_records(spec, text, first_line)
    # One chunk per column: a later take of a few rows (a quarantined row's cells) then costs those
    # rows, not a concatenation of the column's chunks each time.
    fast = table.combine_chunks().to_pandas(types_mapper=pd.ArrowDtype)
    fast.columns = header
    n = table.num_rows
    return TextTable(header, fast.astype("string[pyarrow]"), np.arange(first_line + 1, first_line + n + 1,
                                                                        dtype=np.int64),
                     np.zeros(n, dtype=bool), {}, header_line=first_line)


def _read_workbook_table(spec: SourceSpec, data: bytes) -> TextTable:
    """A workbook's sheet as a :class:`TextTable`: each cell as :func:`prodlib.workbook.cell_text`
    writes it for its column's canonical type, each record on its sheet row (row 1 = the first)."""
    rows = read_sheet(data, spec.sheet, spec.display_path, spec.id)
    head = spec.header_row - 1
    if head >= len(rows):
        raise InputError(spec.display_path, f"header_row is {spec.header_row}, but the sheet has {len(rows)} rows",
                         field=f"{spec.id}.header_row")
    header = [cell_text(v).strip() for v in rows[head]]
    while header and not header[-1]:
        header.pop()
    schema = SCHEMAS[spec.kind]
    canon_of = {col: canon for canon, col in spec.columns.items()}
    kinds = [schema[canon_of[h]][0] if h in canon_of else "text" for h in header]
    width = len(header)

    def texts(row: list) -> list[str]:
        return [cell_text(v, kinds[j] if j < width else "text", spec.money_locale) for j, v in enumerate(row)]

    cells = [texts(r) for r in rows]
    _, end, skipped = layout_cut(spec, [spec.delimiter.join(c).rstrip(spec.delimiter) for c in cells])
    out, starts, ragged = [], [], []
    for i in range(head + 1, end):
        row = cells[i]
        if not any(c.strip() for c in row):
            continue  # an empty row is not a record, as a blank line is not
        extra = row[width:]
        over = any(c.strip() for c in extra)
        row = row[:width] + [""] * (width - len(row))
        if over:  # cells right of the header: kept folded into the last cell, quarantined as ragged
            row[-1] = spec.delimiter.join([row[-1], *extra]).rstrip(spec.delimiter)
        big = next((j for j, c in enumerate(row) if len(c) > MAX_CELL_CHARS), None)
        if big is not None:
            raise InputError(spec.display_path, f"a cell is longer than {MAX_CELL_CHARS:,} characters (the bound "
                             "ingest reads)", line=i + 1, field=header[big])
        out.append(row)
        starts.append(i + 1)
        ragged.append(over)
    frame = pd.DataFrame(out, columns=header, dtype="string[pyarrow]") if out else pd.DataFrame(
        {h: pd.Series([], dtype="string[pyarrow]") for h in header})
    return TextTable(header, frame, np.asarray(starts, dtype=np.int64), np.asarray(ragged, dtype=bool), {},
                     header_line=head + 1, skipped=skipped)


def read_table(spec: SourceSpec, data: bytes) -> TextTable:
    """The file's table as text, a workbook (:data:`prodlib.sources.WORKBOOK_SUFFIXES`) or delimited text."""
    if spec.path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _read_workbook_table(spec, data)
    return _read_text_table(spec, data)


def parse_dates(values: pd.Series, fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Strict strptime on each distinct value (dates repeat, so this is fast); bad -> null + flag.

    Python's strptime, not Arrow's: Arrow reads 31-Feb-26 as 3 March without a word. Values are
    trimmed with ``str.strip`` and a blank is missing, not bad.
    """
    arr = pa.array(values.fillna(""), pa.string())
    uniq = pc.unique(arr)
    parsed, blank = [], []
    for raw in uniq.to_pylist():
        s = raw.strip()
        blank.append(not s)
        try:
            parsed.append(datetime.strptime(s, fmt).date() if s else None)
        except ValueError:
            parsed.append(None)
    at = pc.index_in(arr, value_set=uniq)
    out = pc.take(pa.array(parsed, pa.date32()), at)
    is_blank = pc.take(pa.array(blank, pa.bool_()), at).to_numpy(zero_copy_only=False)
    bad = pc.is_null(out).to_numpy(zero_copy_only=False) & ~is_blank
    return pd.Series(out, index=values.index, dtype=DATE_DTYPE), bad


def parse_date_column(values: pd.Series, fmt: str) -> pd.Series:
    """Dates as ingest reads them (strict ``fmt``, trimmed); blank or bad -> null. For callers that must
    read a refused row's date cell (the pipeline holding the pay lines of a refused timecard's day)."""
    return parse_dates(values, fmt)[0]


def _parse_times(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Clock times "H:MM" or "HH:MM" (past midnight stays on the clock: "25:30"), trimmed; bad -> null."""
    arr = pa.array(values.fillna(""), pa.string())
    got = pc.extract_regex(arr, _TIME)
    ok = pc.is_valid(got)
    text = pc.binary_join_element_wise(pc.struct_field(got, "h"), pc.struct_field(got, "m"), ":")
    blank = pc.match_substring_regex(arr, "^[ \\t]*$").to_numpy(zero_copy_only=False)
    out = pd.Series(pc.if_else(ok, text, pa.scalar(None, pa.string())), index=values.index, dtype="string[pyarrow]")
    return out, ~ok.to_numpy(zero_copy_only=False) & ~blank


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_source(spec: SourceSpec, currency: str = "USD", data: bytes | None = None) -> IngestResult:
    """Read one export into canonical columns; bad cells send their row to the quarantine.

    ``currency`` is the source's currency (its ``currency:``, else ``Production.currency``; the
    pipeline converts a foreign one afterwards, :func:`prodlib.pipeline.fx_stage`): a value carrying
    another currency's sign or code is CURRENCY_MISMATCH. A file that cannot be read at all
    (undecodable, a cell beyond the bound, a bad delimiter) raises :class:`InputError`.

    Rows read: every record, a ragged row and a malformed file region each counting as one.
    ``data``: the file's bytes when the caller read them already (the pipeline does, to check the
    file's hash before parsing), so the file is read once.
    """
    display = spec.display_path
    if data is None:
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
    table = read_table(spec, data)
    header, raw = table.header, table.cells
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError(display, f"duplicate column names {dupes}", line=table.header_line)
    absent = [f"{canon} <- {col!r}" for canon, col in spec.columns.items() if col not in header]
    if absent:
        raise InputError(display, f"header lacks mapped columns: {', '.join(absent)}; it has {header}",
                         line=table.header_line)

    n = len(raw)
    raw.index = pd.RangeIndex(n)
    joined = pc.binary_join_element_wise(*[pa.array(raw[h].fillna(""), pa.string()) for h in header], "\x1f")
    sha256 = hashlib.sha256
    hashes = [sha256(b).hexdigest() for b in joined.cast(pa.binary()).to_pylist()]  # UTF-8 bytes, by Arrow
    for at, region in table.regions.items():  # a region's identity is its text
        hashes[at] = hashlib.sha256(region.text.encode()).hexdigest()
    meta = pd.DataFrame(
        {
            "source_id": pd.Series([spec.id] * n, dtype="string"),
            "source_file": pd.Series([display] * n, dtype="string"),
            "source_line": table.lines,
            "row_hash": pd.Series(hashes, dtype="string"),
        }
    )
    frame = meta.copy()
    problems: list[tuple[np.ndarray, Reason, str, pd.Series]] = []
    if table.regions:
        in_region = np.zeros(n, dtype=bool)
        in_region[list(table.regions)] = True
        detail = pd.Series(np.full(n, "", dtype=object))
        for at, r in table.regions.items():
            detail[at] = (f"lines {r.first_line}-{r.last_line} do not parse as records of {len(header)} fields "
                          f"(an unclosed quote?); reading resumed at line {r.last_line + 1}")
        problems.append((in_region, Reason.MALFORMED_FILE_REGION, "", detail))
    if table.ragged.any():
        problems.append((table.ragged, Reason.MALFORMED_VALUE, "",
                         pd.Series(["row has the wrong number of fields"] * n)))
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
            # A NUL byte is in no export a person means, and PostgreSQL text cannot hold one.
            nul = col.str.contains("\x00", regex=False).fillna(False).to_numpy(dtype=bool)
            if nul.any():
                detail = pd.Series(np.full(n, "", dtype=object))
                detail[nul] = [f"{canon}={v!r}: holds a NUL byte" for v in col[nul]]
                problems.append((nul, Reason.MALFORMED_VALUE, canon, detail))
            continue
        checks: list[tuple[np.ndarray, Reason, str]] = []
        if kind in ("money", "quantity"):
            locale = spec.money_locale
            parse = parse_money_column if kind == "money" else parse_quantity_column
            parsed = parse(pa.array(col.fillna(""), pa.string()), locale, currency)  # type: ignore[arg-type]
            frame[canon] = pd.Series(parsed.amounts, dtype=MONEY_DTYPE if kind == "money" else QUANTITY_DTYPE)
            checks.append((parsed.foreign, Reason.CURRENCY_MISMATCH, f"a currency that is not the source's {currency}"))
            if kind == "money":
                checks.append((parsed.bad & ~parsed.foreign, Reason.MALFORMED_AMOUNT,
                               f"not an amount in the source's '{locale}' format"))
                checks.append((parsed.out_of_bounds, Reason.AMOUNT_OUT_OF_BOUNDS,
                               f"beyond the bound of {AMOUNT_BOUND:,} a line may carry"))
            else:
                checks.append((parsed.bad & ~parsed.foreign, Reason.MALFORMED_VALUE,
                               f"not a number with at most 4 decimals in the source's '{locale}' format"))
        elif kind == "date":
            frame[canon], bad = parse_dates(col, spec.date_format)
            checks.append((bad, Reason.MALFORMED_DATE, f"not a date in format {spec.date_format}"))
        elif kind == "time":
            frame[canon], bad = _parse_times(col)
            checks.append((bad, Reason.MALFORMED_VALUE, "not a time HH:MM"))
        else:  # pragma: no cover - SCHEMAS is ours
            raise AssertionError(kind)
        for bad, reason, what in checks:
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
    for at, r in table.regions.items():  # the region's own text, not the empty cells standing for it
        quarantine.loc[at, "payload"] = json.dumps({"lines": f"{r.first_line}-{r.last_line}", "text": r.text},
                                                   ensure_ascii=False)
    return IngestResult(
        spec=spec, file_hash=file_sha256(data), rows_read=n, frame=frame.loc[~quarantined],
        quarantine=quarantine, raw=raw, skipped=table.skipped,
    )
