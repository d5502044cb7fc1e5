"""Strict configuration: declared models for every YAML file prodlib reads, and one loader for them.

production.yaml, sources.yaml, chart files and rule files (plans, scale minimums, work rules) are each
parsed by a pydantic model whose every mapping forbids unknown keys. :func:`load_model` reads a file,
remembers the line of every key, validates it against its model and turns every YAML or validation
problem into ONE error line naming the file, the line, the entry and the key, e.g.::

    sources.yaml, line 7, field 'acme_grip.delimter': unknown key; did you mean 'delimiter'?

A misspelled key is therefore never silently ignored (it would fall back to a default). Figures
(money, rates, caps, minimums, hours) are quoted strings read exactly as ``Decimal``: a YAML float or
int is refused with a message saying to quote it. A top-level key beginning with ``_`` only holds YAML
anchors for the rest of the file and is ignored. Messages show at most the offending key and value,
never other content of the file.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar, Union

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from prodlib.errors import ConfigError, InputError

M = TypeVar("M", bound="Strict")

#: Longest value shown in a message: enough to recognise it, never a whole cell of a file.
SHOWN_CHARS = 40


class Strict(BaseModel):
    """Base of every configuration model: unknown keys are errors, parsed values are frozen.

    Attributes:
      entry_key: for a model that is an entry of a list, the key whose value names the entry in
        messages (``id``, ``code``); None names it by its index (``sources[3]``).
      entry_bare: the entry's name alone stands for its place (``acme_grip.delimiter`` rather
        than ``sources[acme_grip].delimiter``): for ids unique in the whole file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    entry_key: ClassVar[str | None] = None
    entry_bare: ClassVar[bool] = False


def shown(value: Any) -> str:
    """``repr`` of a value, cut to :data:`SHOWN_CHARS` so that a message never carries a file's content."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def refuse_number(value: Any, what: str = "figures") -> None:
    """Refuse a YAML number where an exact figure is meant: a float has already lost digits."""
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ValueError(f"{shown(value)} must be quoted (write \"{value}\"): {what} are exact decimal strings")


def _figure(value: Any) -> Decimal:
    refuse_number(value)
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not a figure")
    text = value.strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{shown(value)} is not a decimal figure") from None
    if not d.is_finite() or "e" in text.lower():
        raise ValueError(f"{shown(value)} is not a plain decimal figure")
    return d


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} must be text (quote it)")
    return value


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    refused = ValueError(f"{shown(value)} is not a date (YYYY-MM-DD)")
    if not isinstance(value, str):
        raise refused
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise refused from None


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{shown(value)} is not a whole number")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not true or false")
    return value


#: An exact figure (amount, rate, cap, minimum, hours): a quoted decimal string, never a YAML number.
Figure = Annotated[Decimal, BeforeValidator(_figure)]
#: Text as written; a YAML number or boolean where text is meant is refused (quote it).
Text = Annotated[str, BeforeValidator(_text)]
#: A calendar date, YYYY-MM-DD.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: A whole number (counts of days, orders); booleans are not numbers here.
Whole = Annotated[int, BeforeValidator(_whole)]
#: true or false, nothing else.
Flag = Annotated[bool, BeforeValidator(_flag)]


# --- reading YAML with the line of every key ------------------------------------------------------

#: A place in a document: mapping keys as text, list positions as ints.
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A YAML file as read: its data and the 1-based line of every key and list item.

    Attributes:
      path: the file, as the caller named it (what messages print).
      data: the parsed document (plain dicts, lists and scalars).
      lines: (key path) -> line; a key path holds mapping keys as text and list positions as ints.
    """

    path: Path
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, where: KeyPath) -> int | None:
        """The line of ``where`` or of its nearest enclosing entry that has one."""
        for n in range(len(where), -1, -1):
            if where[:n] in self.lines:
                return self.lines[where[:n]]
        return None

    def label(self, where: KeyPath, model: type[Strict] | None = None) -> str:
        """``where`` as a user reads it: entries named by their id, others by their index."""
        out = ""
        node: Any = self.data
        kind: Any = model
        for seg in where:
            item_model = _model_of(_item_type(kind)) if isinstance(seg, int) else None
            if isinstance(seg, int) and isinstance(node, list) and 0 <= seg < len(node):
                node = node[seg]
                key = item_model.entry_key if item_model else None
                name = node.get(key) if key and isinstance(node, dict) else None
                if isinstance(name, str | int) and not isinstance(name, bool) and str(name):
                    out = str(name) if item_model and item_model.entry_bare else f"{out}[{name}]"
                else:
                    out = f"{out}[{seg}]"
                kind = _item_type(kind)
                continue
            node = node.get(seg) if isinstance(node, dict) else None
            kind = _field_type(kind, str(seg))
            out = f"{out}.{seg}" if out else str(seg)
        return out

    def error(self, message: str, where: KeyPath = (), model: type[Strict] | None = None,
              error: type[InputError] = ConfigError) -> InputError:
        """An error naming this file, the line of ``where`` and the entry/key it is."""
        return error(self.path, message, line=self.line_of(where), field=self.label(where, model) or None)


def _record_lines(node: yaml.Node, where: KeyPath, lines: dict[KeyPath, int], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                _record_lines(value_node, where, lines, depth + 1)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            here = (*where, str(key_node.value))
            lines.setdefault(here, key_node.start_mark.line + 1)
            _record_lines(value_node, here, lines, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault((*where, i), item.start_mark.line + 1)
            _record_lines(item, (*where, i), lines, depth + 1)


#: libyaml's safe loader when PyYAML was built with it (a studio's sources.yaml of 150 entries: about
#: 0.5 s in the pure-Python loader, a few ms in C); the same nodes, marks and values.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_document(path: Path, error: type[InputError] = ConfigError) -> YamlDocument:
    """Read a YAML file with the line of every key; a missing, unreadable or malformed file is ``error``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(path, "file not found") from None
    except IsADirectoryError:
        raise error(path, "is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise error(path, f"is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise error(path, f"cannot be read ({exc.strerror})") from None
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise error(path, f"not valid YAML: {problem}", line=None if mark is None else mark.line + 1) from None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    if node is not None:
        lines[()] = node.start_mark.line + 1  # a missing top-level key is named at the document's start
        _record_lines(node, (), lines)
    return YamlDocument(path, data, lines)


# --- walking a model's declared types (for entry names and key suggestions) -----------------------

def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_of(tp: Any) -> type[Strict] | None:
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, Strict) else None


def _item_type(tp: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (list, tuple, frozenset, set):
        return typing.get_args(tp)[0]
    return None


def _field_type(tp: Any, key: str) -> Any:
    model = _model_of(tp)
    if model is not None:
        for name, info in model.model_fields.items():
            if key in (name, info.alias):
                return info.annotation
        return None
    tp = _unwrap(tp)
    if typing.get_origin(tp) is dict:
        return typing.get_args(tp)[1]
    return None


def valid_keys(model: type[Strict]) -> list[str]:
    """The keys a mapping of ``model`` may hold, as the file writes them."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _type_at(model: type[Strict], where: KeyPath) -> Any:
    tp: Any = model
    for seg in where:
        tp = _item_type(tp) if isinstance(seg, int) else _field_type(tp, str(seg))
        if tp is None:
            return None
    return tp


def _location(doc: YamlDocument, loc: tuple[Any, ...]) -> KeyPath:
    """The part of a pydantic error location that names places in the document (no union tags)."""
    out: list[str | int] = []
    node: Any = doc.data
    for seg in loc:
        if isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
            out.append(seg)
        elif isinstance(node, dict):
            match = [k for k in node if str(k) == str(seg)]
            out.append(str(seg))
            if not match:
                break  # a missing key: named, and nothing below it
            node = node[match[0]]
        else:
            break
    return tuple(out)


def _message(err: Any, key: str | None, model: type[Strict], where: KeyPath) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_of(_type_at(model, where[:-1]))
        keys = valid_keys(parent) if parent else []
        close = difflib.get_close_matches(str(key), keys, n=1, cutoff=0.6)
        if close:
            return f"unknown key; did you mean {close[0]!r}?"
        return "unknown key (valid keys: " + ", ".join(keys) + ")" if keys else "unknown key"
    if kind == "missing":
        return "is required"
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{key} {shown(err.get('input'))} is not one of {expected}"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a mapping of keys"
    if kind in ("list_type", "tuple_type", "frozen_set_type", "set_type"):
        return "expected a list"
    if kind in ("too_short", "too_long"):
        return err["msg"].replace("Tuple", "list").replace("List", "list")
    return f"{shown(err.get('input'))}: {err['msg']}"


def validate_document(doc: YamlDocument, model: type[M], error: type[InputError] = ConfigError) -> M:
    """``doc`` as ``model``; the first problem is raised as ``error`` naming file, line, entry and key."""
    data = doc.data
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelled key is also a missing one: the unknown key explains both, so it is named first.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        where = _location(doc, tuple(first["loc"]))
        if first["type"] in ("model_type", "model_attributes_type") and not where:
            what = "the file is empty" if doc.data is None else f"not a {type(doc.data).__name__}"
            raise doc.error(f"expected a mapping of keys ({what})", error=error) from None
        key = str(where[-1]) if where and not isinstance(where[-1], int) else None
        if first["type"] == "missing" and first["loc"] and isinstance(first["loc"][-1], int):
            raise doc.error("has too few items", where, model, error) from None  # a short fixed-size list
        raise doc.error(_message(first, key, model, where), where, model, error) from None


def load_model(path: Path, model: type[M], error: type[InputError] = ConfigError) -> tuple[M, YamlDocument]:
    """Read ``path`` and validate it as ``model``: (the model, the document for later checks' messages)."""
    doc = read_document(path, error)
    return validate_document(doc, model, error), doc
