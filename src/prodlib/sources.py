"""Where the raw exports are and how to read them: ``sources.yaml`` and ``production.yaml``.

A user points prodlib at real exports by writing one ``sources.yaml`` beside them (see
docs/ARCHITECTURE.md). Every mistake in it is reported as an :class:`InputError` naming the file,
the entry and the field, never as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prodlib.errors import InputError
from prodlib.production import Production, load_production, read_yaml

KINDS = ("invoice", "purchase_order", "timecard", "payroll", "petty_cash", "bank", "budget", "check_register")


@dataclass(frozen=True)
class SourceSpec:
    """One raw export and its mapping to a canonical input kind."""

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
    display_path: str = ""  # the path as sources.yaml wrote it: what messages and the quarantine show


@dataclass(frozen=True)
class InputSet:
    root: Path
    production: Production
    sources: tuple[SourceSpec, ...]

    def of_kind(self, kind: str) -> tuple[SourceSpec, ...]:
        return tuple(s for s in self.sources if s.kind == kind)


def load_input_set(location: str | Path) -> InputSet:
    """Read ``sources.yaml`` (a folder holding one, or the file itself) and its production file."""
    path = Path(location)
    if path.is_dir():
        path = path / "sources.yaml"
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
        raise InputError(path, "expected 'sources:' with a list of exports")
    root = path.parent
    production = load_production(root / str(doc.get("production", "production.yaml")))
    specs: list[SourceSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc["sources"]):
        where = f"sources[{i}]"
        if not isinstance(entry, dict):
            raise InputError(path, "expected a mapping", field=where)
        sid = str(entry.get("id") or "")
        if not sid:
            raise InputError(path, "every source needs an id", field=f"{where}.id")
        if sid in seen:
            raise InputError(path, f"source id {sid!r} is used twice", field=f"{where}.id")
        seen.add(sid)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise InputError(path, f"kind {kind!r} is not one of {', '.join(KINDS)}", field=f"{sid}.kind")
        locale = entry.get("money_locale", "us")
        if locale not in ("us", "eu"):
            raise InputError(path, f"money_locale {locale!r} is not 'us' or 'eu'", field=f"{sid}.money_locale")
        columns = entry.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise InputError(path, "needs 'columns:' mapping canonical names to headers", field=f"{sid}.columns")
        if not entry.get("path"):
            raise InputError(path, "is required", field=f"{sid}.path")
        specs.append(
            SourceSpec(
                id=sid,
                kind=kind,
                path=(root / str(entry["path"])).resolve(),
                display_path=str(entry["path"]),
                columns={str(k): str(v) for k, v in columns.items()},
                date_format=str(entry.get("date_format", "%Y-%m-%d")),
                money_locale=locale,
                delimiter=str(entry.get("delimiter", ",")),
                encoding=str(entry.get("encoding", "utf-8")),
                constants={str(k): str(v) for k, v in (entry.get("constants") or {}).items()},
                default_cost_code=None if entry.get("default_cost_code") is None else str(entry["default_cost_code"]),
            )
        )
    return InputSet(root=root.resolve(), production=production, sources=tuple(specs))
