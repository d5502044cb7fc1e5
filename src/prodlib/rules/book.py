"""A production's rule book: the shipped plans, scale minimums and work rules, with its own laid over.

Built once per run (:func:`load_rules`) and handed to everything that prices or checks a line (the
checks' context, the fringe engines, remittance), so that no caller reads rule files on its own and
all of them see the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prodlib.errors import RuleDataError
from prodlib.rules.overlay import Replacement
from prodlib.rules.plans import PlanSet, load_plans, overlay_plans
from prodlib.rules.scale import ScaleTable, load_scale, overlay_scale
from prodlib.rules.work import WorkRuleBook, load_work_rules, overlay_work_rules

if TYPE_CHECKING:
    from prodlib.production import Production

#: What a production's rules folder may hold (anything else is refused, never ignored).
PLANS_FOLDER, SCALE_NAME, WORK_NAME = "plans", "scale_minimums.yaml", "work_rules.yaml"


@dataclass(frozen=True)
class RuleBook:
    """The rule data one production is checked and priced by.

    Attributes:
      plans: the fringe plans (shipped, with the production's plan files laid over them).
      scale: the scale minimums.
      work: the timecard-rule schedules.
      folder: the production's rules folder; None: the shipped rules only.
      replaced: every shipped figure the production's files replaced, in file order.
    """

    plans: PlanSet
    scale: ScaleTable
    work: WorkRuleBook
    folder: Path | None = None
    replaced: tuple[Replacement, ...] = ()


def shipped_rules() -> RuleBook:
    """The shipped rule files alone."""
    return RuleBook(load_plans(), load_scale(), load_work_rules())


def load_rules(production: Production | None) -> RuleBook:
    """The production's rule book: the shipped rules, with its ``rules:`` folder laid over them by id
    (:mod:`prodlib.rules.overlay`). Every mistake in its files is a :class:`RuleDataError` naming the
    user's file, line and key."""
    return rules_in(None if production is None else production.rules)


def rules_in(folder: str | Path | None) -> RuleBook:
    """The shipped rules with the rules folder ``folder`` laid over them (None or "": the shipped
    rules only); what :func:`load_rules` does with a production's ``rules:``, for a caller that holds
    the folder only (a report notebook's ``rules_dir`` parameter)."""
    if folder is None or not str(folder):
        return shipped_rules()
    root = Path(folder)
    if not root.is_dir():
        raise RuleDataError(root, "the production's rules folder does not exist")
    for p in sorted(root.iterdir()):
        if p.name.startswith(".") or p.suffix.lower() == ".md" or p.name in (PLANS_FOLDER, SCALE_NAME, WORK_NAME):
            continue
        raise RuleDataError(p, f"not a rule file: a rules folder holds {PLANS_FOLDER}/*.yaml, {SCALE_NAME} and "
                               f"{WORK_NAME} only")
    book = shipped_rules()
    plans, scale, work = book.plans, book.scale, book.work
    replaced: list[Replacement] = []
    if (root / PLANS_FOLDER).is_dir():
        stray = [p for p in sorted((root / PLANS_FOLDER).iterdir())
                 if not p.name.startswith(".") and p.suffix != ".yaml"]
        if stray:
            raise RuleDataError(stray[0], "not a plan file: plan files end in .yaml")
        plans, r = overlay_plans(plans, root / PLANS_FOLDER)
        replaced += r
    if (root / SCALE_NAME).exists():
        scale, r = overlay_scale(scale, root / SCALE_NAME)
        replaced += r
    if (root / WORK_NAME).exists():
        work, r = overlay_work_rules(work, root / WORK_NAME)
        replaced += r
    return RuleBook(plans, scale, work, root, tuple(replaced))
