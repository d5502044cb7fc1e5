"""Fringe plans as data: one YAML file per plan, each rate with its effective dates, scope and cap.

A plan covers unions; each rate entry names the fund it goes to, its kind (``percent`` of subject
earnings, ``per_hour``, ``per_day``, ``per_unit``, ``percent_of_scale``), the earning types it is
levied on, optional classification and state filters, and an optional cap band on cumulative subject
earnings per person at the cap's scope (project, episode, picture, calendar_year). Entries that share a
cap ``pool`` share one running total (DGA's Basic/Supplemental bands; rate versions across a year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from prodlib.money import MONEY_CONTEXT

PLANS_DIR = Path(__file__).resolve().parent.parent / "data" / "rules" / "plans"
KINDS = ("percent", "per_hour", "per_day", "per_unit", "percent_of_scale")
SCOPES = ("project", "episode", "picture", "calendar_year")
EARNING_TYPES = frozenset(
    "REG OT_1_5 OT_2 OT_3 MEAL_PENALTY SIXTH_DAY SEVENTH_DAY FLAT PER_DIEM MILEAGE KIT_RENTAL BOX_RENTAL "
    "REIMBURSEMENT RESIDUAL_THEATRICAL RESIDUAL_SUPP_HV".split()
)
#: Never pensionable nor wages: a rate entry listing one of these is a data error.
NON_SUBJECT = frozenset({"PER_DIEM", "MILEAGE", "KIT_RENTAL", "BOX_RENTAL", "REIMBURSEMENT"})
#: Rates are held exactly; the vectorized engine scales them by 10**8, so no more decimals than that.
RATE_DECIMALS = 8


def _d(value: Any, what: str) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"{what}: write the figure as a quoted string, not a float ({value!r})")
    return Decimal(str(value))


def _date(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class Cap:
    """A band [floor, amount) on a person's cumulative subject earnings at ``scope``."""

    amount: Decimal | None
    floor: Decimal
    scope: str
    pool: str


@dataclass(frozen=True)
class RateEntry:
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
        return f"{self.contribution_type}|{','.join(sorted(self.earning_types))}|{c}|{s}"


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


def _load_plan(path: Path) -> Plan:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        plan_id = str(doc["plan"])
        rates = []
        for r in doc["rates"]:
            kind = r["kind"]
            if kind not in KINDS:
                raise ValueError(f"rate {r['id']}: unknown kind {kind!r}")
            rate = _d(r["rate"], f"rate {r['id']}")
            exp = rate.as_tuple().exponent
            if isinstance(exp, int) and -exp > RATE_DECIMALS:
                raise ValueError(f"rate {r['id']}: more than {RATE_DECIMALS} decimals")
            ets = frozenset(r["earning_types"])
            if not ets <= EARNING_TYPES:
                raise ValueError(f"rate {r['id']}: unknown earning types {sorted(ets - EARNING_TYPES)}")
            if ets & NON_SUBJECT:
                raise ValueError(f"rate {r['id']}: {sorted(ets & NON_SUBJECT)} are never subject earnings")
            cap = None
            if r.get("cap"):
                c = r["cap"]
                if c["scope"] not in SCOPES:
                    raise ValueError(f"rate {r['id']}: unknown cap scope {c['scope']!r}")
                if kind != "percent":
                    raise ValueError(f"rate {r['id']}: caps apply to percent rates only")
                cap = Cap(
                    amount=None if c.get("amount") is None else _d(c["amount"], r["id"]),
                    floor=_d(c.get("floor", "0"), r["id"]),
                    scope=c["scope"], pool=str(c.get("pool", f"{plan_id}:{r['id']}")),
                )
            if "verified" not in r or not r.get("source"):
                raise ValueError(f"rate {r['id']}: needs a source line and a verified flag")
            rates.append(RateEntry(
                id=str(r["id"]), plan=plan_id, fund=str(r["fund"]), kind=kind, rate=rate,
                effective_from=_date(r["effective_from"]), effective_to=_date(r.get("effective_to")),
                earning_types=ets,
                classifications=None if r.get("classifications") is None else frozenset(r["classifications"]),
                states=None if r.get("states") is None else frozenset(r["states"]),
                contribution_type=str(r.get("contribution_type", "session")),
                cap=cap, source=str(r["source"]), verified=bool(r["verified"]),
            ))
        rem = doc["remittance"]
        late = rem.get("late_charges") or {"kind": "none"}
        terms = RemittanceTerms(
            due_days=int(rem["due"]["days_after_period_end"]), business_days=bool(rem["due"].get("business_days")),
            late_kind=str(late["kind"]),
            steps=tuple((int(s["after_days"]), _d(s["percent"], "late step")) for s in late.get("steps", [])),
            annual_rate=None if late.get("annual_rate") is None else _d(late["annual_rate"], "annual_rate"),
            day_count=int(late.get("day_count", 365)), source=str(rem.get("source", "")),
            verified=bool(rem.get("verified", False)),
        )
        alloc = doc.get("allocation") or {}
        occ = doc.get("on_call_credit") or {}
        plan = Plan(
            plan=plan_id, name=str(doc["name"]), agreement_subtype=str(doc.get("agreement_subtype", "")),
            unions=frozenset(doc["covers"]["unions"]), date_basis=str(doc["date_basis"]),
            fringe_detail=tuple(str(x) for x in doc["fringe_detail"]), rates=tuple(rates), remittance=terms,
            allocation=tuple((k, _d(v, "allocation")) for k, v in alloc.items() if k not in ("source", "verified")),
            on_call_credit=tuple(sorted((int(k), _d(v, "on_call")) for k, v in (occ.get("days") or {}).items())),
            on_call_per_day_below=None if occ.get("per_day_below") is None else _d(occ["per_day_below"], "on_call"),
            scale_multipliers=tuple((k, _d(v, "multiplier")) for k, v in (doc.get("scale_multipliers") or {}).items()),
            source=str(doc.get("source", "")), path=str(path),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path}: invalid plan file: {exc!r}") from exc
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if plan.date_basis not in ("pp_date", "period_end"):
        raise ValueError(f"{path}: date_basis must be pp_date or period_end")
    if plan.allocation and sum((v for _, v in plan.allocation), Decimal(0)) != 1:
        raise ValueError(f"{path}: allocation shares must add up to 1")
    _check_pools(plan, path)
    return plan


def _overlap(a: RateEntry, b: RateEntry) -> bool:
    end_a = a.effective_to or date.max
    end_b = b.effective_to or date.max
    return a.effective_from <= end_b and b.effective_from <= end_a


def _check_pools(plan: Plan, path: Path) -> None:
    """Entries of one pool that select different lines must not select the same line twice."""
    capped = [r for r in plan.rates if r.cap]
    for i, a in enumerate(capped):
        for b in capped[i + 1:]:
            if a.cap.pool != b.cap.pool or a.match_key == b.match_key or not _overlap(a, b):
                continue
            if a.cap.scope != b.cap.scope:
                raise ValueError(f"{path}: pool {a.cap.pool} mixes scopes")
            ets = a.earning_types & b.earning_types
            cls = (a.classifications is None or b.classifications is None
                   or bool(a.classifications & b.classifications))
            sts = a.states is None or b.states is None or bool(a.states & b.states)
            if ets and cls and sts and a.contribution_type == b.contribution_type:
                raise ValueError(f"{path}: {a.id} and {b.id} share pool {a.cap.pool} and select the same lines")


@dataclass(frozen=True)
class PlanSet:
    plans: tuple[Plan, ...]

    def plan(self, plan_id: str) -> Plan:
        return next(p for p in self.plans if p.plan == plan_id)

    def covering(self, union: str, earning_type: str) -> list[Plan]:
        """Plans that expect a contribution on this kind of line (ignoring dates and filters)."""
        return [p for p in self.plans if union in p.unions and earning_type in p.earning_types]

    def entries_for(
        self, union: str, classification: str, earning_type: str, state: str,
        pp_date: date | None, period_end: date,
    ) -> tuple[list[RateEntry], list[str]]:
        """Entries levied on a line, and the plans that expect one but have none in force.

        The second list is what validation turns into NO_SCHEDULE_IN_FORCE (or MISSING_PP_DATE
        when the plan is priced by a PP date the production does not have).
        """
        found: list[RateEntry] = []
        missing: list[str] = []
        for p in self.covering(union, earning_type):
            on = pp_date if p.date_basis == "pp_date" else period_end
            hits = [] if on is None else [
                r for r in p.rates if r.in_force(on) and r.matches(classification, earning_type, state)
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
    plans = sorted((_load_plan(p) for p in Path(directory).glob("*.yaml")), key=lambda p: p.plan)
    ids = [p.plan for p in plans]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{directory}: a plan id appears twice")
    seen: set[str] = set()
    for p in plans:
        for r in p.rates:
            if r.id in seen:
                raise ValueError(f"{directory}: rate id {r.id} appears twice")
            seen.add(r.id)
    return PlanSet(tuple(plans))


def rate_units(rate: Decimal) -> int:
    """The rate as an integer number of 1e-8 (the vectorized engine's fixed point)."""
    return int(rate.scaleb(RATE_DECIMALS, context=MONEY_CONTEXT))
