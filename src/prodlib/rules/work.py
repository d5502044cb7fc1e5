"""Timecard rules (daily overtime bands, 6th/7th day, meals, rest, DGA AD tables) from work_rules.yaml.

The file holds effective-dated schedules; a timecard day is checked by the schedule in force on its
work date (:meth:`WorkRuleBook.in_force`), never by one that has ended or not yet begun.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from prodlib.config import Figure, Flag, IsoDate, Strict, Text, Whole, YamlDocument, load_model
from prodlib.errors import RuleDataError
from prodlib.rules.overlay import Replacement

WORK_FILE = Path(__file__).resolve().parent.parent / "data" / "rules" / "work_rules.yaml"


@dataclass(frozen=True)
class Band:
    start: Decimal  # hours
    end: Decimal | None
    multiplier: Decimal
    earning_type: str


@dataclass(frozen=True)
class WorkRules:
    """The timecard rules of one schedule, in force ``effective_from`` .. ``effective_to``.

    Attributes:
      hourly_unions: who is paid from timecards under the hourly rules.
      bands: daily overtime bands on worked hours, per day kind (normal | sixth_day | seventh_day).
      sixth_day_index, seventh_day_index: which distinct day of the workweek is the 6th / 7th day.
      meal_within, meal_steps, meal_each_further: meal timing (hours) and penalties per half hour late.
      rest_min, invaded_multiplier: minimum rest (hours) and the premium on hours that invade it.
      dga_classifications, dga_extended, dga_turnaround_rest, dga_turnaround_fraction, dga_paid_as:
        the DGA AD extended-workday and turnaround tables and the earning types that pay them.
      effective_from, effective_to: the dates the schedule is in force (``effective_to`` inclusive,
        None: open-ended).
      source, verified: where the figures come from, and whether they were checked there.
      id: the schedule's id in its file (what a production's own work_rules.yaml replaces it by).
      path: the file the schedule was read from.
    """

    hourly_unions: frozenset[str]
    bands: dict[str, tuple[Band, ...]]  # normal | sixth_day | seventh_day
    sixth_day_index: int
    seventh_day_index: int
    meal_within: Decimal
    meal_steps: tuple[Decimal, ...]
    meal_each_further: Decimal
    rest_min: Decimal
    invaded_multiplier: Decimal
    dga_classifications: frozenset[str]
    dga_extended: tuple[tuple[Decimal, Decimal], ...]  # (over_hours, day_fraction)
    dga_turnaround_rest: Decimal
    dga_turnaround_fraction: Decimal
    dga_paid_as: frozenset[str]
    effective_from: date
    source: str
    verified: bool
    effective_to: date | None = None
    id: str = ""
    path: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class WorkRuleBook:
    """Every timecard-rule schedule of work_rules.yaml; a work date is checked by the one in force on it.

    Attributes:
      schedules: the schedules, by ``effective_from``; no two are in force on one date.
      max_span_hours: the longest call-to-wrap span a timecard can record; a longer one is
        IMPOSSIBLE_TIMECARD (a bound on what a day can be, not a contract term, so not per schedule).
    """

    schedules: tuple[WorkRules, ...]
    max_span_hours: Decimal

    def in_force(self, on: date) -> WorkRules | None:
        """The schedule in force on ``on``; None when none is (the day cannot be checked)."""
        return next((s for s in self.schedules if s.in_force(on)), None)


class _Band(Strict):
    start: Figure = Field(alias="from")
    end: Figure | None = Field(alias="to")
    multiplier: Figure
    earning_type: Text


class _Bands(Strict):
    normal: tuple[_Band, ...]
    sixth_day: tuple[_Band, ...]
    seventh_day: tuple[_Band, ...]


class _Meals(Strict):
    within_hours: Figure
    penalty_steps: tuple[Figure, ...]
    penalty_each_further: Figure


class _Rest(Strict):
    min_hours: Figure
    invaded_multiplier: Figure


class _Hourly(Strict):
    unions: tuple[Text, ...]
    bands: _Bands
    sixth_day_index: Whole
    seventh_day_index: Whole
    meals: _Meals
    rest: _Rest


class _Extended(Strict):
    over_hours: Figure
    day_fraction: Figure


class _Turnaround(Strict):
    min_rest_hours: Figure
    day_fraction: Figure


class _DgaAd(Strict):
    classifications: tuple[Text, ...]
    extended_workday: tuple[_Extended, ...]
    turnaround: _Turnaround
    paid_as: tuple[Text, ...]


class _Schedule(Strict):
    entry_key: ClassVar[str | None] = "id"
    id: Text
    effective_from: IsoDate
    effective_to: IsoDate | None = None
    source: Text | None = None
    verified: Flag | None = None
    hourly: _Hourly
    dga_ad: _DgaAd


class WorkRulesFile(Strict):
    """work_rules.yaml as written: the file's source line and its effective-dated schedules.

    Attributes:
      source, verified: the default source line and verified flag of every schedule.
      schedules: one set of timecard rules per period of force (see :class:`WorkRules`).
      max_span_hours: the longest call-to-wrap span a timecard can record (see :class:`WorkRuleBook`).
    """

    source: Text
    verified: Flag
    max_span_hours: Figure | None = None  # required in the shipped file; an overlay may leave it out
    schedules: tuple[_Schedule, ...]


def _read_work_rules(p: Path) -> tuple[WorkRulesFile, YamlDocument, list[WorkRules]]:
    doc, located = load_model(p, WorkRulesFile, RuleDataError)
    out: list[WorkRules] = []
    for s in doc.schedules:
        h, d = s.hourly, s.dga_ad
        out.append(WorkRules(
            hourly_unions=frozenset(h.unions),
            bands={name: tuple(Band(b.start, b.end, b.multiplier, b.earning_type) for b in getattr(h.bands, name))
                   for name in ("normal", "sixth_day", "seventh_day")},
            sixth_day_index=h.sixth_day_index, seventh_day_index=h.seventh_day_index,
            meal_within=h.meals.within_hours, meal_steps=h.meals.penalty_steps,
            meal_each_further=h.meals.penalty_each_further,
            rest_min=h.rest.min_hours, invaded_multiplier=h.rest.invaded_multiplier,
            dga_classifications=frozenset(d.classifications),
            dga_extended=tuple((x.over_hours, x.day_fraction) for x in d.extended_workday),
            dga_turnaround_rest=d.turnaround.min_rest_hours, dga_turnaround_fraction=d.turnaround.day_fraction,
            dga_paid_as=frozenset(d.paid_as),
            effective_from=s.effective_from, effective_to=s.effective_to,
            source=doc.source if s.source is None else s.source,
            verified=doc.verified if s.verified is None else s.verified,
            id=s.id, path=str(p),
        ))
    ids = [w.id for w in out]
    for i, w in enumerate(out):
        if w.effective_to is not None and w.effective_to < w.effective_from:
            raise located.error("effective_to is before effective_from", ("schedules", i, "effective_to"),
                                WorkRulesFile, RuleDataError)
        if ids.index(w.id) != i:
            raise located.error(f"schedule id {w.id} appears twice", ("schedules", i, "id"), WorkRulesFile,
                                RuleDataError)
    return doc, located, out


def _book(schedules: list[WorkRules], located: YamlDocument, blame: dict[str, int],
          max_span: Decimal) -> WorkRuleBook:
    """The schedules in date order; two in force on one date are refused (blamed on a schedule of
    ``located``, ``blame``: schedule id -> its position there); ``max_span`` above 0."""
    if max_span <= 0:
        raise located.error("max_span_hours must be above 0", ("max_span_hours",), WorkRulesFile, RuleDataError)
    order = sorted(schedules, key=lambda w: w.effective_from)
    for prev, nxt in zip(order, order[1:], strict=False):
        if prev.effective_to is None or prev.effective_to >= nxt.effective_from:
            at = blame.get(nxt.id, blame.get(prev.id, 0))
            raise located.error(f"schedule {nxt.id} starts {nxt.effective_from} while {prev.id} is still in force",
                                ("schedules", at, "effective_from"), WorkRulesFile, RuleDataError)
    return WorkRuleBook(tuple(order), max_span)


@cache
def load_work_rules(path: str | None = None) -> WorkRuleBook:
    """The timecard rules (the shipped file by default); every mistake is a :class:`RuleDataError`."""
    doc, located, out = _read_work_rules(Path(path or WORK_FILE))
    if doc.max_span_hours is None:
        raise located.error("is required", ("max_span_hours",), WorkRulesFile, RuleDataError)
    return _book(out, located, {w.id: i for i, w in enumerate(out)}, doc.max_span_hours)


def overlay_work_rules(shipped: WorkRuleBook, path: Path) -> tuple[WorkRuleBook, tuple[Replacement, ...]]:
    """``shipped`` with a production's work_rules.yaml laid over it: a schedule with a shipped ``id``
    replaces it, another is added; no two may be in force on one date. Returns the book and what was
    replaced."""
    doc, located, mine = _read_work_rules(path)
    at = {w.id: i for i, w in enumerate(mine)}
    replaced = tuple(Replacement("schedule", w.id, Path(w.path).name, str(path),
                                 located.line_of(("schedules", at[w.id])))
                     for w in shipped.schedules if w.id in at)
    kept = [w for w in shipped.schedules if w.id not in at]
    span = shipped.max_span_hours if doc.max_span_hours is None else doc.max_span_hours
    return _book([*kept, *mine], located, at, span), replaced
