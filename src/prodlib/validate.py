"""Great Expectations suites per input kind, kept as JSON in the package (``prodlib/expectations/``).

Each expectation carries ``meta.reason`` (a :class:`~prodlib.reasons.Reason`) and ``meta.field``:
the rows it fails go to the quarantine with that reason. Suites take production facts as suite
parameters (``$PARAMETER``: window_start, window_end, ...), so one suite serves every production.

Great Expectations takes seconds to import, so it is imported here, lazily, only when a suite runs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

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


@cache
def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")  # never a cloud context, whatever the environment says
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


@cache
def _suite(kind: str) -> Any:
    import great_expectations as gx

    doc = load_suite_document(kind)
    suite = gx.ExpectationSuite(**{k: v for k, v in doc.items() if k in ("name", "expectations", "meta")})
    if len(suite.expectations) != len(doc["expectations"]):
        # Great Expectations drops an expectation type it does not know, with only a log line.
        raise InputError(expectations_dir() / f"{kind}.json",
                         f"{len(doc['expectations']) - len(suite.expectations)} expectation(s) were not understood")
    return suite


def validate_frame(kind: str, frame: pd.DataFrame, production: Production) -> list[Failure]:
    """Run the kind's suite over ``frame``; one :class:`Failure` per failing expectation."""
    if frame.empty:
        return []
    ctx = _context()
    name = f"{kind}-{id(frame)}"
    asset = ctx.data_sources.add_or_update_pandas(name).add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(name).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(_suite(kind), result_format="COMPLETE", expectation_parameters=suite_parameters(production))
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
