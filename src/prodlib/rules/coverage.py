"""Which rules a production's payroll needs that its rule book does not hold, before a run quarantines.

For every (union, classification, earning type, state, episode) of the payroll registers in the
input folder (read through :func:`prodlib.ingest.read_source`), on each of its period ends and on the
production's window start and end, every plan that expects a contribution, every fund of such a plan
and every scale minimum must have a schedule in force (on the PP date or the period end, per the
plan). What has none is a :class:`Gap`. The schedules the payroll relies on that are in force today
but are labelled samples (``verified: false``), or that have none in force today, are listed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prodlib.checks.base import WAGES
from prodlib.eligibility import rate_date
from prodlib.ingest import read_source
from prodlib.production import Production
from prodlib.rules.book import RuleBook
from prodlib.rules.overlay import Replacement
from prodlib.sources import InputSet
from prodlib.values import column_values, episode_text, py_date

#: A payroll line's shape as coverage reads it: union, classification, earning type, state, episode.
Shape = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Gap:
    """A plan, fund or minimum the payroll needs with no schedule in force.

    Attributes:
      kind: ``classification`` (no minimum at all: UNKNOWN_CLASSIFICATION), ``plan``, ``fund`` or
        ``minimum`` (none in force).
      id: the plan id, ``plan:fund``, or ``union/classification``.
      shape: the lines' union, classification, earning type, state and episode.
      dates: the dates that pick the rate (PP date or period end per the plan; None: no PP date).
      note: why, when the plan file knows: a schedule not published where it could be read.
    """

    kind: str
    id: str
    shape: Shape
    dates: tuple[date | None, ...]
    note: str = ""

    def __str__(self) -> str:
        days = sorted(d for d in self.dates if d is not None)
        when = "no PP date" if not days else (str(days[0]) if len(days) == 1 else f"{days[0]} .. {days[-1]} "
                                              f"({len(days)} dates)")
        union, cls, et, state, ep = self.shape
        if self.kind == "classification":
            return f"classification {self.id}: not in the scale rules (lines on {when})"
        why = f" ({self.note})" if self.note else ""
        return f"{self.kind} {self.id}: no schedule in force for {union}/{cls}/{et}/{state}" \
               f"{'/' + ep if ep else ''} on {when}{why}"


@dataclass(frozen=True)
class TodayNote:
    """A schedule the payroll relies on, as it stands today.

    Attributes:
      kind: ``rate``, ``plan`` (none of its rates in force today) or ``minimum``.
      id: the rate id, the plan id, or ``union/classification``.
      note: ``sample`` (in force, ``verified: false``) or ``none in force`` (unpublished or missing).
      source: the schedule's source line; for ``none in force``, the plan file's note on the
        unpublished schedule ("" when it has none).
    """

    kind: str
    id: str
    note: str
    source: str

    def __str__(self) -> str:
        if self.note == "sample":
            return f"{self.kind} {self.id} in force today is a labelled sample (verified: false): {self.source}"
        why = f": {self.source}" if self.source else ""
        return f"{self.kind} {self.id}: none in force today (not published in the rule files){why}"


@dataclass(frozen=True)
class CoverageReport:
    """What ``prodlib rules coverage`` prints.

    Attributes:
      lines: payroll lines read (those ingest could parse).
      shapes: distinct line shapes among them.
      gaps: what has no schedule in force, before a run quarantines for it.
      today: schedules in force today that are samples, or that have none in force today.
      replaced: shipped figures the production's own rule files replace.
      on: the date "today" stands for.
    """

    lines: int
    shapes: int
    gaps: tuple[Gap, ...]
    today: tuple[TodayNote, ...]
    replaced: tuple[Replacement, ...]
    on: date


def payroll_shapes(inputs: InputSet) -> tuple[int, dict[Shape, set[date]]]:
    """(lines read, shape -> its period ends) over every payroll register of the input folder."""
    out: dict[Shape, set[date]] = {}
    lines = 0
    for spec in inputs.of_kind("payroll"):
        frame = read_source(spec, inputs.production.currency).frame
        lines += len(frame)
        cols = {c: column_values(frame, c) if c in frame else [None] * len(frame)
                for c in ("union", "classification", "earning_type", "state", "episode", "period_end")}
        for k in range(len(frame)):
            shape = tuple("" if cols[c][k] is None else str(cols[c][k])
                          for c in ("union", "classification", "earning_type", "state"))
            key = (*shape, episode_text(cols["episode"][k]))
            pe = py_date(cols["period_end"][k])
            out.setdefault(key, set())  # type: ignore[arg-type]
            if pe is not None:
                out[key].add(pe)  # type: ignore[index]
    return lines, out  # type: ignore[return-value]


def rules_coverage(inputs: InputSet, rules: RuleBook, today: date) -> CoverageReport:
    """The coverage of ``inputs``' payroll by ``rules`` (see the module's docstring)."""
    production: Production = inputs.production
    lines, shapes = payroll_shapes(inputs)
    window = {d for d in (production.window_start, production.window_end) if d is not None}
    found: dict[tuple[str, str, Shape], set[date | None]] = {}
    why: dict[tuple[str, str, Shape], str] = {}
    notes: dict[tuple[str, str], TodayNote] = {}
    for shape, period_ends in sorted(shapes.items()):
        union, cls, et, state, ep = shape
        pp = production.pp_date_for(ep)
        scale = rules.scale
        if not scale.known(union, cls):  # UNKNOWN_CLASSIFICATION, before any plan is consulted
            found.setdefault(("classification", f"{union}/{cls}", shape), set()).update(period_ends)
            continue
        for plan in rules.plans.covering(union, et):
            matching = [r for r in plan.rates if r.matches(cls, et, state)
                        and r.applies_to(production.medium, production.program_length_for(ep))]
            for pe in sorted(period_ends | window):
                on = rate_date(plan, pp, pe)
                live = [] if on is None else [r for r in matching if r.in_force(on)]
                if not live:
                    found.setdefault(("plan", plan.plan, shape), set()).add(on)
                    note = plan.unpublished_on(on, production.medium, state)
                    if note:
                        why.setdefault(("plan", plan.plan, shape), note)
                    continue
                for fund in sorted({r.fund for r in matching} - {r.fund for r in live}):
                    found.setdefault(("fund", f"{plan.plan}:{fund}", shape), set()).add(on)
            now = [r for r in matching if r.in_force(today)]
            for r in now:
                if not r.verified:
                    notes.setdefault(("rate", r.id), TodayNote("rate", r.id, "sample", r.source))
            if not now:
                notes.setdefault(("plan", plan.plan), TodayNote("plan", plan.plan, "none in force",
                                                                plan.unpublished_on(today, production.medium,
                                                                                    state)))
        if et not in WAGES:
            continue
        work = f"{union}/{scale.canonical(union, cls)}"
        for pe in sorted(period_ends | window):
            if production.budget_tier is None and scale.needs_tier(union, cls, pe):
                continue  # BUDGET_TIER_MISSING: the production must declare its tier first
            if scale.lookup(union, cls, pe, production.budget_tier) is None:
                found.setdefault(("minimum", work, shape), set()).add(pe)
                note = scale.unpublished_on(union, cls, pe, production.budget_tier)
                if note:
                    why.setdefault(("minimum", work, shape), note)
        if production.budget_tier is None and scale.needs_tier(union, cls, today):
            continue
        sm = scale.lookup(union, cls, today, production.budget_tier)
        if sm is None:
            notes.setdefault(("minimum", work), TodayNote("minimum", work, "none in force", scale.unpublished_on(
                union, cls, today, production.budget_tier)))
        elif not sm.verified:
            notes.setdefault(("minimum", work), TodayNote("minimum", work, "sample", sm.source))
    gaps = tuple(Gap(kind, ident, shape, tuple(sorted(ds, key=lambda d: d or date.min)),
                     why.get((kind, ident, shape), ""))
                 for (kind, ident, shape), ds in found.items())
    return CoverageReport(lines, len(shapes), gaps, tuple(notes.values()), rules.replaced, today)
