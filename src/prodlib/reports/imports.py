"""Imports the rendering pays for once per process, made cheaper without changing what they do.

Rendering a report starts two Python processes that both import ``jsonschema`` (through nbformat:
papermill in the render worker, plotly's renderers in the notebook's kernel). ``jsonschema`` imports
``rfc3987_syntax`` for its "iri" format check, and that module compiles 39 Earley grammars at import:
about 0.7 s of CPU per process, on a studio render 6 of them, for a check no report ever runs (the
notebooks' JSON schema has no "iri" field). :func:`defer_iri_grammar` lets ``jsonschema`` bind a
stand-in of ``rfc3987_syntax.is_valid_syntax`` that imports the real module at its first call, so
the check, if ever made, gives the same answer.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_IRI = "rfc3987_syntax"


def _is_valid_syntax(term: str, value: str) -> bool:
    """``rfc3987_syntax.is_valid_syntax``, imported at the first call (its grammars compiled then)."""
    return importlib.import_module(_IRI).is_valid_syntax(term, value)


def defer_iri_grammar() -> None:
    """Import ``jsonschema`` now, with ``rfc3987_syntax`` deferred to its first use (see the module).

    Does nothing when ``jsonschema`` or ``rfc3987_syntax`` is already imported, or ``rfc3987_syntax``
    is not installed. Afterwards ``import rfc3987_syntax`` anywhere gives the real module."""
    if "jsonschema" in sys.modules or _IRI in sys.modules or importlib.util.find_spec(_IRI) is None:
        return
    stand_in = types.ModuleType(_IRI, "stand-in while jsonschema imports (prodlib.reports.imports)")
    stand_in.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[_IRI] = stand_in
    try:
        importlib.import_module("jsonschema")
    finally:
        if sys.modules.get(_IRI) is stand_in:
            del sys.modules[_IRI]
