"""Scale minimums and where each position may be charged, from ``data/rules/scale_minimums.yaml``.

Some minimums depend on the production's budget tier (WGA theatrical: low under $5,000,000, high at
$5,000,000 and over): such an entry carries ``budget_tier``; an entry without one applies at every
tier. Looking up a tiered minimum without a tier is an error, never a guess: the guild rules
quarantine the line first (BUDGET_TIER_MISSING).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import ClassVar, Literal

from prodlib.config import Figure, Flag, IsoDate, Strict, Text, YamlDocument, load_model
from prodlib.errors import RuleDataError
from prodlib.rules.overlay import Replacement

SCALE_FILE = Path(__file__).resolve().parent.parent / "data" / "rules" / "scale_minimums.yaml"


@dataclass(frozen=True)
class ScaleMinimum:
    """A scale minimum for one union classification (or WGA work type), in force between two dates.

    Attributes:
      union: the union
      classification: the classification or work type
      unit: hour | day | week | flat
      minimum: the minimum per unit
      sections: the chart sections its wages may be charged to
      accounts: the accounts its wages may be charged to
      effective_from: first date it applies
      effective_to: last date it applies; None: open-ended
      budget_tier: None: applies at every tier
      source: where the figure comes from
      verified: True when checked against the published source; False: a sample
    """

    union: str
    classification: str
    unit: str  # hour | day | week | flat
    minimum: Decimal
    sections: frozenset[str]
    accounts: frozenset[str]
    effective_from: date
    effective_to: date | None
    budget_tier: str | None = None  # None: applies at every tier
    source: str = ""
    verified: bool = False

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def may_charge(self, section: str, account: str) -> bool:
        return section in self.sections or account in self.accounts


@dataclass(frozen=True)
class UnpublishedMinimum:
    """Minimums known to exist but not published where their figures could be read.

    Attributes:
      union: the union
      classifications: the work types or classifications it concerns; None: all of the union's
      budget_tier: the tier it concerns; None: every tier
      effective_from: first date it covers
      effective_to: last date; None: open-ended (still the case today)
      note: what is missing and where it was looked for (``prodlib rules coverage`` prints it)
    """

    union: str
    classifications: frozenset[str] | None
    budget_tier: str | None
    effective_from: date
    effective_to: date | None
    note: str

    def covers(self, union: str, classification: str, on: date, budget_tier: str | None) -> bool:
        return (union == self.union and (self.classifications is None or classification in self.classifications)
                and (self.budget_tier is None or budget_tier == self.budget_tier)
                and self.effective_from <= on and (self.effective_to is None or on <= self.effective_to))


@dataclass(frozen=True)
class BudgetTier:
    name: str
    below: Decimal | None  # the tier holds budgets under this total; None: no upper bound


@dataclass(frozen=True)
class ScaleTable:
    """Every scale minimum, the budget tiers and the classification aliases.

    Attributes:
      entries: the minimums
      source: where the table's figures come from
      verified: True when the whole table is verified
      tiers: ascending by ``below``
      aliases: (union, classification) -> work type
      unpublished: minimums known to exist whose figures were not published where they could be read
    """

    entries: tuple[ScaleMinimum, ...]
    source: str
    verified: bool
    tiers: tuple[BudgetTier, ...] = ()  # ascending by ``below``
    aliases: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (union, classification) -> work type
    unpublished: tuple[UnpublishedMinimum, ...] = ()

    def unpublished_on(self, union: str, classification: str, on: date, budget_tier: str | None) -> str:
        """The note on an unpublished minimum covering the line's work type on ``on``, or ""."""
        cls = self.canonical(union, classification)
        return next((u.note for u in self.unpublished if u.covers(union, cls, on, budget_tier)), "")

    def canonical(self, union: str, classification: str) -> str:
        """The classification the entries use (an alias such as WGA "Writer" resolved)."""
        return self.aliases.get((union, classification), classification)

    def _of(self, union: str, classification: str) -> list[ScaleMinimum]:
        cls = self.canonical(union, classification)
        return [e for e in self.entries if e.union == union and e.classification == cls]

    def known(self, union: str, classification: str) -> bool:
        return bool(self._of(union, classification))

    def charge_rule(self, union: str, classification: str) -> ScaleMinimum:
        """An entry of the classification (all of its entries share where it may be charged)."""
        return self._of(union, classification)[0]

    def needs_tier(self, union: str, classification: str, on: date) -> bool:
        """True when the minimum in force on ``on`` depends on the production's budget tier."""
        return any(e.budget_tier is not None and e.in_force(on) for e in self._of(union, classification))

    def lookup(self, union: str, classification: str, on: date, budget_tier: str | None = None) -> ScaleMinimum | None:
        """The minimum in force on ``on`` at ``budget_tier``; None when the classification is unknown or
        none is in force. Raises ValueError when the minimum is tiered and no tier is given."""
        if budget_tier is None and self.needs_tier(union, classification, on):
            raise ValueError(f"the {union}/{classification} minimum on {on} depends on the budget tier; none given")
        hits = [e for e in self._of(union, classification)
                if e.in_force(on) and (e.budget_tier is None or e.budget_tier == budget_tier)]
        if len(hits) > 1:
            raise ValueError(f"two scale minimums for {union}/{classification} on {on} (tier {budget_tier})")
        return hits[0] if hits else None

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def tier_for(self, budget_total: Decimal) -> str:
        """The budget tier of a production whose total budget is ``budget_total``."""
        for t in self.tiers:
            if t.below is None or budget_total < t.below:
                return t.name
        raise ValueError(f"no budget tier holds {budget_total}")


class _Tier(Strict):
    entry_key: ClassVar[str | None] = "tier"
    tier: Text
    below: Figure | None = None


class _BudgetTiers(Strict):
    source: Text = ""
    verified: Flag = False
    tiers: tuple[_Tier, ...] = ()


class _Alias(Strict):
    union: Text
    classification: Text
    means: Text


class _ChargeTo(Strict):
    sections: tuple[Text, ...] = ()
    accounts: tuple[Text, ...] = ()


class _Minimum(Strict):
    entry_key: ClassVar[str | None] = "classification"
    union: Text
    classification: Text
    unit: Literal["hour", "day", "week", "flat"]
    minimum: Figure
    charge_to: _ChargeTo = _ChargeTo()
    budget_tier: Text | None = None
    effective_from: IsoDate | None = None
    effective_to: IsoDate | None = None
    source: Text | None = None
    verified: Flag | None = None


class _Unpublished(Strict):
    union: Text
    classifications: tuple[Text, ...] | None = None
    budget_tier: Text | None = None
    effective_from: IsoDate
    effective_to: IsoDate | None = None
    note: Text


class ScaleFile(Strict):
    """scale_minimums.yaml as written; entries inherit the file's dates, source and verified flag.

    Attributes:
      source, verified, effective_from, effective_to: the file's defaults for every entry.
      budget_tiers: the WGA budget tiers, ascending by ``below`` (the last one open-ended).
      aliases: payroll classifications that name a work type by another name.
      classifications: one minimum per union, classification (and tier, and dates).
      unpublished: minimums known to exist whose figures were not published where read.
    """

    source: Text
    verified: Flag
    effective_from: IsoDate
    effective_to: IsoDate | None = None
    budget_tiers: _BudgetTiers = _BudgetTiers()
    aliases: tuple[_Alias, ...] = ()
    classifications: tuple[_Minimum, ...]
    unpublished: tuple[_Unpublished, ...] = ()


def _read_scale(path: Path) -> tuple[ScaleFile, YamlDocument, list[ScaleMinimum], tuple[BudgetTier, ...]]:
    """A scale file's entries (each with the file's defaults filled in) and budget tiers, checked alone."""
    doc, located = load_model(path, ScaleFile, RuleDataError)
    tiers = tuple(BudgetTier(t.tier, t.below) for t in doc.budget_tiers.tiers)
    bounds = [t.below for t in tiers[:-1]]
    if (tiers and tiers[-1].below is not None) or None in bounds or bounds != sorted(bounds):  # type: ignore[type-var]
        raise _refuse(located, "budget_tiers must ascend by 'below', the last one open-ended", "budget_tiers")
    out = []
    for c in doc.classifications:
        out.append(ScaleMinimum(
            union=c.union, classification=c.classification, unit=c.unit, minimum=c.minimum,
            sections=frozenset(c.charge_to.sections), accounts=frozenset(c.charge_to.accounts),
            effective_from=c.effective_from or doc.effective_from,
            effective_to=c.effective_to if "effective_to" in c.model_fields_set else doc.effective_to,
            budget_tier=c.budget_tier,
            source=doc.source if c.source is None else c.source,
            verified=doc.verified if c.verified is None else c.verified,
        ))
    return doc, located, out, tiers


def _refuse(located: YamlDocument, message: str, *where: str | int) -> RuleDataError:
    return located.error(message, where, ScaleFile, RuleDataError)  # type: ignore[return-value]


def _check_names(doc: ScaleFile, located: YamlDocument, entries: Sequence[ScaleMinimum],
                 tiers: tuple[BudgetTier, ...], aliases: Mapping[tuple[str, str], str]) -> None:
    """Every tier an entry names exists; every alias of ``doc`` means a classification that has an entry."""
    for i, c in enumerate(doc.classifications):
        if c.budget_tier is not None and c.budget_tier not in {t.name for t in tiers}:
            raise _refuse(located, f"unknown budget_tier {c.budget_tier!r}", "classifications", i, "budget_tier")
    for i, a in enumerate(doc.aliases):
        union, cls, means = a.union, a.classification, aliases[(a.union, a.classification)]
        if not any(e.union == union and e.classification == means for e in entries):
            raise _refuse(located, f"alias {union}/{cls} means {means!r}, which has no entry", "aliases", i)
        if any(e.union == union and e.classification == cls for e in entries):
            raise _refuse(located, f"{union}/{cls} is both an alias and a classification", "aliases", i)


@cache
def load_scale(path: str | None = None) -> ScaleTable:
    """The scale minimums (the shipped file by default); every mistake is a :class:`RuleDataError`."""
    doc, located, out, tiers = _read_scale(Path(path or SCALE_FILE))
    aliases = {(a.union, a.classification): a.means for a in doc.aliases}
    _check_names(doc, located, out, tiers, aliases)
    return ScaleTable(tuple(out), doc.source, doc.verified, tiers, aliases, _unpublished(doc))


def _unpublished(doc: ScaleFile) -> tuple[UnpublishedMinimum, ...]:
    return tuple(UnpublishedMinimum(u.union, None if u.classifications is None else frozenset(u.classifications),
                                    u.budget_tier, u.effective_from, u.effective_to, u.note) for u in doc.unpublished)


def minimum_key(entry: ScaleMinimum) -> str:
    """A minimum's identity for the overlay: union/classification/tier/effective_from."""
    return f"{entry.union}/{entry.classification}/{entry.budget_tier or '*'}/{entry.effective_from}"


def _overlaps(a: ScaleMinimum, b: ScaleMinimum) -> bool:
    same = a.union == b.union and a.classification == b.classification
    tiers = a.budget_tier is None or b.budget_tier is None or a.budget_tier == b.budget_tier
    return same and tiers and a.effective_from <= (b.effective_to or date.max) \
        and b.effective_from <= (a.effective_to or date.max)


def overlay_scale(shipped: ScaleTable, path: Path) -> tuple[ScaleTable, tuple[Replacement, ...]]:
    """``shipped`` with a production's scale file laid over it: a minimum with the same union,
    classification, tier and effective_from replaces the shipped one, any other is added; aliases
    merge by (union, classification). Returns the table and what was replaced."""
    doc, located, mine, tiers = _read_scale(path)
    if tiers:
        raise _refuse(located, "budget tiers are the shipped file's; a production's scale file may not redeclare "
                               "them", "budget_tiers")
    shipped_file = SCALE_FILE.name
    replaced: list[Replacement] = []
    at = {minimum_key(e): i for i, e in enumerate(mine)}
    if len(at) != len(mine):
        dup = next(i for i, e in enumerate(mine) if at[minimum_key(e)] != i)
        raise _refuse(located, f"minimum {minimum_key(mine[dup])} appears twice", "classifications", dup)
    entries = []
    for e in shipped.entries:
        i = at.get(minimum_key(e))
        if i is None:
            entries.append(e)
            continue
        entries.append(mine[i])
        replaced.append(Replacement("minimum", minimum_key(e), shipped_file, str(path),
                                    located.line_of(("classifications", i))))
    kept = {minimum_key(e) for e in shipped.entries}
    entries += [e for e in mine if minimum_key(e) not in kept]
    for i, e in enumerate(mine):
        clash = next((o for o in entries if o is not e and _overlaps(e, o)), None)
        if clash is not None:
            raise _refuse(located, f"in force on the same dates as {minimum_key(clash)}; to replace that minimum, "
                                   "give this entry its budget tier and effective_from", "classifications", i)
    aliases = dict(shipped.aliases)
    for i, a in enumerate(doc.aliases):
        key = (a.union, a.classification)
        if key in aliases:
            replaced.append(Replacement("alias", f"{a.union}/{a.classification}", shipped_file, str(path),
                                        located.line_of(("aliases", i))))
        aliases[key] = a.means
    _check_names(doc, located, entries, shipped.tiers, aliases)
    # a production's own notes come first: they describe its own gaps
    notes = (*_unpublished(doc), *shipped.unpublished)
    return ScaleTable(tuple(entries), shipped.source, shipped.verified, shipped.tiers, aliases, notes), tuple(replaced)
