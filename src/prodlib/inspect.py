"""``prodlib inspect FILE``: a proposed sources.yaml entry for an export prodlib has never seen.

It reads the file as ingest would and proposes what a user would otherwise work out by eye: the
encoding (a BOM, UTF-16 without one from its zero bytes, cp1252 when the bytes are not UTF-8), the
delimiter (the one that splits the most lines into the same number of fields), where the header is
(the first line of that width whose cells look like names, a preamble above it) and which trailing
lines are a footer, the columns' canonical names (``data/header_synonyms.yaml``), the input kind,
and the date format and money locale that parse EVERY value, with the project's own parsers
(:func:`prodlib.ingest.parse_dates`, :func:`prodlib.money.parse_money_column`). Nothing is decided
silently: a format that is ambiguous (03/04/2026 is both %m/%d/%Y and %d/%m/%Y), a required column
the file lacks (often the vendor id, a constant) and unmapped headers are YAML comments, and the
proposal omits the key rather than guess.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import yaml

from prodlib.config import Strict, Text, load_model
from prodlib.errors import InputError
from prodlib.ingest import SCHEMAS, parse_dates
from prodlib.money import parse_money_column
from prodlib.resources import package_folder
from prodlib.sources import KINDS, WORKBOOK_SUFFIXES, SourcesFile
from prodlib.workbook import cell_text, read_sheet, sheet_names

#: Delimiters tried, in order of preference when two split the lines equally well.
DELIMITERS = (",", ";", "\t", "|")

#: Date formats tried on every date-looking column (each value must parse, strictly).
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%m-%d-%Y", "%d-%m-%Y", "%Y/%m/%d",
                "%m/%d/%y", "%d/%m/%y", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%Y%m%d")

#: A trailing line that looks like a footer: a total, a print stamp, a page number.
FOOTER_WORDS = re.compile(r"^\s*(grand\s+)?(sub)?totals?\b|^\s*(printed|page\s+\d|report\s+total|end\s+of)",
                          re.IGNORECASE)

#: How many lines are read to find the delimiter and the header.
HEAD_LINES = 200


class _Synonyms(Strict):
    synonyms: dict[Text, tuple[Text, ...]]


def normalise_header(text: str) -> str:
    """A header as the synonym table compares it: accents dropped, case folded, "#" as "no", only letters
    and digits."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.casefold().replace("#", "no"))


def header_synonyms(path: Path | None = None) -> dict[str, list[str]]:
    """normalised header -> the canonical columns it may stand for (table order)."""
    model, _ = load_model(path or package_folder("data") / "header_synonyms.yaml", _Synonyms)
    out: dict[str, list[str]] = {}
    for canon, spellings in model.synonyms.items():
        for s in spellings:
            out.setdefault(normalise_header(s), []).append(canon)
    return out


@dataclass(frozen=True)
class Proposal:
    """What inspect proposes for one file.

    Attributes:
      entry: the sources.yaml entry (a mapping the strict model accepts inside ``sources:``).
      notes: what the user must decide or check, each a sentence (the YAML comments).
      yaml: a whole sources.yaml with the entry, the notes and sample values as comments.
    """

    entry: dict[str, Any]
    notes: tuple[str, ...]
    yaml: str


@dataclass(frozen=True)
class _Record:
    line: int  # physical line (a workbook: its row)
    cells: list[str]
    text: str  # the line as written (a workbook: its cells joined by commas)

    @property
    def width(self) -> int:
        n = len(self.cells)
        while n and not self.cells[n - 1].strip():
            n -= 1
        return n


def guess_encoding(data: bytes) -> str:
    """The encoding of a text export's bytes: a BOM, UTF-16 by its zero bytes, UTF-8, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"  # ingest drops the BOM itself
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # ASCII text as UTF-16: every other byte zero
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    # The first of these that decodes every byte; latin-1 decodes anything, so there always is one.
    return next(enc for enc in ("utf-8", "cp1252", "latin-1") if _decodes(data, enc))


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _records(text: str, delimiter: str) -> list[_Record]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    out: list[_Record] = []
    at = 0
    reader = csv.reader(iter(lines), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return out
        except csv.Error:
            cells = []
        first, at = at + 1, reader.line_num
        if any(c.strip() for c in cells):
            out.append(_Record(first, cells, "".join(lines[first - 1: at]).rstrip("\r\n")))


def guess_delimiter(text: str) -> str:
    """The delimiter that gives the most lines of one and the same width (above one field)."""
    def score(d: str) -> int:
        widths = Counter(r.width for r in _records("".join(text.splitlines(keepends=True)[:HEAD_LINES]), d))
        widths.pop(1, None)
        widths.pop(0, None)
        return max(widths.values(), default=0)
    return max(DELIMITERS, key=lambda d: (score(d), -DELIMITERS.index(d)))


def _looks_like_value(cell: str) -> bool:
    s = cell.strip()
    if not s:
        return False
    if not re.search(r"[^\W\d_]", s):  # no letter at all: a number, a date, a code
        return True
    parsed = parse_money_column(pa.array([s], pa.string()), "us")
    return not bool(parsed.bad[0])


def _find_header(records: list[_Record], where: Path) -> tuple[int, int]:
    """(index of the header record, the table's width)."""
    widths = Counter(r.width for r in records if r.width > 1)
    if not widths:
        raise InputError(where, "no line has more than one field: not a table")
    width = widths.most_common(1)[0][0]
    for i, r in enumerate(records):
        named = [c for c in r.cells[:width] if c.strip()]
        if (r.width == width and len(named) * 2 >= width and not any(_looks_like_value(c) for c in named)
                and (i + 1 == len(records) or records[i + 1].width <= width)):
            return i, width
    raise InputError(where, f"no line of {width} fields looks like a header (names, not values)")


def _find_footer(records: list[_Record], head: int, width: int) -> int:
    """Index of the first footer record (len(records): none). Read up from the end."""
    end = len(records)
    while end > head + 1:
        r = records[end - 1]
        first = next((c for c in r.cells if c.strip()), "")
        if r.width < width // 2 + 1 or FOOTER_WORDS.search(first):
            end -= 1
        else:
            break
    return end


def _footer_pattern(footer: list[_Record]) -> str:
    """A pattern finding each footer line by its start up to its first word."""
    starts = []
    for r in footer:
        m = re.match(r"[^A-Za-z]*[A-Za-z]+", r.text)
        starts.append(re.escape(m.group(0) if m else r.text))
    return "^(" + "|".join(dict.fromkeys(starts)) + ")"


def _map_columns(header: list[str], synonyms: dict[str, list[str]], kind: str | None) -> tuple[str, dict[str, str]]:
    """(the kind, canonical column -> header): the kind given, else the one most headers map to."""
    candidates = [kind] if kind else list(KINDS)

    def mapping(k: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for h in header:
            canon = next((c for c in synonyms.get(normalise_header(h), []) if c in SCHEMAS[k] and c not in out), None)
            if canon:
                out[canon] = h
        return out

    def score(k: str) -> tuple[int, int, int]:
        m = mapping(k)
        required = [c for c, (_, req) in SCHEMAS[k].items() if req]
        return (len(m), sum(c in m for c in required), -candidates.index(k))

    best = max(candidates, key=score)
    return best, mapping(best)


def _date_formats(values: pd.Series) -> list[str]:
    return [f for f in DATE_FORMATS if not parse_dates(values, f)[1].any()]


def _money_locales(values: pd.Series) -> list[str]:
    arr = pa.array(values.fillna(""), pa.string())
    parsed = {loc: parse_money_column(arr, loc) for loc in ("us", "eu")}
    ok = [loc for loc, p in parsed.items() if not p.bad.any()]
    if ok == ["us", "eu"] and parsed["us"].amounts.equals(parsed["eu"].amounts):
        return ["us"]  # no value differs: the default says it
    return ok


def _sheet_records(data: bytes, sheet: str, path: Path) -> list[_Record]:
    records = []
    for i, row in enumerate(read_sheet(data, sheet, path.name, "inspect")):
        cells = [cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            records.append(_Record(i + 1, cells, ",".join(cells).rstrip(",")))
    return records


def _read(path: Path, sheet: str | None) -> tuple[dict[str, Any], list[_Record]]:
    """The layout keys found so far and the file's non-blank records. A workbook without ``sheet``:
    its first sheet that holds a table (a notes sheet first is common)."""
    data = path.read_bytes()
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        names = sheet_names(data, path.name)
        for name in [sheet] if sheet else names:
            records = _sheet_records(data, name, path)
            if sheet or any(r.width > 1 for r in records):
                return ({"sheet": name} if name != names[0] or sheet else {}), records
        return {}, []
    encoding = guess_encoding(data)
    text = data.decode(encoding)
    delimiter = guess_delimiter(text)
    layout: dict[str, Any] = {}
    if encoding != "utf-8":
        layout["encoding"] = encoding
    if delimiter != ",":
        layout["delimiter"] = delimiter
    return layout, _records(text, delimiter)


def inspect_file(path: Path, source_id: str | None = None, kind: str | None = None, sheet: str | None = None,
                 samples: int = 3) -> Proposal:
    """Propose a sources.yaml entry for the export at ``path`` (see the module docstring)."""
    try:
        layout, records = _read(path, sheet)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    head, width = _find_header(records, path)
    end = _find_footer(records, head, width)
    header = [c.strip() for c in records[head].cells[:width]]
    body = records[head + 1: end]
    kind, columns = _map_columns(header, header_synonyms(), kind)
    frame = pd.DataFrame([(r.cells + [""] * width)[:width] for r in body], columns=header, dtype="string")
    notes: list[str] = []
    entry: dict[str, Any] = {"id": source_id or re.sub(r"[^A-Za-z0-9_]+", "_", path.stem).strip("_").lower(),
                             "kind": kind, "path": path.name, **layout}
    if records[head].line != 1:
        entry["header_row"] = records[head].line
    if end < len(records):
        entry["footer_pattern"] = _footer_pattern(records[end:])
        notes.append(f"lines {records[end].line}-{records[-1].line} look like a footer (totals, a print stamp)")
    schema = SCHEMAS[kind]
    date_cols = [h for c, h in columns.items() if schema[c][0] == "date"]
    money_cols = [h for c, h in columns.items() if schema[c][0] in ("money", "quantity")]
    if date_cols:
        fits = set(DATE_FORMATS)
        for h in date_cols:
            fits &= set(_date_formats(frame[h]))
        fits_list = [f for f in DATE_FORMATS if f in fits]
        if len(fits_list) == 1:
            if fits_list[0] != "%Y-%m-%d":
                entry["date_format"] = fits_list[0]
        elif fits_list:
            notes.append(f"date_format is ambiguous: {' and '.join(fits_list)} both parse every value of "
                         f"{', '.join(date_cols)}; set date_format to the one the vendor means")
        else:
            notes.append(f"no date format parses every value of {', '.join(date_cols)}: the bad ones will be "
                         "quarantined MALFORMED_DATE; set date_format")
    if money_cols:
        fits_loc = {"us", "eu"}
        for h in money_cols:
            fits_loc &= set(_money_locales(frame[h]))
        if fits_loc == {"eu"}:
            entry["money_locale"] = "eu"
        elif fits_loc == {"us", "eu"}:
            notes.append(f"money_locale is ambiguous: 'us' and 'eu' read {', '.join(money_cols)} differently "
                         "(1,234 is 1234 or 1.234); set money_locale")
        elif not fits_loc:
            notes.append(f"neither money locale parses every value of {', '.join(money_cols)}")
    entry["columns"] = columns
    missing = [c for c, (_, req) in schema.items() if req and c not in columns]
    if missing:
        notes.append(f"required {kind} columns not in the file: {', '.join(missing)}; add them under constants: "
                     "(e.g. the vendor id), or map a header to them")
    unmapped = [h for h in header if h not in columns.values()]
    if unmapped:
        notes.append(f"headers not mapped: {', '.join(unmapped)}")
    SourcesFile.model_validate({"sources": [entry]})  # the proposal is an entry the strict model accepts
    comments = [f"# prodlib inspect {path.name}: a proposal; check it before a run.",
                *(f"# NOTE: {n}" for n in notes),
                f"# sample values (lines {body[0].line}-{body[min(samples, len(body)) - 1].line}):" if body else
                "# no data rows found"]
    for h in header:
        shown = ", ".join(repr(v) for v in frame[h].head(samples))
        comments.append(f"#   {h}: {shown}")
    text = yaml.safe_dump({"production": "production.yaml", "sources": [entry]}, sort_keys=False,
                          allow_unicode=True, width=120)
    return Proposal(entry=entry, notes=tuple(notes), yaml="\n".join(comments) + "\n" + text)


__all__ = ["DATE_FORMATS", "DELIMITERS", "Proposal", "guess_delimiter", "guess_encoding", "header_synonyms",
           "inspect_file", "normalise_header"]
