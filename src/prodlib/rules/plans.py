"""Fringe plans as data: one YAML file per plan, each rate with its effective dates, scope and cap.

A plan covers unions; each rate entry names the fund it goes to, its kind (``percent`` of subject
earnings, ``per_hour``, ``per_day``, ``per_unit``, ``percent_of_scale``), the earning types it is
levied on, optional classification and state filters, and an optional cap band on cumulative subject
earnings per person at the cap's scope (project, episode, picture, calendar_year). Entries that share a
cap ``pool`` share one running total (DGA's Basic/Supplemental bands; rate versions across a year).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import ClassVar, Literal, get_args

from prodlib.config import Figure, Flag, IsoDate, Strict, Text, Whole, YamlDocument, load_model
from prodlib.errors import RuleDataError
from prodlib.money import MONEY_CONTEXT
from prodlib.rules.overlay import Replacement

PLANS_DIR = Path(__file__).resolve().parent.parent / "data" / "rules" / "plans"
RateKind = Literal["percent", "per_hour", "per_day", "per_unit", "percent_of_scale"]
CapScope = Literal["project", "episode", "picture", "calendar_year"]
#: What a production is made for (production.yaml's ``medium:``); a rate entry may be limited to some.
Medium = Literal["theatrical", "television"]
#: A television program's length (production.yaml's ``program_length:``, or an episode's): the
#: SAG-AFTRA TV ceilings are per episode by program length.
ProgramLength = Literal["half_hour", "one_hour", "ninety_minutes", "two_hours", "over_two_hours"]
MEDIA: tuple[str, ...] = get_args(Medium)
PROGRAM_LENGTHS: tuple[str, ...] = get_args(ProgramLength)
KINDS: tuple[str, ...] = get_args(RateKind)
SCOPES: tuple[str, ...] = get_args(CapScope)
EARNING_TYPES = frozenset(
    "REG OT_1_5 OT_2 OT_3 MEAL_PENALTY SIXTH_DAY SEVENTH_DAY FLAT PER_DIEM MILEAGE KIT_RENTAL BOX_RENTAL "
    "REIMBURSEMENT RESIDUAL_THEATRICAL RESIDUAL_SUPP_HV".split()
)
#: Never pensionable nor wages: a rate entry listing one of these is a data error.
NON_SUBJECT = frozenset({"PER_DIEM", "MILEAGE", "KIT_RENTAL", "BOX_RENTAL", "REIMBURSEMENT"})
#: Rates are held exactly; the vectorized engine scales them by 10**8, so no more decimals than that.
RATE_DECIMALS = 8


@dataclass(frozen=True)
class Cap:
    """A band [floor, amount) on a person's cumulative subject earnings at ``scope``."""

    amount: Decimal | None
    floor: Decimal
    scope: str
    pool: str


@dataclass(frozen=True)
class RateEntry:
    """One rate of a plan, in force between two dates.

    Attributes:
      id: the entry's id, unique in its plan
      plan: the plan's id
      fund: the fund it pays into (Pension, Health, OASDI)
      kind: how it is levied: percent of gross, per hour, per day, per unit or percent of scale
      rate: the rate (exact Decimal, from quoted text)
      effective_from: first date it applies
      effective_to: last date it applies; None: open-ended
      earning_types: the earning types it is levied on
      classifications: the classifications it is limited to; None: all
      states: the states it is limited to; None: all
      media: the production media it is limited to (``theatrical``, ``television``); None: all
      program_lengths: the program lengths it is limited to (``half_hour``, ``one_hour``, ...: the
        production's or the line's episode's); None: all, and a line with no declared length matches
      contribution_type: "session" or "residual"
      cap: the ceiling on subject earnings, with its scope; None: no cap
      source: where the figure comes from
      verified: True when checked against the published source named in ``source``; False: a sample
    """

    id: str
    plan: str
    fund: str
    kind: str
    rate: Decimal
    effective_from: date
    effective_to: date | None
    earning_types: frozenset[str]
    classifications: frozenset[str] | None
    states: frozenset[str] | None
    contribution_type: str  # "session" or "residual"
    cap: Cap | None
    source: str
    verified: bool
    media: frozenset[str] | None = None
    program_lengths: frozenset[str] | None = None

    def applies_to(self, medium: str, program_length: str | None) -> bool:
        """Whether the entry is levied on a production of this medium and (episode's) program length."""
        return ((self.media is None or medium in self.media)
                and (self.program_lengths is None or program_length in self.program_lengths))

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def matches(self, classification: str, earning_type: str, state: str) -> bool:
        return (
            earning_type in self.earning_types
            and (self.classifications is None or classification in self.classifications)
            and (self.states is None or state in self.states)
        )

    @property
    def match_key(self) -> str:
        """Which lines the entry selects: entries with one key in a pool sum those lines once."""
        c = "*" if self.classifications is None else ",".join(sorted(self.classifications))
        s = "*" if self.states is None else ",".join(sorted(self.states))
        m = "*" if self.media is None else ",".join(sorted(self.media))
        n = "*" if self.program_lengths is None else ",".join(sorted(self.program_lengths))
        return f"{self.contribution_type}|{','.join(sorted(self.earning_types))}|{c}|{s}|{m}|{n}"


@dataclass(frozen=True)
class Unpublished:
    """A schedule of a plan known to exist but not published where its figures could be read.

    Attributes:
      effective_from: first date (the plan's date basis) it covers
      effective_to: last date; None: open-ended (still the case today)
      media: the production media it concerns; None: all
      states: the states it concerns; None: all
      note: what is missing and where it was looked for (``prodlib rules coverage`` prints it)
    """

    effective_from: date
    effective_to: date | None
    media: frozenset[str] | None
    states: frozenset[str] | None
    note: str

    def covers(self, on: date, medium: str, state: str | None = None) -> bool:
        return (self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)
                and (self.media is None or medium in self.media)
                and (self.states is None or state is None or state in self.states))


@dataclass(frozen=True)
class RemittanceTerms:
    due_days: int
    business_days: bool
    late_kind: str  # liquidated_damages | interest | none
    steps: tuple[tuple[int, Decimal], ...]  # (after_days, percent) for liquidated damages
    annual_rate: Decimal | None
    day_count: int
    source: str
    verified: bool


@dataclass(frozen=True)
class Plan:
    """One fringe plan (a guild P&H plan or a statutory one) as its rule file declares it.

    Attributes:
      plan: the plan's id (``SAG-AFTRA``, ``FICA-SS``): its FRINGE_PAYABLE account and remittance files carry it
      name: the plan's name
      agreement_subtype: the agreement it belongs to (Theatrical, TV, Statutory)
      unions: the unions whose lines it covers
      date_basis: which date picks a rate: the PP date or the period end
      fringe_detail: the detail suffixes of the x900 fringe account its contributions are charged to
      rates: its rate entries, each with its dates, cap, source and verified flag
      remittance: when contributions are due and what a late payment costs
      allocation: (fund, share) pairs that split one rate across funds
      on_call_credit: (days, credit) pairs: hours credited to on-call people per day worked
      on_call_per_day_below: the pay per day below which an on-call day earns the credit
      scale_multipliers: (earning type, multiplier) pairs for percent-of-scale rates
      source: where the plan's figures come from
      path: the rule file it was read from
      unpublished: schedules known to exist whose figures were not published where they could be read
    """

    plan: str
    name: str
    agreement_subtype: str
    unions: frozenset[str]
    date_basis: str  # pp_date | period_end
    fringe_detail: tuple[str, ...]
    rates: tuple[RateEntry, ...]
    remittance: RemittanceTerms
    allocation: tuple[tuple[str, Decimal], ...] = ()
    on_call_credit: tuple[tuple[int, Decimal], ...] = ()
    on_call_per_day_below: Decimal | None = None
    scale_multipliers: tuple[tuple[str, Decimal], ...] = ()
    source: str = ""
    path: str = ""
    unpublished: tuple[Unpublished, ...] = ()

    def unpublished_on(self, on: date | None, medium: str, state: str | None = None) -> str:
        """The note of an unpublished schedule covering ``on`` for ``medium`` (and ``state``), or ""."""
        if on is None:
            return ""
        return next((u.note for u in self.unpublished if u.covers(on, medium, state)), "")

    @property
    def earning_types(self) -> frozenset[str]:
        return frozenset().union(*(r.earning_types for r in self.rates))

    def credited_hours(self, days: int) -> Decimal:
        """On-call credited hours for ``days`` worked in the week (IATSE weekly employees)."""
        table = dict(self.on_call_credit)
        if days in table:
            return table[days]
        if days > max(table, default=0) and table:
            return table[max(table)]
        if self.on_call_per_day_below is None:
            raise ValueError(f"plan {self.plan}: no on-call credit for {days} days")
        return self.on_call_per_day_below * days


class _CapFile(Strict):
    amount: Figure | None = None
    floor: Figure = Decimal("0")
    scope: CapScope
    pool: Text | None = None


class _RateFile(Strict):
    entry_key: ClassVar[str | None] = "id"
    entry_bare: ClassVar[bool] = True
    id: Text
    fund: Text
    kind: RateKind
    rate: Figure
    effective_from: IsoDate
    effective_to: IsoDate | None = None
    earning_types: tuple[Text, ...]
    classifications: tuple[Text, ...] | None = None
    states: tuple[Text, ...] | None = None
    media: tuple[Medium, ...] | None = None
    program_lengths: tuple[ProgramLength, ...] | None = None
    contribution_type: Literal["session", "residual"] = "session"
    cap: _CapFile | None = None
    source: Text
    verified: Flag


class _Due(Strict):
    days_after_period_end: Whole
    business_days: Flag = False


class _Step(Strict):
    after_days: Whole
    percent: Figure


class _LateCharges(Strict):
    kind: Literal["liquidated_damages", "interest", "none"]
    steps: tuple[_Step, ...] = ()
    annual_rate: Figure | None = None
    day_count: Whole = 365


class _Remittance(Strict):
    due: _Due
    late_charges: _LateCharges = _LateCharges(kind="none")
    source: Text = ""
    verified: Flag = False


class _Allocation(Strict):
    health: Figure
    retirement: Figure
    source: Text = ""
    verified: Flag = False


class _OnCallCredit(Strict):
    days: dict[Whole, Figure] = {}
    per_day_below: Figure | None = None
    verified: Flag = False


class _FlatDealCap(Strict):
    multiple_of_minimum: Figure
    verified: Flag = False


class _Unpublished(Strict):
    effective_from: IsoDate
    effective_to: IsoDate | None = None
    media: tuple[Medium, ...] | None = None
    states: tuple[Text, ...] | None = None
    note: Text


class _Covers(Strict):
    unions: tuple[Text, ...]


class PlanFile(Strict):
    """A plan file as written (``data/rules/plans/*.yaml``); see :class:`Plan` for the meaning.

    Attributes:
      plan, name, agreement_subtype, covers, date_basis, fringe_detail, source: the plan's facts.
      remittance: when contributions are due and what lateness costs.
      allocation: the health/retirement shares of a combined contribution.
      on_call_credit: credited hours for on-call weekly employees by days worked.
      scale_multipliers: earning type -> multiplier that turns hours into scale wages.
      tv_flat_deal_cap: recorded, not applied yet (payroll does not carry the deal's compensation).
      rates: the rate entries, each with its dates, scope, cap, source and verified flag.
      unpublished: schedules in force (or once) whose figures were not published where read.
    """

    plan: Text
    name: Text
    agreement_subtype: Text = ""
    covers: _Covers
    date_basis: Literal["pp_date", "period_end"]
    fringe_detail: tuple[Text, ...]
    source: Text = ""
    remittance: _Remittance
    allocation: _Allocation | None = None
    on_call_credit: _OnCallCredit | None = None
    scale_multipliers: dict[Text, Figure] = {}
    tv_flat_deal_cap: _FlatDealCap | None = None
    rates: tuple[_RateFile, ...]
    unpublished: tuple[_Unpublished, ...] = ()


def _load_plan(path: Path) -> Plan:
    return _read_plan(path)[0]


def _read_plan(path: Path) -> tuple[Plan, YamlDocument]:
    """A plan file as a :class:`Plan`, with its document (for the lines of later messages)."""
    doc, located = load_model(path, PlanFile, RuleDataError)

    def refuse(message: str, *where: str | int) -> RuleDataError:
        return located.error(message, where, PlanFile, RuleDataError)  # type: ignore[return-value]

    rates = []
    for i, r in enumerate(doc.rates):
        exp = r.rate.as_tuple().exponent
        if isinstance(exp, int) and -exp > RATE_DECIMALS:
            raise refuse(f"more than {RATE_DECIMALS} decimals", "rates", i, "rate")
        ets = frozenset(r.earning_types)
        if not ets <= EARNING_TYPES:
            raise refuse(f"unknown earning types {sorted(ets - EARNING_TYPES)}", "rates", i, "earning_types")
        if ets & NON_SUBJECT:
            raise refuse(f"{sorted(ets & NON_SUBJECT)} are never subject earnings", "rates", i, "earning_types")
        if r.cap is not None and r.kind != "percent":
            raise refuse("caps apply to percent rates only", "rates", i, "cap")
        if not r.source:
            raise refuse("needs a source line", "rates", i, "source")
        if r.program_lengths is not None and r.media != ("television",):
            raise refuse("program lengths are television's: say media: [television]", "rates", i, "program_lengths")
        cap = None if r.cap is None else Cap(amount=r.cap.amount, floor=r.cap.floor, scope=r.cap.scope,
                                             pool=r.cap.pool or f"{doc.plan}:{r.id}")
        rates.append(RateEntry(
            id=r.id, plan=doc.plan, fund=r.fund, kind=r.kind, rate=r.rate,
            effective_from=r.effective_from, effective_to=r.effective_to, earning_types=ets,
            classifications=None if r.classifications is None else frozenset(r.classifications),
            states=None if r.states is None else frozenset(r.states),
            contribution_type=r.contribution_type, cap=cap, source=r.source, verified=r.verified,
            media=None if r.media is None else frozenset(r.media),
            program_lengths=None if r.program_lengths is None else frozenset(r.program_lengths),
        ))
    rem, late = doc.remittance, doc.remittance.late_charges
    terms = RemittanceTerms(
        due_days=rem.due.days_after_period_end, business_days=rem.due.business_days, late_kind=late.kind,
        steps=tuple((s.after_days, s.percent) for s in late.steps), annual_rate=late.annual_rate,
        day_count=late.day_count, source=rem.source, verified=rem.verified,
    )
    alloc = doc.allocation
    occ = doc.on_call_credit
    plan = Plan(
        plan=doc.plan, name=doc.name, agreement_subtype=doc.agreement_subtype, unions=frozenset(doc.covers.unions),
        date_basis=doc.date_basis, fringe_detail=doc.fringe_detail, rates=tuple(rates), remittance=terms,
        allocation=() if alloc is None else (("health", alloc.health), ("retirement", alloc.retirement)),
        on_call_credit=() if occ is None else tuple(sorted(occ.days.items())),
        on_call_per_day_below=None if occ is None else occ.per_day_below,
        scale_multipliers=tuple(doc.scale_multipliers.items()), source=doc.source, path=str(path),
        unpublished=tuple(Unpublished(u.effective_from, u.effective_to, None if u.media is None else frozenset(u.media),
                                      None if u.states is None else frozenset(u.states), u.note)
                          for u in doc.unpublished),
    )
    if plan.allocation and sum((v for _, v in plan.allocation), Decimal(0)) != 1:
        raise refuse("allocation shares must add up to 1", "allocation")
    _check_pools(plan, path)
    return plan, located


def _overlap(a: RateEntry, b: RateEntry) -> bool:
    end_a = a.effective_to or date.max
    end_b = b.effective_to or date.max
    return a.effective_from <= end_b and b.effective_from <= end_a


def _band(r: RateEntry) -> tuple[Decimal, Decimal | None]:
    return (Decimal(0), None) if r.cap is None else (r.cap.floor, r.cap.amount)


def _same_production(a: RateEntry, b: RateEntry) -> bool:
    """Some production (medium, program length) is levied by both entries."""
    media = a.media is None or b.media is None or bool(a.media & b.media)
    lengths = a.program_lengths is None or b.program_lengths is None or bool(a.program_lengths & b.program_lengths)
    return media and lengths


def _same_levy(a: RateEntry, b: RateEntry) -> bool:
    """Two entries that would both levy one fund on one line on one date (in overlapping cap bands):
    an added entry like that would double a contribution, so the overlay refuses it."""
    (fa, ta), (fb, tb) = _band(a), _band(b)
    bands = (ta is None or fb < ta) and (tb is None or fa < tb)
    cls = a.classifications is None or b.classifications is None or bool(a.classifications & b.classifications)
    sts = a.states is None or b.states is None or bool(a.states & b.states)
    return (a.fund == b.fund and a.contribution_type == b.contribution_type and _overlap(a, b) and bands
            and bool(a.earning_types & b.earning_types) and cls and sts and _same_production(a, b))


def _check_pools(plan: Plan, path: Path) -> None:
    """Entries of one pool that select different lines must not select the same line twice."""
    capped = [r for r in plan.rates if r.cap]
    for i, a in enumerate(capped):
        for b in capped[i + 1:]:
            if a.cap.pool != b.cap.pool or a.match_key == b.match_key or not _overlap(a, b):
                continue
            if a.cap.scope != b.cap.scope:
                raise RuleDataError(path, f"pool {a.cap.pool} mixes scopes")
            ets = a.earning_types & b.earning_types
            cls = (a.classifications is None or b.classifications is None
                   or bool(a.classifications & b.classifications))
            sts = a.states is None or b.states is None or bool(a.states & b.states)
            if ets and cls and sts and a.contribution_type == b.contribution_type and _same_production(a, b):
                raise RuleDataError(path, f"{a.id} and {b.id} share pool {a.cap.pool} and select the same lines")


@dataclass(frozen=True)
class PlanSet:
    """Every fringe plan in force for a production; the lookups the checks and engines share.

    Attributes:
      plans: the plans, shipped and the production's own
    """

    plans: tuple[Plan, ...]

    def plan(self, plan_id: str) -> Plan:
        return next(p for p in self.plans if p.plan == plan_id)

    def covering(self, union: str, earning_type: str) -> list[Plan]:
        """Plans that expect a contribution on this kind of line (ignoring dates and filters)."""
        return [p for p in self.plans if union in p.unions and earning_type in p.earning_types]

    def entries_for(
        self, union: str, classification: str, earning_type: str, state: str,
        pp_date: date | None, period_end: date, medium: str = "theatrical", program_length: str | None = None,
    ) -> tuple[list[RateEntry], list[str]]:
        """Entries levied on a line, and the plans that expect one but have none in force.

        ``medium`` and ``program_length`` are the production's (the length: the line's episode's when
        it declares one); an entry limited to other media or lengths is not levied.

        The second list is what validation turns into NO_SCHEDULE_IN_FORCE (or MISSING_PP_DATE
        when the plan is priced by a PP date the production does not have).
        """
        found: list[RateEntry] = []
        missing: list[str] = []
        for p in self.covering(union, earning_type):
            on = pp_date if p.date_basis == "pp_date" else period_end
            hits = [] if on is None else [
                r for r in p.rates if r.in_force(on) and r.matches(classification, earning_type, state)
                and r.applies_to(medium, program_length)
            ]
            if hits:
                found.extend(hits)
            else:
                missing.append(p.plan)
        return found, missing


def load_plans(directory: str | Path | None = None) -> PlanSet:
    """Every ``*.yaml`` plan in ``directory`` (the shipped samples by default), sorted by plan id."""
    return _load_dir(str(Path(directory or PLANS_DIR).resolve()))


@cache
def _load_dir(directory: str) -> PlanSet:
    return _plan_set((_load_plan(p) for p in Path(directory).glob("*.yaml")), directory)


def _plan_set(found: Iterable[Plan], directory: str | Path) -> PlanSet:
    """Plans sorted by id; a plan id or a rate id seen twice is refused."""
    plans = sorted(found, key=lambda p: p.plan)
    ids = [p.plan for p in plans]
    if len(set(ids)) != len(ids):
        raise RuleDataError(directory, "a plan id appears twice")
    seen: set[str] = set()
    for p in plans:
        for r in p.rates:
            if r.id in seen:
                raise RuleDataError(directory, f"rate id {r.id} appears twice")
            seen.add(r.id)
    return PlanSet(tuple(plans))


def overlay_plans(shipped: PlanSet, directory: Path) -> tuple[PlanSet, tuple[Replacement, ...]]:
    """``shipped`` with a production's plan files (``directory/*.yaml``) laid over it by id.

    A plan id not shipped is added; a shipped one takes the user file's header and merges its rates
    by ``id`` (replaced in place, new ones appended, the others kept); see :mod:`prodlib.rules.overlay`.
    Returns the plans and what was replaced.
    """
    by_id = {p.plan: p for p in shipped.plans}
    mine: dict[str, Path] = {}
    replaced: list[Replacement] = []
    for path in sorted(directory.glob("*.yaml")):
        user, located = _read_plan(path)
        if user.plan in mine:
            raise located.error(f"plan {user.plan} is also defined in {mine[user.plan]}", ("plan",), PlanFile,
                                RuleDataError)
        mine[user.plan] = path
        base = by_id.get(user.plan)
        if base is None:
            by_id[user.plan] = user
            continue
        shipped_file = f"plans/{Path(base.path).name}"
        replaced.append(Replacement("plan", user.plan, shipped_file, str(path), located.line_of(("plan",))))
        at = {r.id: i for i, r in enumerate(user.rates)}
        rates = []
        for r in base.rates:
            if r.id in at:
                rates.append(user.rates[at[r.id]])
                replaced.append(Replacement("rate", r.id, shipped_file, str(path),
                                            located.line_of(("rates", at[r.id]))))
            else:
                rates.append(r)
        kept = {r.id for r in base.rates}
        for i, r in enumerate(user.rates):
            twin = None if r.id in kept else next((b for b in rates if b.id not in at and _same_levy(r, b)), None)
            if twin is not None:
                raise located.error(f"levies {twin.fund} on the same lines and dates as shipped rate {twin.id}; to "
                                    f"replace it, give this entry the id {twin.id}", ("rates", i, "id"), PlanFile,
                                    RuleDataError)
        merged = replace(user, rates=(*rates, *(r for r in user.rates if r.id not in kept)))
        _check_pools(merged, path)
        by_id[user.plan] = merged
    return _plan_set(by_id.values(), directory), tuple(replaced)


def rate_units(rate: Decimal) -> int:
    """The rate as an integer number of 1e-8 (the vectorized engine's fixed point)."""
    return int(rate.scaleb(RATE_DECIMALS, context=MONEY_CONTEXT))
