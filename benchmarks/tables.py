"""The tables `make bench` ends with, from the JSON lines the benchmarks wrote (``measure.record``).

Pure functions of the records (and of the benchmarks' outcomes), so a test can check them on a
hand-written sample: the **targets table** (issue 12, targets 1-6: each figure at the largest scale
measured, its baseline and ratio, the bound and MET / NOT MET) and the **growth table** (target 7:
time and peak memory per scale, each beside its ratio to the scale ten times smaller; 10 = linear).
A figure no record carries (its benchmark stopped or failed first) reads "not reached".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from benchmarks.measure import _SECONDS, BOUND_SCALE, GROWTH, TARGETS, bound_text, judge, target_of

GROWTH_SCALES = (10_000, 100_000, 1_000_000)
NOT_REACHED = "not reached"


def read(path: Path) -> list[dict]:
    """The records of a JSON-lines file (none if it does not exist; a torn last line is skipped)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def _num(v: float) -> str:
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"


def figure(rec: dict) -> str:
    if rec.get("value") is None:
        return "unread"
    text = f"{_num(rec['value'])} {rec['unit']}"
    t = target_of(rec["key"])
    if t and any(f == "rate" for f, _, _ in t.bounds) and rec.get("scale"):
        text += f" ({rec['scale'] / rec['value']:,.0f}/s)"
    return text


def ratio(rec: dict) -> str:
    if rec.get("ratio") is None:
        return ""
    return f"{rec['ratio']:,.1f}x" + (" (scaled)" if rec.get("scaled") else "")


def baseline(rec: dict) -> str:
    base = " ".join((rec.get("baseline") or "").split())  # a printed row's padding removed
    if rec.get("base_value") is not None and not _SECONDS.search(base):  # not already in the printed text
        base = f"{base}: {_num(rec['base_value'])} s" if base else f"{_num(rec['base_value'])} s"
    return base


def verdict(rec: dict | None) -> str:
    if rec is None:
        return NOT_REACHED
    met = judge(rec)
    if met is not None:
        return "MET" if met else "NOT MET"
    t = target_of(rec["key"])
    if t is None or not t.bounds:
        return "reported"
    if t.at_scale and (rec.get("scale") or 0) < t.at_scale:
        return f"not judged (bound at {t.at_scale:,})"
    return "not judged (a figure missing)"


def largest(records: Iterable[dict], key: str) -> dict | None:
    """The record of ``key`` at its largest scale (the last written, of several)."""
    mine = [r for r in records if r["key"] == key]
    return max(reversed(mine), key=lambda r: r.get("scale") or 0) if mine else None


def _cells(*cells: str) -> str:
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def targets_table(records: list[dict]) -> str:
    """Issue 12, targets 1-6: one line per figure, at the largest scale measured."""
    lines = [_cells("#", "target", "scale", "figure", "peak", "baseline (same run)", "ratio", "bound", "verdict"),
             _cells(*["---"] * 9)]
    for t in TARGETS:
        rec = largest(records, t.key)
        if rec is None:
            lines.append(_cells(str(t.number), t.what, f"{t.at_scale:,}" if t.at_scale else "", NOT_REACHED,
                                "", "", "", bound_text(t), NOT_REACHED))
            continue
        peak = f"{rec['peak_mb']:,.0f} MB" if rec.get("peak_mb") is not None else ""
        lines.append(_cells(str(t.number), t.what, f"{rec['scale']:,}" if rec.get("scale") else "",
                            figure(rec), peak, baseline(rec), ratio(rec), bound_text(t), verdict(rec)))
    return "\n".join(lines)


def _growth(cur: float | None, prev: float | None) -> str:
    return f" ({cur / prev:.1f}x)" if cur is not None and prev else ""


def growth_table(records: list[dict]) -> str:
    """Issue 12, target 7: per row (the targets' ``GROWTH`` first, then any other timed figure) and
    scale, time and peak memory, each with its ratio to the scale ten times smaller (10 = linear)."""
    timed = [r for r in records if r.get("unit") == "s" and r.get("scale")]
    scales = sorted(set(GROWTH_SCALES) | {r["scale"] for r in timed if r["key"] in GROWTH})
    keys = list(GROWTH) + [k for k in dict.fromkeys(r["key"] for r in timed)
                           if k not in GROWTH and any(r["key"] == k and r["scale"] in scales for r in timed)]
    at = {(r["key"], r["scale"]): r for r in timed}  # the last written of a key and scale
    lines = [_cells("what", *[f"{s:,}" for s in scales]), _cells(*["---"] * (len(scales) + 1))]
    for k in keys:
        cells = []
        for s in scales:
            r, prev = at.get((k, s)), at.get((k, s // 10))
            if r is None or r.get("value") is None:  # a growth row missing: its benchmark stopped first
                cells.append("unread" if r else NOT_REACHED if k in GROWTH else "")
                continue
            text = f"{_num(r['value'])} s{_growth(r['value'], prev and prev.get('value'))}"
            if r.get("peak_mb") is not None:
                text += f", {r['peak_mb']:,.0f} MB{_growth(r['peak_mb'], prev and prev.get('peak_mb'))}"
            cells.append(text)
        lines.append(_cells(k, *cells))
    return "\n".join(lines)


def report(records: list[dict], outcomes: list[tuple[str, str, float]] | None = None) -> str:
    """Both tables as markdown, and how each benchmark ended: (name, "ok" / "stopped after N s" /
    "exited N", seconds)."""
    parts = ["### Issue 12 targets (figure at the largest scale measured; ratio = baseline / figure)", "",
             targets_table(records), "",
             f"Bounds are judged at {BOUND_SCALE:,} invoice lines (or entries, or payroll lines); a figure "
             "at a smaller scale is not judged.", "",
             "### Growth (issue 12, 7): time and peak memory; in brackets the ratio to the scale ten times "
             "smaller (10 = linear, less is better)", "", growth_table(records)]
    if outcomes:
        parts += ["", "| benchmark | ended | seconds |", "| --- | --- | --- |",
                  *[_cells(name, how, f"{secs:,.0f}") for name, how, secs in outcomes]]
    return "\n".join(parts) + "\n"
