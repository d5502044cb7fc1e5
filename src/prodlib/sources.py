"""Where the raw exports are and how to read them: ``sources.yaml`` and ``production.yaml``.

A user points prodlib at real exports by writing one ``sources.yaml`` beside them (see
docs/ARCHITECTURE.md). It is parsed strictly (:mod:`prodlib.config`): every mistake in it, a
misspelled key included, is a :class:`ConfigError` naming the file, the line, the entry and the key,
never a traceback and never a silent default. A ``path`` may not leave the folder that holds
sources.yaml (``..`` or a symlink pointing outside is refused).
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, ClassVar, Literal, get_args

import yaml
from pydantic import AfterValidator, BeforeValidator

from prodlib.config import Strict, Text, Whole, YamlDocument, load_model, shown
from prodlib.errors import ConfigError, InputError
from prodlib.fx import is_currency_code
from prodlib.production import Production, load_production

__all__ = ["KINDS", "WORKBOOK_SUFFIXES", "ConfigError", "InputError", "InputSet", "Production", "SourceSpec",
           "SourcesFile", "load_input_set", "load_production", "sources_document", "write_sources"]

Kind = Literal["invoice", "purchase_order", "timecard", "payroll", "petty_cash", "bank", "budget", "check_register"]
KINDS: tuple[str, ...] = get_args(Kind)

#: The file endings read as an Excel workbook (python-calamine); every other file is delimited text.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _at_least(low: int) -> Any:
    def check(value: int) -> int:
        if value < low:
            raise ValueError(f"{value} is below {low}")
        return value
    return AfterValidator(check)


def _sheet(value: Any) -> str | int:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise ValueError(f"{shown(value)} is not a sheet: a name (text) or a position (1 = the first)")


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{shown(value)} is not a regular expression ({exc})") from None
    return value


@dataclass(frozen=True)
class SourceSpec:
    """One raw export and its mapping to a canonical input kind.

    Attributes:
      id: the source's id, unique in sources.yaml (batches and the quarantine carry it).
      kind: the canonical input kind (one of :data:`KINDS`).
      path: the file, absolute (resolved inside the input folder).
      columns: canonical column name -> the header in the file.
      date_format: strptime format of every date column.
      money_locale: how amounts are written: "us" (1,234.56) or "eu" (1.234,56).
      delimiter, encoding: how the file is written.
      constants: canonical column -> a value every row of the file has (e.g. the vendor id).
      default_cost_code: the code for lines that arrive without one; None: keyword rules.
      currency: the currency its amounts are in (ISO 4217); "": the production's (:mod:`prodlib.fx`).
      display_path: the path as sources.yaml wrote it: what messages and the quarantine show.
      header_row: the physical line (a workbook: the sheet's row) of the header, 1-based; the lines
        before it are a preamble (a report title, a run date), not rows.
      footer_rows: how many trailing non-blank lines are a footer (a total, a "Printed on" line).
      footer_pattern: a regular expression; a trailing line it finds (``re.search``) is a footer line.
      sheet: a workbook's sheet, by name (text) or by position (1 = the first); None: the first.
    """

    id: str
    kind: str
    path: Path
    columns: dict[str, str]
    date_format: str = "%Y-%m-%d"
    money_locale: str = "us"
    delimiter: str = ","
    encoding: str = "utf-8"
    constants: dict[str, str] = field(default_factory=dict)
    default_cost_code: str | None = None
    display_path: str = ""
    currency: str = ""
    header_row: int = 1
    footer_rows: int = 0
    footer_pattern: str | None = None
    sheet: str | int | None = None


@dataclass(frozen=True)
class InputSet:
    """A production's input folder as sources.yaml describes it.

    Attributes:
      root: the folder holding sources.yaml (absolute).
      production: the production.yaml it names, parsed.
      sources: every export, in the order sources.yaml lists them.
    """

    root: Path
    production: Production
    sources: tuple[SourceSpec, ...]

    def of_kind(self, kind: str) -> tuple[SourceSpec, ...]:
        return tuple(s for s in self.sources if s.kind == kind)


def _currency_code(value: Any) -> str:
    if not isinstance(value, str) or not is_currency_code(value):
        raise ValueError(f"currency {shown(value)} is not an ISO 4217 code (three capital letters, e.g. EUR)")
    return value


#: An ISO 4217 currency code as written: three capital letters.
CurrencyCode = Annotated[str, BeforeValidator(_currency_code)]
#: The kinds whose lines may be in a foreign currency: each becomes a journal entry that keeps its
#: original amount and rate (commitments, budgets, payroll and bank lines have no such record yet).
FOREIGN_CURRENCY_KINDS = ("invoice", "petty_cash")


class _Source(Strict):
    entry_key: ClassVar[str | None] = "id"
    entry_bare: ClassVar[bool] = True
    id: Text
    kind: Kind
    path: Text
    columns: dict[Text, Text]
    date_format: Text = "%Y-%m-%d"
    money_locale: Literal["us", "eu"] = "us"
    delimiter: Text = ","
    encoding: Text = "utf-8"
    constants: dict[Text, Text] = {}
    default_cost_code: Text | None = None
    currency: CurrencyCode | None = None
    # Layout (see SourcesFile): where the table is inside the file.
    header_row: Annotated[Whole, _at_least(1)] = 1
    footer_rows: Annotated[Whole, _at_least(0)] = 0
    footer_pattern: Annotated[Text, AfterValidator(_regex)] | None = None
    sheet: Annotated[str | int, BeforeValidator(_sheet)] | None = None


class SourcesFile(Strict):
    """sources.yaml as written.

    Each entry's keys are :class:`SourceSpec`'s. ``path`` may be a glob (``invoices/acme/*.csv``): one
    entry for a vendor's monthly files, each matched file its own source (id ``<id>/<name>``, the
    name relative to the glob's fixed folder) and so its own batch with its own hash; a glob that
    matches no file is a ConfigError. The layout keys and their defaults:

    - ``header_row: 1``: the physical line of the header (1-based); lines above it are a preamble.
      Quarantine line numbers stay the file's physical lines (a workbook: the sheet's rows as Excel
      numbers them, row 1 first).
    - ``footer_rows: 0`` and ``footer_pattern: null``: the footer is the trailing run of lines, read
      up from the end, each blank, one of the last ``footer_rows`` non-blank lines, or found by
      ``footer_pattern`` (``re.search`` on the line without its line break; a workbook row's text is
      its cells' text joined by the delimiter, trailing empty cells dropped). Only a trailing line
      can be a footer: a total line in the middle of the data is a data row like any other, so it is
      quarantined by the checks (it has no document number or date) rather than dropped by its look,
      since a real line may say "Total".
    - ``sheet: null``: a workbook's sheet, by name or position (1 = first); only for ``.xlsx``/``.xlsm``.

    Attributes:
      production: the production file, relative to sources.yaml's folder.
      sources: one entry per export (see :class:`SourceSpec` for each key).
    """

    production: Text = "production.yaml"
    sources: tuple[_Source, ...]


def _inside(root: Path, raw: str, doc: YamlDocument, where: tuple[str | int, ...]) -> Path:
    """``raw`` resolved against ``root``; refused when it (or a symlink on the way) leads outside."""
    resolved = (root / raw).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise doc.error(f"path {shown(raw)} leads outside the input folder", where, SourcesFile)
    return resolved


def _matches(root: Path, raw: str, doc: YamlDocument, where: tuple[str | int, ...]) -> list[tuple[Path, str, str]]:
    """The files ``raw`` names: (resolved path, path as shown, id suffix or "" for a plain path)."""
    if not glob.has_magic(raw):
        return [(_inside(root, raw, doc, where), raw, "")]
    pattern = PurePosixPath(raw)
    if pattern.is_absolute() or ".." in pattern.parts:
        raise doc.error(f"path {shown(raw)} leads outside the input folder", where, SourcesFile)
    fixed = PurePosixPath(*[p for p in pattern.parts[: next(i for i, p in enumerate(pattern.parts)
                                                                if glob.has_magic(p))]])
    found = sorted(p for p in root.glob(raw) if p.is_file())
    if not found:
        raise doc.error(f"the glob {shown(raw)} matches no file", where, SourcesFile)
    out = []
    for p in found:
        shown_path = p.relative_to(root).as_posix()
        out.append((_inside(root, shown_path, doc, where), shown_path,
                    PurePosixPath(shown_path).relative_to(fixed).as_posix()))
    return out


def load_input_set(location: str | Path) -> InputSet:
    """Read ``sources.yaml`` (a folder holding one, or the file itself) and its production file."""
    path = Path(location)
    if path.is_dir():
        path = path / "sources.yaml"
    doc, located = load_model(path, SourcesFile)
    root = path.parent
    production = load_production(_inside(root, doc.production, located, ("production",)))
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc.sources):
        where = ("sources", i)
        if not entry.id:
            raise located.error("every source needs an id", (*where, "id"), SourcesFile)
        if entry.id in seen:
            raise located.error(f"source id {entry.id!r} is used twice", (*where, "id"), SourcesFile)
        seen.add(entry.id)
        if not entry.columns:
            raise located.error("needs 'columns:' mapping canonical names to headers", (*where, "columns"),
                                SourcesFile)
        if not entry.path:
            raise located.error("is required", (*where, "path"), SourcesFile)
        currency = entry.currency or production.currency
        if currency != production.currency and entry.kind not in FOREIGN_CURRENCY_KINDS:
            raise located.error(f"a {entry.kind} source is in the production currency {production.currency}; "
                                f"only {' and '.join(FOREIGN_CURRENCY_KINDS)} sources may be in another",
                                (*where, "currency"), SourcesFile)
        for resolved, display, suffix in _matches(root, entry.path, located, (*where, "path")):
            workbook = resolved.suffix.lower() in WORKBOOK_SUFFIXES
            if entry.sheet is not None and not workbook:
                raise located.error(f"'sheet:' is for workbooks ({', '.join(WORKBOOK_SUFFIXES)}), not {display}",
                                    (*where, "sheet"), SourcesFile)
            source_id = f"{entry.id}/{suffix}" if suffix else entry.id
            if suffix and source_id in seen:
                raise located.error(f"source id {source_id!r} (from the glob) is used twice", (*where, "path"),
                                    SourcesFile)
            seen.add(source_id)
            specs.append(SourceSpec(
                id=source_id, kind=entry.kind, path=resolved,
                display_path=display, columns=dict(entry.columns), date_format=entry.date_format,
                money_locale=entry.money_locale, delimiter=entry.delimiter, encoding=entry.encoding,
                constants=dict(entry.constants), default_cost_code=entry.default_cost_code,
                header_row=entry.header_row, footer_rows=entry.footer_rows, footer_pattern=entry.footer_pattern,
                sheet=entry.sheet, currency=entry.currency or "",
            ))
    return InputSet(root=root.resolve(), production=production, sources=tuple(specs))


def sources_document(specs: tuple[SourceSpec, ...] | list[SourceSpec], production_file: str = "production.yaml",
                     ) -> dict[str, Any]:
    """``specs`` as sources.yaml's mapping: what :func:`load_input_set` reads back equal.

    Each entry's ``path`` is its ``display_path`` (relative to sources.yaml's folder).
    """
    entries: list[dict[str, Any]] = []
    for s in specs:
        entry: dict[str, Any] = {"id": s.id, "kind": s.kind, "path": s.display_path or s.path.as_posix(),
                                 "delimiter": s.delimiter, "encoding": s.encoding, "date_format": s.date_format,
                                 "money_locale": s.money_locale, "columns": dict(s.columns)}
        if s.constants:
            entry["constants"] = dict(s.constants)
        if s.default_cost_code is not None:
            entry["default_cost_code"] = s.default_cost_code
        if s.currency:
            entry["currency"] = s.currency
        layout = {"header_row": s.header_row, "footer_rows": s.footer_rows, "footer_pattern": s.footer_pattern,
                  "sheet": s.sheet}
        entry.update({k: v for k, v in layout.items() if v != SourceSpec.__dataclass_fields__[k].default})
        entries.append(entry)
    return {"production": production_file, "sources": entries}


def write_sources(specs: tuple[SourceSpec, ...] | list[SourceSpec], production_file: str, path: Path,
                  header: str = "") -> Path:
    """Write sources.yaml for ``specs`` at ``path`` (``header``: comment lines put first)."""
    text = yaml.safe_dump(sources_document(specs, production_file), sort_keys=False, allow_unicode=True, width=200)
    path.write_text(header + text, encoding="utf-8")
    return path
