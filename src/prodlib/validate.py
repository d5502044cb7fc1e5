"""Great Expectations suites per input kind, kept as JSON in the package (``prodlib/expectations/``).

Each expectation carries ``meta.reason`` (a :class:`~prodlib.reasons.Reason`) and ``meta.field``:
the rows it fails go to the quarantine with that reason. Suites take production facts as suite
parameters (``$PARAMETER``: window_start, window_end, ...), so one suite serves every production.

Great Expectations takes seconds to import, so it is imported here, lazily, only when a suite runs;
and its import defers the third-party libraries that only expectations and renderers our suites do not
use need (:data:`DEFERRED_IMPORTS`: altair, scipy.stats, jsonschema): they load on first use, if any.
A suite validates only the columns its expectations name (:func:`suite_columns`).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from prodlib.reasons import Reason
from prodlib.resources import package_folder
from prodlib.sources import InputError, Production


def expectations_dir() -> Path:
    """``$PRODLIB_EXPECTATIONS``, else the suites installed with the package (``prodlib/expectations/``)."""
    env = os.environ.get("PRODLIB_EXPECTATIONS")
    return Path(env) if env else package_folder("expectations")


@dataclass(frozen=True)
class Failure:
    """Rows (by frame index label) that failed one expectation."""

    index: tuple[Any, ...]
    reason: Reason
    field: str
    expectation: str


def suite_parameters(production: Production) -> dict[str, Any]:
    return {
        "window_start": production.window_start,
        "window_end": production.window_end,
        "prep_start_earliest": production.window_start - timedelta(days=90),
        "settlement_end": production.window_end + timedelta(days=180),
        # A payroll period end is a week ending: the workweek that holds the window's last day ends up
        # to 6 days after it.
        "period_end_latest": production.window_end + timedelta(days=6),
    }


def load_suite_document(kind: str) -> dict[str, Any]:
    path = expectations_dir() / f"{kind}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, f"no expectation suite for input kind {kind!r}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    for i, exp in enumerate(doc.get("expectations", [])):
        reason = exp.get("meta", {}).get("reason")
        if reason not in Reason.__members__:
            raise InputError(path, f"expectation {i} ({exp.get('type')}) has no valid meta.reason: {reason!r}")
    return doc


#: Imported by Great Expectations at its own import, used only by expectations and renderers that no
#: suite of ours has (KL divergence charts: altair and scipy.stats; JSON-schema matching: jsonschema,
#: which pulls in rfc3987_syntax's grammar). Deferred, they cost nothing unless something uses them;
#: importing GX drops from about 7 s to about 1 s (benchmarks/README.md, "Validation").
DEFERRED_IMPORTS = ("altair", "scipy.stats", "jsonschema")


class _DeferredFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of ``names`` as usual, but with a :class:`importlib.util.LazyLoader`: the
    module object exists at once, its code runs at the first attribute read."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name, path, target=None):
        if name not in self.names:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


@contextmanager
def deferred_imports(names: tuple[str, ...] = DEFERRED_IMPORTS) -> Iterator[None]:
    """While the block runs, a first import of one of ``names`` is deferred to its first use."""
    finder = _DeferredFinder(tuple(n for n in names if n not in sys.modules))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def import_gx() -> Any:
    """``great_expectations``, imported with :data:`DEFERRED_IMPORTS` deferred.

    Its pandas engine fingerprints every batch below ``HASH_THRESHOLD`` bytes (an MD5 over
    ``pandas.util.hash_pandas_object``, twice per validation: once for the batch, once for its
    validator) into the batch's markers, which only Data Docs show and prodlib never reads; on a
    million-line frame that was 58 % of a suite's time. The threshold is set to 0: no fingerprint.
    """
    if "great_expectations" not in sys.modules:
        with deferred_imports():
            import great_expectations  # noqa: F401 - imported here, with the deferrals
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0
    return sys.modules["great_expectations"]


@cache
def _context() -> Any:
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")  # never a cloud context, whatever the environment says
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


@cache
def _suite(kind: str) -> Any:
    gx = import_gx()
    doc = load_suite_document(kind)
    suite = gx.ExpectationSuite(**{k: v for k, v in doc.items() if k in ("name", "expectations", "meta")})
    if len(suite.expectations) != len(doc["expectations"]):
        # Great Expectations drops an expectation type it does not know, with only a log line.
        raise InputError(expectations_dir() / f"{kind}.json",
                         f"{len(doc['expectations']) - len(suite.expectations)} expectation(s) were not understood")
    return suite


def _gx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as Great Expectations compares it fastest: date columns as ``datetime64[ns]`` (its
    range check is vectorized for those and a Python call per value otherwise); the suite's date
    bounds are given as timestamps to match (same days, same comparisons). Arrow dates (ingest's)
    are cast by Arrow; a column of ``datetime.date`` objects (a frame built by hand) by pandas."""

    def ns(column: pd.Series) -> pd.Series:  # Arrow's cast, not pandas' (which goes through objects)
        arr = pa.array(column).cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
        return pd.Series(arr, index=column.index, dtype="datetime64[ns]")

    out = {}
    for c in frame:
        dtype = frame[c].dtype
        if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype):
            out[c] = ns(frame[c])
        elif pd.api.types.is_object_dtype(dtype):
            first = frame[c].dropna().head(1).tolist()
            if first and isinstance(first[0], date) and not isinstance(first[0], datetime):
                out[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    return frame.assign(**out) if out else frame


@cache
def suite_columns(kind: str) -> tuple[str, ...]:
    """The columns the kind's suite names, in suite order: all a validation needs of a frame."""
    doc = load_suite_document(kind)
    return tuple(dict.fromkeys(str(e["kwargs"]["column"]) for e in doc.get("expectations", [])
                               if "column" in e.get("kwargs", {})))


def validate_frame(kind: str, frame: pd.DataFrame, production: Production) -> list[Failure]:
    """Run the kind's suite over ``frame``; one :class:`Failure` per failing expectation.

    Only the suite's columns are handed to Great Expectations (:func:`suite_columns`; a column the
    suite names and the frame lacks still fails the suite), so it copies and fingerprints no more."""
    if frame.empty:
        return []
    frame = _gx_frame(frame[[c for c in suite_columns(kind) if c in frame]])
    ctx = _context()
    name = f"{kind}-{id(frame)}"
    asset = ctx.data_sources.add_or_update_pandas(name).add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(name).get_batch(batch_parameters={"dataframe": frame})
    params = {k: pd.Timestamp(v) if isinstance(v, date) else v for k, v in suite_parameters(production).items()}
    result = batch.validate(_suite(kind), result_format="COMPLETE", expectation_parameters=params)
    ctx.data_sources.delete(name)
    failures = []
    for r in result.results:
        cfg = r.expectation_config
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(f"expectation {cfg.type} on {kind} raised: {r.exception_info.get('exception_message')}")
        if not r.success:
            idx = tuple(r.result.get("unexpected_index_list") or ())
            if not idx:
                raise RuntimeError(f"expectation {cfg.type} on {kind} failed without naming rows")
            failures.append(Failure(idx, Reason(cfg.meta["reason"]), cfg.meta.get("field", ""), cfg.type))
    return failures
